"""Council review: criteria per round, the council, who reviews which dossier, and their scores."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recognition.accounts.models import User
from recognition.clock import utcnow
from recognition.extensions import Model, SurrogateKey, db
from recognition.i18n import Bilingual
from recognition.lifecycle import Lifecycle, Move


def format_points(value: Decimal) -> str:
    return format(value.normalize(), "f")


class RoundSetting:
    """Part of a round's settings (its criteria groups, criteria and council): `round_id`, the second
    column after `id`; the row goes with its round (ON DELETE CASCADE) and is found by it (indexed)."""

    # After `id` (-2), before the model's own columns (0).
    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), index=True, sort_order=-1
    )


class CriterionGroup(Bilingual, RoundSetting, SurrogateKey, Model):
    """A group of criteria (e.g. economic value and scale), with an optional minimum on its mean."""

    __tablename__ = "criterion_groups"
    __table_args__ = (UniqueConstraint("round_id", "code", name="uq_criterion_groups_code"),)

    code: Mapped[str] = mapped_column(String(20))
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(default=0)
    min_points: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="group", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    @property
    def max_points(self) -> Decimal:
        return sum((c.max_points for c in self.criteria), Decimal(0))


class Criterion(Bilingual, RoundSetting, SurrogateKey, Model):
    """One scored criterion: maximum points and guidance for the council."""

    __tablename__ = "criteria"
    __table_args__ = (
        UniqueConstraint("round_id", "code", name="uq_criteria_code"),
        CheckConstraint("max_points > 0", name="max_positive"),
    )

    group_id: Mapped[int] = mapped_column(ForeignKey("criterion_groups.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    max_points: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    guidance_vi: Mapped[str] = mapped_column(Text, default="")
    guidance_en: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    group: Mapped[CriterionGroup] = relationship(back_populates="criteria")

    @property
    def max_points_text(self) -> str:
        """10, 7.5: the maximum as people write it (no trailing zeros, no exponent)."""
        return format_points(self.max_points)

    def guidance_for(self, locale: str) -> str:
        return self.text_for("guidance", locale)


class CouncilMember(RoundSetting, SurrogateKey, Model):
    """A member of a round's selection council (Hội đồng xét chọn)."""

    __tablename__ = "council_members"
    __table_args__ = (UniqueConstraint("round_id", "user_id", name="uq_council_members_pair"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(255), default="")

    user: Mapped[User] = relationship()


class CriterionAssignment(Model):
    """A criterion a particular member scores (QĐ 2023/QĐ-UBND assigns criteria to members)."""

    __tablename__ = "criterion_assignments"

    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class AssignmentStage(enum.StrEnum):
    """Where a member's assignment stands, read from its declaration and its submission."""

    undeclared = "undeclared"
    declared = "declared"  # no conflict: the member scores
    conflicted = "conflicted"  # final: the member no longer reviews this dossier
    submitted = "submitted"  # final: the sheet counts


# What a member (or the secretariat) may do with an assignment at each stage. A declaration is
# revisable until the sheet is submitted; unseating a member withdraws only what is still open.
ASSIGNMENT_LIFECYCLE: Lifecycle[AssignmentStage] = Lifecycle({
    "declare": Move((AssignmentStage.undeclared, AssignmentStage.declared)),
    "score": Move((AssignmentStage.declared,)),
    "submit": Move((AssignmentStage.declared,), AssignmentStage.submitted),
    "read": Move((AssignmentStage.declared, AssignmentStage.submitted)),
    "unassign": Move((AssignmentStage.undeclared, AssignmentStage.declared)),
})  # fmt: skip


class ReviewAssignment(SurrogateKey, Model):
    """A council member assigned to score one application."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        UniqueConstraint("application_id", "reviewer_id", name="uq_review_assignments_pair"),
        # A conflict, and only a conflict, carries its reason (review.services.declare).
        CheckConstraint(
            "(has_conflict IS TRUE) = (conflict_reason IS NOT NULL AND conflict_reason <> '')",
            name="conflict_has_reason",
        ),
        # Only a member who declared no conflict scores; their total is set exactly when they submit.
        CheckConstraint("submitted_at IS NULL OR has_conflict IS FALSE", name="submitted_without_conflict"),
        CheckConstraint("(submitted_at IS NULL) = (total_score IS NULL)", name="total_when_submitted"),
    )

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    # None until declared; True removes the member from this dossier.
    has_conflict: Mapped[bool | None]
    conflict_reason: Mapped[str | None] = mapped_column(String(1000))
    declared_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    # The member's own total (sum of their scores), set when they submit.
    total_score: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    submitted_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))

    reviewer: Mapped[User] = relationship()
    scores: Mapped[list[Score]] = relationship(back_populates="assignment", cascade="all, delete-orphan")

    @property
    def stage(self) -> AssignmentStage:
        if self.submitted_at is not None:
            return AssignmentStage.submitted
        if self.has_conflict is None:
            return AssignmentStage.undeclared
        return AssignmentStage.conflicted if self.has_conflict else AssignmentStage.declared

    @hybrid_property
    def reviews(self) -> bool:
        """Still on the dossier: not removed by a declared conflict (in Python and in SQL)."""
        return self.has_conflict is not True

    @reviews.inplace.expression
    @classmethod
    def _reviews_expression(cls) -> ColumnElement[bool]:
        return cls.has_conflict.is_not(True)


class Score(SurrogateKey, Model):
    """Points one member gives one criterion of one dossier, with a comment; a draft until submitted."""

    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("assignment_id", "criterion_id", name="uq_scores_pair"),
        CheckConstraint("points >= 0", name="points_non_negative"),
    )

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("review_assignments.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), index=True)
    points: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    comment: Mapped[str] = mapped_column(Text, default="")

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class SelfAssessment(SurrogateKey, Model):
    """The enterprise's own score and justification for a criterion, part of its nomination."""

    __tablename__ = "self_assessments"
    __table_args__ = (
        UniqueConstraint("application_id", "criterion_id", name="uq_self_assessments_pair"),
        CheckConstraint("points >= 0", name="points_non_negative"),
    )

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), index=True)
    points: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    justification: Mapped[str] = mapped_column(Text, default="")
