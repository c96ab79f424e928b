"""The YAML node tree of a policy file: composed, checked, and pointed into.

Pass 1 of loading (`slacalc.policy.loader`): compose the document with PyYAML's safe
loader (syntax errors keep their marks; `_limits` refuses what would crash), refuse any
non-standard tag and any duplicate key (named at its second occurrence). A file reached
through ``extends`` is quoted only once it parses as a policy mapping. Also the helpers
every pass uses to name a problem at its node: `fail`, `raise_all`, `key_text`,
`value_node`.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from ..errors import PolicyError
from ._limits import MAX_PROBLEMS, PolicyLoader
from ._reading import located

__all__ = ["Loc", "compose", "fail", "key_text", "raise_all", "value_node"]

_STANDARD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STANDARD + name for name in
                 ("map", "seq", "str", "int", "float", "bool", "null", "timestamp", "merge")}
Loc = tuple[str | int, ...]


def fail(path: str, node: Node | None, key: str, message: str) -> PolicyError:
    return located(path, node.start_mark if node else None, key, message)


def raise_all(problems: list[PolicyError], more: int = 0) -> None:
    """Raise the problems, in file order; ``more`` not listed (`MAX_PROBLEMS`) say so last."""
    if problems:
        problems = sorted(problems, key=lambda p: (p.path or "", p.line or 0, p.column or 0))
        first = problems[0]
        if more:
            problems.append(PolicyError(f"{first.path}: and {more:,} more problems (only the "
                                        f"first {MAX_PROBLEMS} are listed)", path=first.path))
        raise PolicyError("\n".join(str(p) for p in problems), path=first.path,
                          line=first.line, column=first.column, key=first.key,
                          errors=tuple(problems))


def key_text(parts: Loc) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_UNQUOTED = " (reached through extends: its text is not quoted; load it on its own)"


def compose(text: str, path: str, extended: bool = False) -> tuple[Node, Any]:
    """The node tree and data of ``text``; ``extended``: reached through ``extends``, so
    none of its text is quoted until it has parsed as a policy mapping."""
    loader = PolicyLoader(text, path)
    try:
        node = _parse(loader, path, extended)
        found = list(_check_tree(node, path, ()))
        raise_all(found[:MAX_PROBLEMS], max(0, len(found) - MAX_PROBLEMS))
        if not isinstance(node, MappingNode):
            kind = "a list" if isinstance(node, SequenceNode) else "a single value"
            raise fail(path, node, "", f"a policy must be a mapping at the top, got {kind}")
        return node, loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if extended:
            raise PolicyError(f"{path}:{line}:{column}: YAML syntax error{_UNQUOTED}", path=path,
                              line=line, column=column) from None
        problem = " ".join(str(error.problem or error.context or "invalid YAML").split())
        if error.context and error.context_mark and error.problem:
            start = error.context_mark
            problem += f" ({error.context} that starts at {start.line + 1}:{start.column + 1})"
        raise PolicyError(f"{path}:{line}:{column}: YAML syntax error: {problem}", path=path,
                          line=line, column=column) from None
    finally:
        loader.dispose()


def _parse(loader: PolicyLoader, path: str, extended: bool) -> Node:
    try:
        node = loader.get_single_node()
    except PolicyError as error:  # the alias budget names the alias; limits quote nothing
        said = str(error).removeprefix(f"{path}:{error.line}:{error.column}: ")
        if not extended or not said.startswith("alias *"):
            raise
        raise PolicyError(f"{path}:{error.line}:{error.column}: alias refused{_UNQUOTED}",
                          path=path, line=error.line, column=error.column) from None
    if node is None:
        raise fail(path, None, "", "the file is empty; a policy is a mapping")
    if extended and not (isinstance(node, MappingNode) and {"schema_version", "name"} <= {
            str(key.value) for key, _ in node.value}):
        raise fail(path, node, "", f"not a policy mapping (schema_version and name at the "
                                   f"top){_UNQUOTED}")
    return node


def _check_tree(node: Node, path: str, parts: Loc) -> Any:
    if node.tag not in _ALLOWED_TAGS:
        yield fail(path, node, key_text(parts),
                   f"YAML tag {node.tag!r} is not allowed (policies are loaded safely: plain "
                   f"mappings, lists, text, numbers, booleans and dates only)")
        return
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield from _check_tree(item, path, (*parts, index))
    elif isinstance(node, MappingNode):
        first_seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STANDARD + "merge":
                continue
            name = str(key_node.value)
            if name in first_seen:
                line = first_seen[name].start_mark.line + 1
                yield fail(path, key_node, key_text((*parts, name)),
                           f"duplicate key {name!r} (first given on line {line})")
            first_seen[name] = key_node
            yield from _check_tree(value_node, path, (*parts, name))


def value_node(node: Node, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node  # type: ignore[no-any-return]
    return None
