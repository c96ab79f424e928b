"""Deprecated alias of `slacalc.render.timeline_svg` (the picture moved into the render
layer).

``from slacalc.picture import timeline_svg`` keeps working and warns; import it from
`slacalc.render` instead. This alias is removed in slacalc 0.3.
"""

from __future__ import annotations

import warnings

from .render import timeline_svg

__all__ = ["timeline_svg"]

warnings.warn("slacalc.picture is deprecated: import timeline_svg from slacalc.render",
              DeprecationWarning, stacklevel=2)
