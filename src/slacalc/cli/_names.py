"""Names given on the command line: a policy (bundled or a file), a tier, a priority.

Tiers are matched in any case, priorities as keys or aliases in any case; a name that
matches nothing is a `UsageError` (exit status 2) with a did-you-mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import get_close_matches
from pathlib import Path

from ..errors import UnknownPriorityError
from ..policy.loader import bundled_policy, bundled_policy_names, load_policy
from ..policy.model import Policy

__all__ = ["UsageError", "hint", "policy_named", "priority_named", "tier_named"]


class UsageError(Exception):
    """A command-line mistake: printed as one line, exit status 2."""


def hint(name: str, known: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for a near miss among ``known`` (any case), else ``""``."""
    folded = {option.casefold(): option for option in known}
    close = get_close_matches(name.casefold(), list(folded), n=1)
    return f" (did you mean {folded[close[0]]!r}?)" if close else ""


def policy_named(name: str) -> Policy:
    """A bundled policy or a policy file; `UsageError` for a name that is neither."""
    if name.endswith((".yaml", ".yml")) or "/" in name:
        if not Path(name).is_file():
            raise UsageError(f"no policy file {name}")
        return load_policy(name)
    names = bundled_policy_names()
    if name not in names:
        raise UsageError(f"no bundled policy {name!r}{hint(name, names)}; bundled: "
                         f"{', '.join(names)} (or a path to a policy YAML)")
    return bundled_policy(name)


def tier_named(policy: Policy, name: str) -> str:
    """The tier ``name`` names, in any case; `UsageError` with a did-you-mean if none."""
    if name in policy.tiers:
        return name
    for tier in policy.tiers:
        if tier.casefold() == name.strip().casefold():
            return tier
    raise UsageError(f"policy {policy.name!r} has no tier {name!r}"
                     f"{hint(name, list(policy.tiers))}; tiers: {', '.join(policy.tiers)}")


def priority_named(policy: Policy, name: str) -> str:
    """The priority key ``name`` names (a key or an alias, any case); `UsageError` with a
    did-you-mean if none."""
    try:
        return policy.priority_key(name)
    except UnknownPriorityError as error:
        names = [*policy.priorities, *(alias for priority in policy.priorities.values()
                                       for alias in priority.aliases)]
        head, _, rest = str(error).partition("; ")
        raise UsageError(f"{head}{hint(name, names)}; {rest}") from None
