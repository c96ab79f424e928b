"""Deprecated alias of `slacalc.policy.lint` (the function moved into the policy layer).

``from slacalc.lint import lint`` keeps working and warns; import it from
`slacalc.policy` instead. This alias is removed in slacalc 0.3.
"""

from __future__ import annotations

import warnings

from .policy import Finding, lint

__all__ = ["Finding", "lint"]

warnings.warn("slacalc.lint is deprecated: import lint and Finding from slacalc.policy",
              DeprecationWarning, stacklevel=2)
