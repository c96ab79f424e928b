"""Settings for the whole suite (the README's test command): a file or socket left open,
or an exception raised in a destructor, fails the test during which it is noticed. The
code closes what it opens, and so must the tests (the scale-out tests, whose engines are
not ours, keep pytest's defaults)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("filterwarnings", "error::ResourceWarning")
    config.addinivalue_line("filterwarnings", "error::pytest.PytestUnraisableExceptionWarning")
