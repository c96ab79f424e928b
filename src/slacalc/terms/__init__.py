"""Terms beyond the clocks: availability and service credits, billing and support packs,
coverage.

Layer 4 (above the engine and rendering).
"""

from __future__ import annotations

from .availability import AvailabilityReport
from .billing import Classification, Incident, PackStatement, SupportPack

__all__ = ["AvailabilityReport", "Classification", "Incident", "PackStatement", "SupportPack"]
