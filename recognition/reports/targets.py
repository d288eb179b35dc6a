"""The plan's economic targets for the recognised enterprises, in one place.

Plan 60/KH-UBND (2021) sets them for the key industrial products programme: the recognised
enterprises' production value +10-12% on the year before, 35-40% of the city's industrial output and
15% of its exports. They are constants, not round settings, because the plan sets them for the whole
programme rather than for one yearly call; the product and enterprise counts, which each round
decides, are the round's own columns (Round.target_products_min and the others).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Band:
    """A target range; `maximum` None means "at least `minimum`"."""

    minimum: Decimal | int | None
    maximum: Decimal | int | None = None

    def status(self, value: Decimal | int | float | None) -> str | None:
        """'below', 'within' or 'above' the band (None: no value, or no band)."""
        if value is None or (self.minimum is None and self.maximum is None):
            return None
        if self.minimum is not None and value < self.minimum:
            return "below"
        if self.maximum is not None and value > self.maximum:
            return "above"
        return "within"


@dataclass(frozen=True)
class Progress:
    """A figure against its target band, as a dashboard shows it (None: not known yet)."""

    value: Decimal | int | None
    band: Band

    @property
    def status(self) -> str | None:
        return self.band.status(self.value)


PLAN_REFERENCE = _l("Plan 60/KH-UBND (2021)")
PRODUCTION_GROWTH_PERCENT = Band(Decimal(10), Decimal(12))
INDUSTRIAL_OUTPUT_SHARE_PERCENT = Band(Decimal(35), Decimal(40))
EXPORT_SHARE_PERCENT = Band(Decimal(15))
# Every recognised enterprise receives the city's support (recognition/reports/support.py counts it).
SUPPORTED_ENTERPRISES_PERCENT = Band(Decimal(100))
