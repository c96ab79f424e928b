"""The mapping file: how a help desk's statuses, priorities, groups, organisations, tags
and SLA names become slacalc's event kinds, priorities, tiers, policies and metrics.

A YAML file with a fixed key set (`DeskMapping`), read with PyYAML's safe loader keeping
node marks, so every mistake is reported as ``file:line:column: key: message`` (an
unknown key with a did-you-mean), all of them at once, in a `MappingError` (a
`PolicyError`). Each adapter ships a default mapping for its desk's stock statuses and
priorities (`default_mapping`); docs/sources.md describes every key.
"""

from __future__ import annotations

import re
from difflib import get_close_matches
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import PolicyError
from ..policy._reading import PolicyYamlLoader, located, read_policy_bytes

__all__ = ["DESKS", "ROLES", "DeskMapping", "MappingError", "PolicyRule", "default_mapping",
           "load_mapping", "loads_mapping"]

DESKS = ("zendesk", "jira", "servicenow", "statuslog")
ROLES = ("open", "awaiting_customer", "resolved", "closed")
"""What a desk status means: the clock runs (``open``), the ticket waits on the
customer, it is resolved, or closed."""
Role = Literal["open", "awaiting_customer", "resolved", "closed"]
Metric = Literal["response", "resolution", "ignore"]
PUBLIC_COMMENT = "public_comment"
_INNER = re.compile(r"(\w+)\[(\d+)\]: (.*)", re.S)


class MappingError(PolicyError):
    """A mapping file with mistakes; ``errors`` holds each, located (file:line:col)."""


