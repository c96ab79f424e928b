"""Policy files: safe YAML in, located errors out.

Loading is three passes over one YAML node tree, so every problem can be pointed at:

1. compose the document with PyYAML's safe loader (syntax errors keep their marks), refuse
   any non-standard tag and any duplicate key (named at its second occurrence);
2. resolve ``extends`` (a bundled name, or a file in the file's folder tree) and deep-merge;
3. validate with the pydantic models, and map each error's location back to the node
   it concerns: ``vircom.yaml:23:19: tiers.standard.targets.P2.response: unknown unit ...``.

All problems of a file are reported together, in one `PolicyError` whose ``errors``
lists them. Only this module and `_reading` (bounded reads, the alias budget) read files;
`_limits` refuses what YAML would turn into a crash (NULs, deep nesting, huge integers,
dates that do not exist, lone surrogates, long extends chains). A file reached by
``extends`` is quoted only once it parses as a policy mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from difflib import get_close_matches
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import PolicyError
from ..terms.availability import Availability, CreditStep, MaintenanceSpec
from ..terms.billing import Billing
from ..terms.coverage import Coverage
from ._limits import MAX_PROBLEMS, PolicyLoader, check_chain
from ._reading import located, policy_files, read_policy_bytes
from .ics import inline_feeds
from .model import Policy
from .parts import CalendarSpec, HolidaysSpec, Priority, Rules, Tier
from .targets import Target

__all__ = ["bundled_policy", "bundled_policy_names", "load_policies", "load_policy",
           "loads_policy"]

_STANDARD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STANDARD + name for name in
                 ("map", "seq", "str", "int", "float", "bool", "null", "timestamp", "merge")}
_REPLACED_AT = 5  # tiers.<tier>.targets.<priority>.<metric>: a target replaces a target
Loc = tuple[str | int, ...]


def _fail(path: str, node: Node | None, key: str, message: str) -> PolicyError:
    return located(path, node.start_mark if node else None, key, message)


def _raise_all(problems: list[PolicyError], more: int = 0) -> None:
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


def _key_text(parts: Loc) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# -- pass 1: compose and check the node tree ---------------------------------------------


_UNQUOTED = " (reached through extends: its text is not quoted; load it on its own)"


def _compose(text: str, path: str, extended: bool = False) -> tuple[Node, Any]:
    """The node tree and data of ``text``; ``extended``: reached through ``extends``, so
    none of its text is quoted until it has parsed as a policy mapping."""
    loader = PolicyLoader(text, path)
    try:
        node = _parse(loader, path, extended)
        found = list(_check_tree(node, path, ()))
        _raise_all(found[:MAX_PROBLEMS], max(0, len(found) - MAX_PROBLEMS))
        if not isinstance(node, MappingNode):
            kind = "a list" if isinstance(node, SequenceNode) else "a single value"
            raise _fail(path, node, "", f"a policy must be a mapping at the top, got {kind}")
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
        raise _fail(path, None, "", "the file is empty; a policy is a mapping")
    if extended and not (isinstance(node, MappingNode) and {"schema_version", "name"} <= {
            str(key.value) for key, _ in node.value}):
        raise _fail(path, node, "", f"not a policy mapping (schema_version and name at the "
                                    f"top){_UNQUOTED}")
    return node


def _check_tree(node: Node, path: str, parts: Loc) -> Any:
    if node.tag not in _ALLOWED_TAGS:
        yield _fail(path, node, _key_text(parts),
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
                yield _fail(path, key_node, _key_text((*parts, name)),
                            f"duplicate key {name!r} (first given on line {line})")
            first_seen[name] = key_node
            yield from _check_tree(value_node, path, (*parts, name))


# -- pass 2: extends -------------------------------------------------------------------


def _bundled_dir() -> Path:
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


def _resolve(
    file: Path, shown: str, chain: tuple[Path, ...]
) -> tuple[dict[str, Any], list[Source]]:
    """The merged data of ``file`` and its ``extends`` chain, with every source tree."""
    raw = read_policy_bytes(file, shown)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _fail(shown, None, "", f"not UTF-8 text ({error.reason})") from None
    node, data = _compose(text, shown, extended=bool(chain))
    for calendar, index, problem in inline_feeds(data, file.parent):
        at = _value_node(node, "calendars")
        at = at and _value_node(at, calendar)
        raise _fail(shown, at and _value_node(at, "ics"), f"calendars.{calendar}.ics[{index}]",
                    problem)
    sources: list[Source] = [(node, shown)]
    parent = data.get("extends")
    if parent is None:
        return data, sources
    where = _value_node(node, "extends")
    if not isinstance(parent, str) or not parent.strip():
        raise _fail(shown, where, "extends", f"expected a policy name or path, got {parent!r}")
    check_chain(shown, chain, where)
    base_file = _extended_file(file, shown, parent, where)
    if base_file in chain or base_file == file.resolve():
        cycle = " -> ".join(p.name for p in (*chain, file.resolve(), base_file))
        raise _fail(shown, where, "extends", f"extends cycle: {cycle}")
    base_shown = str(base_file) if base_file.parent != _bundled_dir() else base_file.name
    base, base_sources = _resolve(base_file, base_shown, (*chain, file.resolve()))
    merged = _merge(base, data)
    if "name" not in data or data["name"] == base.get("name"):
        raise _fail(shown, _value_node(node, "name") or where, "name",
                    f"an extending policy needs its own name, not {base.get('name')!r}")
    return merged, sources + base_sources


def _extended_file(file: Path, shown: str, parent: str, where: Node | None) -> Path:
    """The file that ``extends: parent`` in ``file`` names, resolved: a bundled policy, or
    a file in ``file``'s folder or below once symlinks are resolved; nothing else."""
    if not (parent.endswith((".yaml", ".yml")) or "/" in parent):
        bundled = _bundled_file(parent)
        if bundled is None:
            names = ", ".join(bundled_policy_names())
            raise _fail(shown, where, "extends", f"no bundled policy {parent!r}; bundled: {names}")
        return bundled.resolve()
    rule = "extends names a bundled policy or a file in this file's folder or below"
    if Path(parent).is_absolute():
        raise _fail(shown, where, "extends", f"{parent!r} is an absolute path; {rule}")
    try:
        folder = file.parent.resolve()
        target = (folder / parent).resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL, a name too long
        raise _fail(shown, where, "extends", f"{parent!r} cannot be resolved (a symlink loop "
                                             f"or an invalid path); {rule}") from None
    if not target.is_relative_to(folder):
        raise _fail(shown, where, "extends", f"{parent!r} leads outside this file's folder; "
                                             f"{rule}")
    return target


