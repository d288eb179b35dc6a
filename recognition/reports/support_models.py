"""Support a recognised enterprise received from the city's policies (Plan 60/KH-UBND: "100% of
recognised enterprises receive support"), logged by the secretariat so the target can be shown."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recognition.accounts.models import Enterprise, User
from recognition.clock import utcnow
from recognition.extensions import Model, SurrogateKey, db, enum_check
from recognition.labels import LabelledEnum


class SupportKind(LabelledEnum):
    """What an act of support was: the support form offers these kinds, each record of the log keeps
    one, and the coverage lists and the enterprise's page show it beside the date and programme."""

    trade_promotion = "trade_promotion", _l("Trade fairs and promotion")
    technology = "technology", _l("Technology")
    training = "training", _l("Training")
    branding = "branding", _l("Branding")
    land_procedures = "land_procedures", _l("Land and procedures")
    finance = "finance", _l("Finance")
    standards = "standards", _l("Reaching international standards")
    supply_chain = "supply_chain", _l("Linking with multinational supply chains")


class SupportRecord(SurrogateKey, Model):
    """One act of support an enterprise received: kind, day, the programme it came from, the amount
    when there is one."""

    __tablename__ = "support_records"
    __table_args__ = (
        CheckConstraint("amount_vnd IS NULL OR amount_vnd >= 0", name="amount_non_negative"),
        enum_check("kind", SupportKind),
    )

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[SupportKind] = mapped_column(db.Enum(SupportKind, native_enum=False, length=20))
    date: Mapped[dt.date] = mapped_column(index=True)
    programme: Mapped[str] = mapped_column(String(255))
    amount_vnd: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
    recorded_by: Mapped[User] = relationship()
