"""slacalc's bytecode compiled before any run is measured, as an installation has it.

pip compiles a package's ``.pyc`` files when it installs it, so an installed
``slacalc`` starts from bytecode. A benchmark run from a source tree (``PYTHONPATH=src``,
an editable install) with ``PYTHONDONTWRITEBYTECODE`` set, as on the machines these
figures come from, would instead compile its hundred-odd modules again in every
``slacalc`` process it measures: about 0.1 s of CPU a run (measured 2026-12-01: ``slacalc
--help`` 0.48-0.50 s CPU without the bytecode, 0.37-0.46 s with it) that no user pays.
`compile_slacalc` writes it once; for an installed package it finds it already there.
"""

from __future__ import annotations

import compileall
from pathlib import Path

import slacalc


def compile_slacalc() -> Path:
    """Compile the bytecode of the slacalc this interpreter imports (the one the
    benchmarks' child processes run, as they share its path); its folder."""
    folder = Path(slacalc.__file__).resolve().parent
    if not compileall.compile_dir(folder, quiet=1):
        raise SystemExit(f"cannot compile {folder}: a benchmark would measure compiling")
    return folder
