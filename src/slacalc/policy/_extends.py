"""Reading a policy file and resolving its ``extends`` chain (pass 2 of loading).

``extends`` names a bundled policy (exactly one of `bundled_names`) or a file in the
extending file's folder or below, symlinks resolved first: an absolute path, ``../`` or
a symlink out of the folder is refused unread (docs/policies.md, "Security"). Each file
of the chain is read with `read_policy_bytes` (bounded, regular files only), composed
with `compose` and deep-merged over its base; every source tree is kept so that pass 3
can point at the file a value came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from yaml.nodes import Node

from ._limits import check_chain
from ._reading import read_policy_bytes
from ._tree import compose, fail, value_node
from .ics import inline_feeds

__all__ = ["Source", "bundled_dir", "bundled_file", "bundled_names", "resolve"]

_REPLACED_AT = 5  # tiers.<tier>.targets.<priority>.<metric>: a target replaces a target


def bundled_dir() -> Path:
    """The folder of the bundled policies: packaged with slacalc, or a checkout's."""
    packaged = Path(str(files("slacalc").joinpath("policies")))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "policies"


def _merge(base: Any, overlay: Any, depth: int = 0) -> Any:
    if isinstance(base, Mapping) and isinstance(overlay, Mapping) and depth < _REPLACED_AT:
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = _merge(base[key], value, depth + 1) if key in base else value
        return merged
    return overlay


Source = tuple[Node, str]


def resolve(
    file: Path, shown: str, chain: tuple[Path, ...]
) -> tuple[dict[str, Any], list[Source]]:
    """The merged data of ``file`` and its ``extends`` chain, with every source tree."""
    raw = read_policy_bytes(file, shown)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise fail(shown, None, "", f"not UTF-8 text ({error.reason})") from None
    node, data = compose(text, shown, extended=bool(chain))
    for calendar, index, problem in inline_feeds(data, file.parent):
        at = value_node(node, "calendars")
        at = at and value_node(at, calendar)
        raise fail(shown, at and value_node(at, "ics"), f"calendars.{calendar}.ics[{index}]",
                   problem)
    sources: list[Source] = [(node, shown)]
    parent = data.get("extends")
    if parent is None:
        return data, sources
    where = value_node(node, "extends")
    if not isinstance(parent, str) or not parent.strip():
        raise fail(shown, where, "extends", f"expected a policy name or path, got {parent!r}")
    check_chain(shown, chain, where)
    base_file = _extended_file(file, shown, parent, where)
    if base_file in chain or base_file == file.resolve():
        cycle = " -> ".join(p.name for p in (*chain, file.resolve(), base_file))
        raise fail(shown, where, "extends", f"extends cycle: {cycle}")
    base_shown = str(base_file) if base_file.parent != bundled_dir() else base_file.name
    base, base_sources = resolve(base_file, base_shown, (*chain, file.resolve()))
    merged = _merge(base, data)
    if "name" not in data or data["name"] == base.get("name"):
        raise fail(shown, value_node(node, "name") or where, "name",
                   f"an extending policy needs its own name, not {base.get('name')!r}")
    return merged, sources + base_sources


def _extended_file(file: Path, shown: str, parent: str, where: Node | None) -> Path:
    """The file that ``extends: parent`` in ``file`` names, resolved: a bundled policy, or
    a file in ``file``'s folder or below once symlinks are resolved; nothing else."""
    if not (parent.endswith((".yaml", ".yml")) or "/" in parent):
        bundled = bundled_file(parent)
        if bundled is None:
            names = ", ".join(bundled_names())
            raise fail(shown, where, "extends", f"no bundled policy {parent!r}; bundled: {names}")
        return bundled.resolve()
    rule = "extends names a bundled policy or a file in this file's folder or below"
    if Path(parent).is_absolute():
        raise fail(shown, where, "extends", f"{parent!r} is an absolute path; {rule}")
    try:
        folder = file.parent.resolve()
        target = (folder / parent).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL, a name too long
        raise fail(shown, where, "extends", f"{parent!r} cannot be resolved (a symlink loop "
                                            f"or an invalid path); {rule}") from None
    if not target.is_relative_to(folder):
        raise fail(shown, where, "extends", f"{parent!r} leads outside this file's folder; "
                                            f"{rule}")
    return target


def bundled_file(name: str) -> Path | None:
    """The file of the bundled policy ``name`` (one of `bundled_names` exactly), else None."""
    return bundled_dir() / f"{name}.yaml" if name in bundled_names() else None


def bundled_names() -> list[str]:
    """Names of the policies shipped with slacalc, sorted."""
    return sorted(file.stem for file in bundled_dir().glob("*.yaml"))
