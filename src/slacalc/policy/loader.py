"""Policy files: safe YAML in, located errors out.

Loading is three passes over one YAML node tree, so every problem can be pointed at:

1. compose the document with PyYAML's safe loader (syntax errors keep their marks), refuse
   any non-standard tag and any duplicate key (named at its second occurrence): `_tree`;
2. resolve ``extends`` (a bundled name, or a file in the file's folder tree) and
   deep-merge: `_extends`;
3. validate with the pydantic models, and map each error's location back to the node
   it concerns: ``vircom.yaml:23:19: tiers.standard.targets.P2.response: unknown unit ...``
   (this module, with the public entry points).

All problems of a file are reported together, in one `PolicyError` whose ``errors``
lists them. Only `_extends` and `_reading` (bounded reads, the alias budget) read files;
`_limits` refuses what YAML would turn into a crash (NULs, deep nesting, huge integers,
dates that do not exist, lone surrogates, long extends chains). A file reached by
``extends`` is quoted only once it parses as a policy mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import PolicyError
from ..terms.availability import Availability, CreditStep, MaintenanceSpec
from ..terms.billing import Billing
from ..terms.coverage import Coverage
from ._extends import Source, bundled_file, bundled_names, resolve
from ._limits import MAX_PROBLEMS
from ._reading import policy_files
from ._tree import Loc, compose, fail, key_text, raise_all, value_node
from .model import Policy
from .parts import CalendarSpec, HolidaysSpec, Priority, Rules, Tier
from .targets import Target

__all__ = ["bundled_policy", "bundled_policy_names", "load_policies", "load_policy",
           "loads_policy"]


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
    return fail(shown, target, key_text(key_parts), message)


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
        raise_all(problems, max(0, len(items) - MAX_PROBLEMS))
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
    data, sources = resolve(file, str(path), ())
    return _validate(data, sources)


def loads_policy(text: str, path: str = "<string>") -> Policy:
    """Load a policy from YAML text; ``path`` names it in errors; no ``extends`` here.

    Boundary rule: aliases may repeat at most 10,000 nodes, as in files. Example:
    ``loads_policy(path.read_text(), "vircom.yaml").name == "vircom"``.
    """
    node, data = compose(text, path)
    if data.get("extends") is not None:
        raise fail(path, value_node(node, "extends"), "extends",
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
            problems.append(fail(str(file), None, "name", f"policy name {policy.name!r} is "
                                                          f"also used by {origin[policy.name]}"))
            continue
        found[policy.name], origin[policy.name] = policy, str(file)
    raise_all(problems)
    return found


def bundled_policy_names() -> list[str]:
    """Names of the policies shipped with slacalc, sorted.

    Boundary rule: exactly the ``*.yaml`` files of the bundled folder, by stem; these are
    the only names `bundled_policy` and ``extends`` take without a path. Example:
    ``"vircom" in bundled_policy_names()``.
    """
    return bundled_names()


def bundled_policy(name: str) -> Policy:
    """The bundled policy called ``name``; `PolicyError` if unknown.

    Boundary rule: ``name`` must be one of `bundled_policy_names` exactly; a path (``../x``)
    is unknown, never read. Example: ``bundled_policy("vircom").name == "vircom"``.
    """
    file = bundled_file(name)
    if file is None:
        names = ", ".join(bundled_names())
        raise PolicyError(f"no bundled policy {name!r}; bundled: {names}")
    data, sources = resolve(file, file.name, ())
    return _validate(data, sources)
