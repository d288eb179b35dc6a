"""The council's aggregate, from submitted scores only.

A dossier's total is the sum over criteria of each criterion's mean across the members who scored
it. When every member scores every criterion this equals the mean of the members' totals; when
criteria are assigned to particular members (QĐ 2023/QĐ-UBND), it is the sum of per-criterion means.
A round without criteria (or a dossier scored by totals only) falls back to the mean of totals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recognition.accounts.models import User
from recognition.cases.models import Application, State
from recognition.extensions import db
from recognition.review.models import Criterion, CriterionAssignment, CriterionGroup, ReviewAssignment
from recognition.rounds.models import Round

CENT = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def criteria_of(round_id: int) -> list[Criterion]:
    return list(
        db.session.scalars(
            select(Criterion)
            .join(Criterion.group)
            .where(Criterion.round_id == round_id)
            .order_by(CriterionGroup.position, Criterion.position)
        )
    )


def groups_of(round_id: int) -> list[CriterionGroup]:
    return list(
        db.session.scalars(
            select(CriterionGroup)
            .where(CriterionGroup.round_id == round_id)
            .options(selectinload(CriterionGroup.criteria))
            .order_by(CriterionGroup.position)
        )
    )


def criteria_for_member(round_id: int, user_id: int) -> list[Criterion]:
    """The criteria a member scores: those assigned to them, or all when the round assigns none."""
    criteria = criteria_of(round_id)
    assigned = db.session.execute(
        select(CriterionAssignment.criterion_id, CriterionAssignment.user_id).where(
            CriterionAssignment.criterion_id.in_([c.id for c in criteria] or [-1])
        )
    ).all()
    if not assigned:
        return criteria
    mine = {criterion_id for criterion_id, member_id in assigned if member_id == user_id}
    return [c for c in criteria if c.id in mine]


def criteria_frozen(round_id: int) -> bool:
    """Criteria freeze once any member of the round has submitted a score."""
    return (
        db.session.scalar(
            select(ReviewAssignment.id)
            .join(Application, Application.id == ReviewAssignment.application_id)
            .where(Application.round_id == round_id, ReviewAssignment.submitted_at.is_not(None))
            .limit(1)
        )
        is not None
    )


@dataclass
class DossierResult:
    application: Application
    assignments: list[ReviewAssignment]
    criterion_means: dict[int, Decimal] = field(default_factory=dict)
    group_totals: dict[int, Decimal] = field(default_factory=dict)
    total: Decimal | None = None
    spread: Decimal | None = None
    flagged: bool = False
    failing_groups: list[CriterionGroup] = field(default_factory=list)
    rank: int | None = None
    top: bool = False

    @property
    def missing(self) -> list[User]:
        return [a.reviewer for a in self.assignments if a.submitted_at is None]

    @property
    def complete(self) -> bool:
        return bool(self.assignments) and not self.missing

    def outcome(self, round_: Round) -> State:
        if self.total is not None and self.total >= round_.pass_threshold and not self.failing_groups:
            return State.recommended
        return State.not_recommended


def evaluate(
    application: Application,
    assignments: list[ReviewAssignment],
    groups: list[CriterionGroup],
    spread_flag_points: int,
) -> DossierResult:
    """The aggregate of one dossier from its active assignments (already loaded with their scores)."""
    result = DossierResult(application=application, assignments=assignments)
    submitted = [a for a in assignments if a.submitted_at is not None]
    per_criterion: dict[int, list[Decimal]] = defaultdict(list)
    for assignment in submitted:
        for score in assignment.scores:
            per_criterion[score.criterion_id].append(score.points)
    if per_criterion:
        # Sum the exact means and round once, so the total equals the mean of totals to the cent.
        exact = {cid: sum(p) / len(p) for cid, p in per_criterion.items()}
        result.criterion_means = {cid: _round(mean) for cid, mean in exact.items()}
        result.total = _round(sum(exact.values(), Decimal(0)))
        for group in groups:
            group_total = sum((exact.get(c.id, Decimal(0)) for c in group.criteria), Decimal(0))
            result.group_totals[group.id] = _round(group_total)
            if group.min_points is not None and group_total < group.min_points:
                result.failing_groups.append(group)
    elif submitted:
        totals = [a.total_score for a in submitted if a.total_score is not None]
        result.total = _round(sum(totals, Decimal(0)) / len(totals)) if totals else None
    totals = [a.total_score for a in submitted if a.total_score is not None]
    if len(totals) >= 2:
        result.spread = max(totals) - min(totals)
        result.flagged = result.spread > spread_flag_points
    return result


def _load_assignments(application_ids: list[int]) -> dict[int, list[ReviewAssignment]]:
    rows = db.session.scalars(
        select(ReviewAssignment)
        .where(ReviewAssignment.application_id.in_(application_ids or [-1]))
        .where(ReviewAssignment.has_conflict.is_not(True))
        .options(selectinload(ReviewAssignment.scores), selectinload(ReviewAssignment.reviewer))
        .order_by(ReviewAssignment.id)
    )
    by_application: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for assignment in rows:
        by_application[assignment.application_id].append(assignment)
    return by_application


def dossier_result(application: Application) -> DossierResult:
    groups = groups_of(application.round_id)
    assignments = _load_assignments([application.id]).get(application.id, [])
    return evaluate(application, assignments, groups, application.round.spread_flag_points)


def active_assignments(application: Application) -> list[ReviewAssignment]:
    """Assignments that count: members who have not declared a conflict on this dossier."""
    return _load_assignments([application.id]).get(application.id, [])


def rule_outcome(application: Application) -> State:
    """What the round's threshold and group minimums give for this dossier."""
    return dossier_result(application).outcome(application.round)


BOARD_STATES = (State.under_review, State.recommended, State.not_recommended, State.recognised)

TIE_BREAK_RULE = _l(
    "Equal totals are ranked by the higher total of the first criteria group, then by the earlier submission."
)


def board(round_: Round) -> list[DossierResult]:
    """Every reviewed dossier of the round with its aggregate, ranked; the Top N marked."""
    applications = list(
        db.session.scalars(
            select(Application)
            .where(Application.round_id == round_.id, Application.state.in_(BOARD_STATES))
            .options(selectinload(Application.enterprise), selectinload(Application.product))
        )
    )
    groups = groups_of(round_.id)
    assignments = _load_assignments([a.id for a in applications])
    results = [
        evaluate(a, assignments.get(a.id, []), groups, round_.spread_flag_points) for a in applications
    ]
    first_group = groups[0].id if groups else None

    def key(result: DossierResult):
        return (
            -(result.total if result.total is not None else Decimal(-1)),
            -(result.group_totals.get(first_group, Decimal(0)) if first_group else Decimal(0)),
            result.application.submitted_at,
            result.application.id,
        )

    results.sort(key=key)
    for position, result in enumerate(results, start=1):
        if result.total is not None:
            result.rank = position
            result.top = position <= round_.top_n and result.outcome(round_) == State.recommended
    return results
