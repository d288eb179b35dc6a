"""Council review: which member reviews which dossier, their conflict declaration and their score."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recognition.accounts.models import User
from recognition.clock import utcnow
from recognition.extensions import db


class ReviewAssignment(db.Model):
    """A council member assigned to score one application."""

    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id", name="uq_review_assignments_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    # None until declared; True removes the member from this dossier.
    has_conflict: Mapped[bool | None]
    conflict_reason: Mapped[str | None] = mapped_column(String(1000))
    total_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    submitted_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))

    reviewer: Mapped[User] = relationship()