class PolicyRule(BaseModel):
    """One rule of ``policies``: the tickets it matches (every condition given must
    hold; none: every ticket) get its policy and tier."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    policy: str = Field(min_length=1)
    tier: str = Field(min_length=1)
    organization: str | None = None
    tag: str | None = None
    group: str | None = None

    def matches(self, organization: str, tags: frozenset[str], group: str) -> bool:
        """Whether a ticket with these desk values (casefolded) is the rule's.

        Boundary rule: every condition given must hold; a rule without one matches all.
        Example: ``PolicyRule(policy="vircom", tier="standard", tag="VIP").matches("",
        frozenset({"vip"}), "")`` -> True.
        """
        return ((self.organization is None or self.organization.casefold() == organization)
                and (self.tag is None or self.tag.casefold() in tags)
                and (self.group is None or self.group.casefold() == group))


class DeskMapping(BaseModel):
    """A desk's mapping (docs/sources.md, "The mapping file")."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    desk: Literal["zendesk", "jira", "servicenow", "statuslog"]
    statuses: dict[str, Role] = Field(min_length=1)
    priorities: dict[str, str] = Field(min_length=1)
    default_priority: str | None = None
    responded_on: list[str] = Field(default_factory=lambda: [PUBLIC_COMMENT])
    desk_paused: list[str] = Field(default_factory=list)
    metrics: dict[str, Metric] = Field(default_factory=dict)
    policies: list[PolicyRule] = Field(min_length=1)
    naive_instants: Literal["utc", "refuse"] = "refuse"
    organization_field: str | None = None
    _folded: dict[str, dict[str, Any]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        """Fold the tables' keys once (desk values are matched without case)."""
        for name in ("statuses", "priorities", "metrics"):
            table: dict[str, Any] = getattr(self, name)
            self._folded[name] = {key.strip().casefold(): value for key, value in table.items()}
        self._folded["responded_on"] = {item.casefold(): True for item in self.responded_on}
        self._folded["desk_paused"] = {item.strip().casefold(): True
                                       for item in self.desk_paused}

    @model_validator(mode="after")
    def _consistent(self) -> DeskMapping:
        known = {key.casefold() for key in self.statuses}
        roles = {key.strip().casefold(): role for key, role in self.statuses.items()}
        for index, item in enumerate(self.responded_on):
            if item != PUBLIC_COMMENT and item.casefold() not in known:
                close = get_close_matches(item, [PUBLIC_COMMENT, *self.statuses], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ValueError(f"responded_on[{index}]: {item!r} is neither "
                                 f"{PUBLIC_COMMENT} nor a status of the mapping{hint}")
        for index, item in enumerate(self.desk_paused):
            role = roles.get(item.strip().casefold())
            if role is None:
                close = get_close_matches(item, list(self.statuses), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ValueError(f"desk_paused[{index}]: {item!r} is not a status of the "
                                 f"mapping{hint}")
            if role != "open":
                raise ValueError(f"desk_paused[{index}]: {item!r} has the role {role!r}; "
                                 f"only a status whose role is 'open' (the contract's "
                                 f"clock runs) can be one the desk alone pauses on")
        for index, rule in enumerate(self.policies[:-1]):
            if rule.organization is None and rule.tag is None and rule.group is None:
                raise ValueError(f"policies[{index}]: a rule without organization, tag "
                                 f"or group matches every ticket, so the rules after it "
                                 f"are never used; put it last")
        return self

    def _table(self, name: str) -> dict[str, Any]:
        """A folded table, read past pydantic's attribute hook (a lookup per desk record)."""
        private = cast("dict[str, dict[str, dict[str, Any]]]", self.__pydantic_private__)
        return private["_folded"][name]

    def role(self, status: str) -> Role | None:
        """The role of a desk status, None if the mapping lacks it.

        Boundary rule: matched without case or surrounding spaces. Example: the Zendesk
        default mapping's ``role(" Pending")`` -> ``"awaiting_customer"``.
        """
        return self._table("statuses").get(status.strip().casefold())

    def priority(self, value: str) -> str | None:
        """The policy priority of a desk priority, None if the mapping lacks it.

        Boundary rule: matched without case; an empty desk priority gives
        `default_priority` (None without one). Example: Zendesk's ``priority("")`` ->
        ``"P3"``, ``priority("URGENT")`` -> ``"P1"``.
        """
        if not value.strip():
            return self.default_priority
        return self._table("priorities").get(value.strip().casefold())

    def metric(self, name: str) -> Metric | None:
        """The slacalc metric (or ``ignore``) of a desk SLA name, None if unmapped.

        Boundary rule: matched without case. Example: Jira's ``metric("time to
        resolution")`` -> ``"resolution"``.
        """
        return self._table("metrics").get(name.strip().casefold())

    def responds(self, status: str) -> bool:
        """Whether the first change to ``status`` counts as the first response.

        Boundary rule: ``status`` is one named in ``responded_on`` (without case).
        Example: ServiceNow's ``responds("2")`` (In Progress) -> True.
        """
        return status.strip().casefold() in self._table("responded_on")

    def desk_pauses(self, status: str) -> bool:
        """Whether the desk holds its own clocks in ``status`` (``desk_paused``), which
        the contract's rules do not know (its role keeps the contract's clock running).

        Boundary rule: matched without case or surrounding spaces. Example: the Zendesk
        default mapping's ``desk_pauses("hold")`` -> True, ``desk_pauses("open")`` ->
        False.
        """
        return status.strip().casefold() in self._table("desk_paused")

    def rule(self, organization: str, tags: frozenset[str], group: str) -> PolicyRule | None:
        """The first rule of ``policies`` that matches, None if none does.

        Boundary rule: ``organization`` and ``group`` are compared casefolded, ``tags``
        must be given casefolded. Example: with the rules ``{tag: vip, ...}`` then
        ``{policy: cloudmark, ...}``, ``rule("", frozenset({"vip"}), "")`` is the first.
        """
        return next((rule for rule in self.policies
                     if rule.matches(organization.casefold(), tags, group.casefold())), None)



def unknown(kind: str, value: str, known: dict[str, Any]) -> str:
    """``status 'x' is not in the mapping (did you mean 'y'?)``."""
    close = get_close_matches(value, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{kind} {value!r} is not in the mapping{hint}"


def _child(node: Node | None, part: str | int) -> tuple[Node | None, Node | None]:
    """The value node (and the key node) at ``part`` below ``node``."""
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and str(key.value) == str(part):
                return value, key
    if isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part], None
    return None, None


def _problem(shown: str, root: Node, error: Any) -> PolicyError:
    loc: tuple[str | int, ...] = tuple(part for part in error["loc"] if part != "[key]")
    kind, message = error["type"], str(error["msg"]).removeprefix("Value error, ")
    inner = _INNER.match(message) if not loc else None
    if inner:  # a check across keys names its own place: "policies[0]: ..."
        loc, message = (inner[1], int(inner[2])), inner[3]
    node: Node | None = root
    key_node: Node | None = None
    used: list[str | int] = []
    for part in loc:
        found, key = _child(node, part)
        if found is None:
            break
        node, key_node = found, key
        used.append(part)
    dotted = ".".join(str(part) for part in loc)
    if kind == "extra_forbidden":
        allowed = list(PolicyRule.model_fields if "policies" in loc
                       else DeskMapping.model_fields)
        close = get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        message = f"unknown key {loc[-1]!r}{hint}; allowed: {', '.join(allowed)}"
        node = key_node or node
    elif kind == "missing":
        message = f"required key {loc[-1]!r} is missing"
    elif not inner and not isinstance(error["input"], dict | list):
        message = f"{message}, got {error['input']!r}"
    return located(shown, node.start_mark if node is not None else None, dotted, message)


def loads_mapping(text: str, path: str = "<string>") -> DeskMapping:
    """A mapping from YAML text; ``path`` names it in errors.

    Boundary rule: every mistake is collected and raised together in one `MappingError`
    (each ``path:line:col: key: message``); an unknown key names the nearest allowed one.
    Example: ``loads_mapping("desk: zendesk\\nstatuss: {}\\n", "m.yaml")`` raises
    ``m.yaml:2:1: statuss: unknown key 'statuss' (did you mean 'statuses'?); ...``.
    """
    loader = PolicyYamlLoader(text, path)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise MappingError(str(located(path, mark, "", f"not valid YAML: {error.problem}")),
                           path=path) from None
    finally:
        loader.dispose()
    if root is None or not isinstance(data, dict):
        raise MappingError(f"{path}:1:1: a mapping file is a YAML mapping (desk, statuses, "
                           f"priorities, policies, ...)", path=path, line=1, column=1)
    try:
        return DeskMapping.model_validate(_texts(data))
    except ValidationError as error:
        problems = tuple(sorted((_problem(path, root, item) for item in error.errors()),
                                key=lambda problem: (problem.line or 0, problem.column or 0)))
        first = problems[0]
        raise MappingError(str(first), path=path, line=first.line, column=first.column,
                           key=first.key, errors=problems) from None


def _texts(data: Any) -> Any:
    """Keys and scalar values of the statuses/priorities tables as text (YAML reads
    ``1: P1`` with an integer key; ServiceNow's codes are numbers)."""
    out = dict(data)
    for name in ("statuses", "priorities", "metrics"):
        table = out.get(name)
        if isinstance(table, dict):
            out[name] = {str(key): (str(value) if name == "priorities" and
                                    isinstance(value, int | float) else value)
                         for key, value in table.items()}
    for name in ("default_priority",):
        if isinstance(out.get(name), int):
            out[name] = str(out[name])
    return out


def load_mapping(path: str | Path) -> DeskMapping:
    """The mapping file at ``path`` (read as policies are: a regular file, at most 1 MiB).

    Boundary rule: as `loads_mapping`; a file that is not UTF-8 is a `MappingError`.
    Example: ``load_mapping("zendesk.yaml").role("pending")`` -> ``"awaiting_customer"``.
    """
    shown = str(path)
    data = read_policy_bytes(Path(path), shown)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MappingError(f"{shown}: not UTF-8 text (byte 0x{data[error.start]:02x})",
                           path=shown) from None
    return loads_mapping(text, shown)


@cache
def default_mapping(desk: str) -> DeskMapping:
    """The mapping shipped for ``desk`` (its stock statuses and priorities).

    Boundary rule: ``desk`` is one of `DESKS`, else `MappingError` with a did-you-mean.
    Example: ``default_mapping("zendesk").priority("urgent")`` -> ``"P1"``.
    """
    if desk not in DESKS:
        close = get_close_matches(desk, DESKS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise MappingError(f"no default mapping for desk {desk!r}{hint}; desks: "
                           f"{', '.join(DESKS)}")
    resource = files("slacalc.sources").joinpath("defaults").joinpath(f"{desk}.yaml")
    return loads_mapping(resource.read_text(encoding="utf-8"), f"{desk}.yaml")
