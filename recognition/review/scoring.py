"""The council's aggregate: the mean of submitted totals against the round's pass threshold."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from recognition.cases.models import Application, State
from recognition.extensions import db
from recognition.review.models import ReviewAssignment


def active_assignments(application: Application) -> list[ReviewAssignment]:
    """Assignments that count: members who have not declared a conflict on this dossier."""
    rows = db.session.scalars(
        db.select(ReviewAssignment)
        .where(ReviewAssignment.application_id == application.id)
        .order_by(ReviewAssignment.id)
    )
    return [a for a in rows if a.has_conflict is not True]


def mean_total(assignments: list[ReviewAssignment]) -> Decimal | None:
    """Mean of the submitted totals, to two decimals (None while nobody has submitted)."""
    totals = [a.total_score for a in assignments if a.submitted_at is not None and a.total_score is not None]
    if not totals:
        return None
    return (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rule_outcome(application: Application) -> State:
    """What the round's threshold gives for this dossier: recommended or not_recommended."""
    mean = mean_total(active_assignments(application))
    if mean is not None and mean >= application.round.pass_threshold:
        return State.recommended
    return State.not_recommended