def _value_node(node: Node, key: str) -> Node | None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node  # type: ignore[no-any-return]
    return None


# -- pass 3: validate and locate -------------------------------------------------------


def _walk(node: Node, loc: Loc) -> tuple[Node, Node | None, Loc, Loc]:
    """Follow ``loc`` down the tree: (node reached, its key node, parts used, parts left)."""
    key_node: Node | None = None
    used: list[str | int] = []
    parts = list(loc)
    while parts:
        part = parts[0]
        if isinstance(node, MappingNode) and not isinstance(part, int):
            match = next(((k, v) for k, v in node.value if str(k.value) == str(part)), None)
            if match is None:
                break
            key_node, node = match
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            key_node, node = None, node.value[part]
        elif isinstance(node, MappingNode) and part == 0:
            parts.pop(0)  # a single target mapping stands for a one-entry list
            continue
        else:
            break
        used.append(part)
        parts.pop(0)
    return node, key_node, tuple(used), tuple(parts)


_CONTEXTS: list[tuple[int, str | None, type[BaseModel]]] = [
    (0, None, Policy), (2, "calendars", CalendarSpec), (2, "priorities", Priority),
    (2, "tiers", Tier), (1, "rules", Rules), (1, "availability", Availability),
    (1, "billing", Billing), (1, "coverage", Coverage),
]


def _allowed_keys(parent: Loc) -> list[str]:
    if len(parent) == 3 and parent[0] == "calendars" and parent[2] == "holidays":
        return list(HolidaysSpec.model_fields)
    if len(parent) == 2 and parent[0] == "availability" and parent[1] == "maintenance":
        return list(MaintenanceSpec.model_fields)
    if len(parent) == 3 and parent[0] == "availability" and parent[1] == "credits":
        return list(CreditStep.model_fields)
    if len(parent) >= 5 and parent[0] == "tiers" and parent[2] == "targets":
        return list(Target.model_fields)
    for depth, head, model in _CONTEXTS:
        if len(parent) == depth and (head is None or parent[0] == head):
            return list(model.model_fields)
    return []


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and (part in {"str", "int", "float", "bool", "list", "dict",
                                               "tuple", "none"} or "[" in part)


