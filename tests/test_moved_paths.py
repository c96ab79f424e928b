"""Documented import paths that moved with the layered package still work, with a
DeprecationWarning naming the new place."""

from __future__ import annotations

import importlib
import sys

import pytest

import slacalc.policy
import slacalc.render


@pytest.mark.parametrize(("old", "name", "new"), [
    ("slacalc.lint", "lint", slacalc.policy.lint),
    ("slacalc.picture", "timeline_svg", slacalc.render.timeline_svg),
])
def test_a_moved_path_warns_and_gives_the_same_function(old: str, name: str,
                                                        new: object) -> None:
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=old.replace(".", r"\.")):
        module = importlib.import_module(old)
    assert getattr(module, name) is new
