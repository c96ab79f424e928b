"""Rendering: text and HTML tables and the SVG timeline picture.

Layer 2 (above the engine). Renderers read the objects they draw through small
protocols of their own, so the models of the layers above call down into rendering and
never the other way round.
"""

from __future__ import annotations

from .picture import timeline_svg

__all__ = ["timeline_svg"]