def _problem(error: Any, sources: list[Source]) -> PolicyError:
    loc: Loc = tuple(p for p in error["loc"] if not _is_union_tag(p) and p != "[key]")
    points_at_key = error["loc"][-1:] == ("[key]",) or error["type"] in {"extra_forbidden"}
    best = None
    for root, shown in sources:
        node, key_node, used, left = _walk(root, loc)
        if best is None or len(used) > len(best[2]):
            best = (shown, node, used, left, key_node)
        if not left:
            break
    assert best is not None
    shown, node, used, left, key_node = best
    kind, message = error["type"], str(error["msg"]).removeprefix("Value error, ")
    key_parts = used
    if kind == "missing" and len(left) == 1:
        key_parts, message = (*used, left[0]), f"required key {left[0]!r} is missing"
    elif kind == "extra_forbidden":
        name = used[-1] if used else error["loc"][-1]  # a key like "[" reads as a tag
        allowed = _allowed_keys(used[:-1])
        close = get_close_matches(str(name), allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        message = f"unknown key {name!r}{hint}; allowed: {', '.join(allowed)}"
    elif kind not in {"policy", "value_error"} and not isinstance(error["input"], Mapping | list):
        message = f"{message}, got {error['input']!r}"
    if key_node is not None and isinstance(error["input"], str) and not left:
        points_at_key = points_at_key or (
            str(key_node.value) == error["input"] != getattr(node, "value", None)
        )
    target = key_node if (points_at_key or isinstance(node, MappingNode)) and key_node else node
    return _fail(shown, target, _key_text(key_parts), message)


def _validate(data: dict[str, Any], sources: list[Source]) -> Policy:
    try:
        policy = Policy.model_validate(data)
    except ValidationError as error:
        problems: list[PolicyError] = []
        seen: dict[tuple[str, int | None, int | None], int] = {}
        items = error.errors()
        for item in items[:MAX_PROBLEMS]:
            problem = _problem(item, sources)
            spot = (problem.path or "", problem.line, problem.column)
            if item["type"] in {"missing", "extra_forbidden"}:  # each its own line
                problems.append(problem)
                continue
            if spot in seen:  # several union branches failing on one value: say it once
                earlier = problems[seen[spot]]
                merged = f"{earlier} or {str(problem).rsplit(': ', 1)[-1]}"
                problems[seen[spot]] = PolicyError(merged, path=earlier.path, line=earlier.line,
                                                   column=earlier.column, key=earlier.key)
                continue
            seen[spot] = len(problems)
            problems.append(problem)
        _raise_all(problems, max(0, len(items) - MAX_PROBLEMS))
        raise  # pragma: no cover - _raise_all always raises for a non-empty list
    for root, shown in reversed(sources):  # the extending file's keys win
        _record(policy, root, shown, ())
    return policy


def _record(policy: Policy, node: Node, shown: str, parts: Loc, at: Node | None = None) -> None:
    """Remember where each key path is: a scalar's value, or the key of a nested block."""
    mark = (at if at is not None and not isinstance(node, ScalarNode) else node).start_mark
    policy._locations[parts] = (shown, mark.line + 1, mark.column + 1)
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            _record(policy, value_node, shown, (*parts, str(key_node.value)), key_node)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _record(policy, item, shown, (*parts, index))


# -- the public entry points -----------------------------------------------------------


def load_policy(path: str | Path) -> Policy:
    """Load one policy file, resolving ``extends``; a located `PolicyError` if it is invalid.

    Boundary rule: only a regular file of at most 1 MiB is read; ``extends`` names a bundled
    policy or a file in the extending file's folder or below (symlinks resolved first), and
    aliases may repeat at most 10,000 nodes. Example:
    ``load_policy("policies/vircom.yaml").deadlines("standard", "P2", opened)``.
    """
    file = Path(path)
    data, sources = _resolve(file, str(path), ())
    return _validate(data, sources)


def loads_policy(text: str, path: str = "<string>") -> Policy:
    """Load a policy from YAML text; ``path`` names it in errors; no ``extends`` here.

    Boundary rule: aliases may repeat at most 10,000 nodes, as in files. Example:
    ``loads_policy(path.read_text(), "vircom.yaml").name == "vircom"``.
    """
    node, data = _compose(text, path)
    if data.get("extends") is not None:
        raise _fail(path, _value_node(node, "extends"), "extends",
                    "extends needs a policy file; use load_policy(path)")
    return _validate(data, [(node, path)])


def load_policies(directory: str | Path) -> dict[str, Policy]:
    """Every ``*.yaml``/``*.yml`` policy under ``directory`` by name; all errors together."""
    found: dict[str, Policy] = {}
    origin: dict[str, str] = {}
    problems: list[PolicyError] = []
    for file in policy_files(Path(directory)):
        try:
            policy = load_policy(file)
        except PolicyError as error:
            problems.extend(error.errors)
            continue
        if policy.name in found:
            problems.append(_fail(str(file), None, "name", f"policy name {policy.name!r} is "
                                                           f"also used by {origin[policy.name]}"))
            continue
        found[policy.name], origin[policy.name] = policy, str(file)
    _raise_all(problems)
    return found


def bundled_policy_names() -> list[str]:
    """Names of the policies shipped with slacalc, sorted."""
    return sorted(file.stem for file in _bundled_dir().glob("*.yaml"))


def _bundled_file(name: str) -> Path | None:
    return _bundled_dir() / f"{name}.yaml" if name in bundled_policy_names() else None


def bundled_policy(name: str) -> Policy:
    """The bundled policy called ``name``; `PolicyError` if unknown.

    Boundary rule: ``name`` must be one of `bundled_policy_names` exactly; a path (``../x``)
    is unknown, never read. Example: ``bundled_policy("vircom").name == "vircom"``.
    """
    file = _bundled_file(name)
    if file is None:
        names = ", ".join(bundled_policy_names())
        raise PolicyError(f"no bundled policy {name!r}; bundled: {names}")
    data, sources = _resolve(file, file.name, ())
    return _validate(data, sources)
