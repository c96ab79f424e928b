"""The benchmarks' sections of docs/performance.md: each between its own markers, so a
benchmark rewrites its section and keeps everything else."""

from __future__ import annotations

from pathlib import Path

PERFORMANCE = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def write_section(name: str, lines: list[str]) -> None:
    """Put ``lines`` between ``<!-- name -->`` and ``<!-- /name -->`` in performance.md,
    replacing what was there (or at the end, the first time)."""
    marker, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    text = PERFORMANCE.read_text(encoding="utf-8") if PERFORMANCE.exists() else ""
    if marker in text:
        head, rest = text.split(marker, 1)
        head = head.rstrip() + "\n\n" if head.strip() else ""
        tail = rest.split(end, 1)[1].lstrip("\n") if end in rest else ""
    else:
        head, tail = (text.rstrip() + "\n\n" if text else ""), ""
    body = "\n".join([marker, "", *lines, "", end, ""])
    PERFORMANCE.write_text(head + body + ("\n" + tail if tail else ""), encoding="utf-8")
