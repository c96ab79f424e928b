"""Policies: the validated YAML model, its loader with located errors, cross-reference
checks and lint.

Layer 5 (above the SLA kernel and the terms). `Policy.evaluate` and `Policy.deadlines`
compile the policy into plans and hand them to the kernel in `slacalc.sla`.
"""

from __future__ import annotations

from ._lint import Finding, lint
from .loader import bundled_policy, bundled_policy_names, load_policies, load_policy, loads_policy
from .model import Policy, policy_json_schema

__all__ = [
    "Finding",
    "Policy",
    "bundled_policy",
    "bundled_policy_names",
    "lint",
    "load_policies",
    "load_policy",
    "loads_policy",
    "policy_json_schema",
]
