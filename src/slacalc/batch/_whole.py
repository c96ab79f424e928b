"""Files written whole or not at all: every output of slacalc (results, errors, HTML,
SVG, schema, audit) goes to a temporary file beside its path and is renamed onto it only
when complete, so an interrupted or failed run never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO

from ._header import ReportUsageError, check_outputs

__all__ = ["WholeFile", "write_whole"]


class WholeFile:
    """A file written whole or not at all: a temporary file beside ``path`` (same folder,
    so the rename is atomic), renamed onto it by `commit`; `abandon` removes it. A path
    that exists and is not a regular file (``/dev/null``, a FIFO) is written directly."""

    def __init__(self, path: str, option: str) -> None:
        self.path = Path(path)
        self.direct = self.path.exists() and not self.path.is_file()
        if self.direct:
            self.temp = self.path
            return
        try:
            handle, name = tempfile.mkstemp(dir=self.path.parent,
                                            prefix=f".{self.path.name}.", suffix=".part")
        except OSError as error:
            raise ReportUsageError(f"{option} {path}: cannot write in {self.path.parent} "
                                   f"({error.strerror})") from None
        os.close(handle)
        self.temp = Path(name)

    def open(self) -> IO[str]:
        return self.temp.open("w", encoding="utf-8", newline="")

    def commit(self) -> None:
        if self.direct:
            return
        try:
            mode = self.path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.chmod(self.temp, mode)
        os.replace(self.temp, self.path)

    def abandon(self) -> None:
        if not self.direct:
            self.temp.unlink(missing_ok=True)


def write_whole(path: str, text: str, option: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (`ReportUsageError` for a folder or
    a missing folder, naming ``option``).

    Boundary rule: the old file stays as it was until the new one is complete (a rename);
    a device such as ``/dev/null`` is written directly. Example: ``write_whole("out.svg",
    svg, "--svg")`` -> out.svg holds ``svg``, or is untouched if the disk is full.
    """
    check_outputs([], {option: path})
    target = WholeFile(path, option)
    try:
        with target.open() as handle:
            handle.write(text)
        target.commit()
    finally:
        target.abandon()
