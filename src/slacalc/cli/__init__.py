"""The ``slacalc`` command line: report, due, explain, validate, lint, schema.

Layer 7 (the top, beside `slacalc.frame` and `slacalc.testing`).
"""

from __future__ import annotations

from ._main import main

__all__ = ["main"]
