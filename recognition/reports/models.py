"""What the reports need beyond the dossiers: the city's own totals, which the secretariat enters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recognition.accounts.models import User
from recognition.clock import utcnow
from recognition.extensions import Model, SurrogateKey, db


class CityTotals(SurrogateKey, Model):
    """The city's industrial output and exports for a year (from the statistics office's figures), so
    the dashboard can show the recognised enterprises' share of them against the plan's targets."""

    __tablename__ = "city_totals"
    __table_args__ = (
        CheckConstraint("industrial_output_vnd >= 0 AND export_value_usd >= 0", name="non_negative"),
    )

    year: Mapped[int] = mapped_column(unique=True)
    industrial_output_vnd: Mapped[int] = mapped_column(BigInteger)
    export_value_usd: Mapped[int] = mapped_column(BigInteger)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    entered_by: Mapped[User | None] = relationship()
