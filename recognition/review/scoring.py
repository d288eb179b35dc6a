"""The council's aggregate, from submitted scores only.

A dossier's total is the sum over criteria of each criterion's mean across the members who scored
it. When every member scores every criterion this equals the mean of the members' totals; when
criteria are assigned to particular members (QĐ 2023/QĐ-UBND), it is the sum of per-criterion means.
A criterion nobody has scored is never counted as 0: while one is left, the dossier has no total and
its review is not complete. A round without criteria (or a dossier scored by totals only) falls back
to the mean of totals.

The spread, so outliers can be discussed: per criterion, the difference between the highest and the
lowest points the members who scored it gave (members who score different criteria have totals that
cannot be compared). A dossier is flagged when any criterion's spread exceeds the round's
`spread_flag_points` scaled to that criterion's share of the rubric: the default 15 of 100 points
flags a 10-point criterion whose points differ by more than 1.5. When every member scored the same
criteria, their totals are comparable too: the spread of the totals is shown and flagged above
`spread_flag_points` itself, as before.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recognition.accounts.models import User
from recognition.cases.models import BOARD_STATES, PUBLISHED_STATES, Application, State
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


def criterion_scorers(round_id: int) -> dict[int, set[int]]:
    """Who scores which criterion: {criterion id: member ids}; empty when every member scores every one."""
    rows = db.session.execute(
        select(CriterionAssignment.criterion_id, CriterionAssignment.user_id)
        .join(Criterion, Criterion.id == CriterionAssignment.criterion_id)
        .where(Criterion.round_id == round_id)
    ).all()
    scorers: dict[int, set[int]] = defaultdict(set)
    for criterion_id, user_id in rows:
        scorers[criterion_id].add(user_id)
    return dict(scorers)


def criteria_without_scorer(application: Application) -> list[Criterion]:
    """Criteria of the round that none of the dossier's active reviewers is assigned to score.

    Empty when the round assigns no criteria (every member scores every criterion)."""
    scorers = criterion_scorers(application.round_id)
    if not scorers:
        return []
    reviewers = {a.reviewer_id for a in active_assignments(application)}
    return [c for c in criteria_of(application.round_id) if not scorers.get(c.id, set()) & reviewers]


def criteria_label(criteria: list[Criterion]) -> LazyString:
    """Criteria as a message names them, in the reader's language: "A1. Growth, B2. Market share"."""
    return LazyString(
        lambda: ", ".join(f"{c.code}. {c.name_for(str(get_locale() or 'vi'))}" for c in criteria)
    )


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


def members_with_submitted_sheets(round_: Round) -> list[User]:
    """The members of the round who have submitted at least one score sheet."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.id.in_(
                    select(ReviewAssignment.reviewer_id)
                    .join(Application, Application.id == ReviewAssignment.application_id)
                    .where(Application.round_id == round_.id, ReviewAssignment.submitted_at.is_not(None))
                )
            )
            .order_by(User.full_name)
        )
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
    # Criteria of the round no submitted score sheet covers: while any is left there is no total.
    unscored: list[Criterion] = field(default_factory=list)
    # Max - min of each criterion's points among the members who scored it (two or more).
    criterion_spreads: dict[Criterion, Decimal] = field(default_factory=dict)
    flagged_criteria: list[Criterion] = field(default_factory=list)
    rank: int | None = None
    top: bool = False

    @property
    def missing(self) -> list[User]:
        return [a.reviewer for a in self.assignments if a.submitted_at is None]

    @property
    def complete(self) -> bool:
        return bool(self.assignments) and not self.missing and not self.unscored

    @property
    def widest_criterion(self) -> tuple[Criterion, Decimal] | None:
        """The criterion the members disagree on most, with its spread (for the board)."""
        if not self.criterion_spreads:
            return None
        return max(self.criterion_spreads.items(), key=lambda item: item[1])

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
    criteria = [c for g in groups for c in g.criteria]
    result = DossierResult(application=application, assignments=assignments)
    submitted = [a for a in assignments if a.submitted_at is not None]
    per_criterion: dict[int, list[Decimal]] = defaultdict(list)
    for assignment in submitted:
        for score in assignment.scores:
            per_criterion[score.criterion_id].append(score.points)
    if per_criterion:
        # Sum the exact means and round once, so the total equals the mean of totals to the cent.
        exact = {cid: sum(p, Decimal(0)) / len(p) for cid, p in per_criterion.items()}
        result.criterion_means = {cid: _round(mean) for cid, mean in exact.items()}
        result.unscored = [c for c in criteria if c.id not in exact]
        if not result.unscored:
            result.total = _round(sum(exact.values(), Decimal(0)))
        for group in groups:
            if any(c.id not in exact for c in group.criteria):
                continue  # a group with an unscored criterion has no total either
            group_total = sum((exact[c.id] for c in group.criteria), Decimal(0))
            result.group_totals[group.id] = _round(group_total)
            if group.min_points is not None and group_total < group.min_points:
                result.failing_groups.append(group)
        _flag_criteria(result, per_criterion, criteria, spread_flag_points)
    elif submitted:
        totals = [a.total_score for a in submitted if a.total_score is not None]
        result.total = _round(sum(totals, Decimal(0)) / len(totals)) if totals else None
    scored_sets = {frozenset(s.criterion_id for s in a.scores) for a in submitted}
    totals = [a.total_score for a in submitted if a.total_score is not None]
    if len(totals) >= 2 and len(scored_sets) == 1:
        # Totals compare only when every member scored the same criteria (or the totals alone).
        result.spread = max(totals) - min(totals)
        result.flagged = result.spread > spread_flag_points
    result.flagged = result.flagged or bool(result.flagged_criteria)
    return result


def _flag_criteria(
    result: DossierResult,
    per_criterion: dict[int, list[Decimal]],
    criteria: list[Criterion],
    spread_flag_points: int,
) -> None:
    """Each criterion's spread, flagged above the round's setting scaled to the criterion's maximum."""
    rubric_max = sum((c.max_points for c in criteria), Decimal(0))
    for criterion in criteria:
        points = per_criterion.get(criterion.id, [])
        if len(points) < 2:
            continue
        spread = max(points) - min(points)
        result.criterion_spreads[criterion] = spread
        if rubric_max and spread > Decimal(spread_flag_points) * criterion.max_points / rubric_max:
            result.flagged_criteria.append(criterion)


def load_assignments(application_ids: list[int]) -> dict[int, list[ReviewAssignment]]:
    rows = db.session.scalars(
        select(ReviewAssignment)
        .where(ReviewAssignment.application_id.in_(application_ids or [-1]))
        .where(ReviewAssignment.reviews)
        .options(selectinload(ReviewAssignment.scores), selectinload(ReviewAssignment.reviewer))
        .order_by(ReviewAssignment.id)
    )
    by_application: dict[int, list[ReviewAssignment]] = defaultdict(list)
    for assignment in rows:
        by_application[assignment.application_id].append(assignment)
    return by_application


def dossier_result(application: Application) -> DossierResult:
    groups = groups_of(application.round_id)
    assignments = load_assignments([application.id]).get(application.id, [])
    return evaluate(application, assignments, groups, application.round.spread_flag_points)


def active_assignments(application: Application) -> list[ReviewAssignment]:
    """Assignments that count: members who have not declared a conflict on this dossier."""
    return load_assignments([application.id]).get(application.id, [])


def rule_outcome(application: Application) -> State:
    """What the round's threshold and group minimums give for this dossier."""
    return dossier_result(application).outcome(application.round)


SPREAD_RULE = _l(
    "Spread: for each criterion, the highest minus the lowest points of the members who scored it; a "
    "dossier is marked for discussion when a criterion's spread is above the round's flag scaled to that "
    "criterion's maximum, or, when every member scored every criterion, when their totals differ by more "
    "than the flag. The column shows the totals' spread, then the criteria marked (or the widest one)."
)

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
    assignments = load_assignments([a.id for a in applications])
    results = [
        evaluate(a, assignments.get(a.id, []), groups, round_.spread_flag_points) for a in applications
    ]
    first_group = groups[0].id if groups else None

    def key(result: DossierResult) -> tuple[Decimal, Decimal, datetime | None, int]:
        return (
            -(result.total if result.total is not None else Decimal(-1)),
            -(result.group_totals.get(first_group, Decimal(0)) if first_group else Decimal(0)),
            result.application.submitted_at,
            result.application.id,
        )

    results.sort(key=key)
    top_left = round_.top_n
    for position, result in enumerate(results, start=1):
        if result.total is not None:
            result.rank = position
            # Top N goes to the first N recommended dossiers: one not recommended takes no place.
            result.top = top_left > 0 and _recommended(result, round_)
            top_left -= result.top
    return results


def _recommended(result: DossierResult, round_: Round) -> bool:
    """Recommended by the council's conclusion, or (still under review) by the rules on complete scores."""
    state = result.application.state
    if state == State.under_review:
        return result.complete and result.outcome(round_) == State.recommended
    return state in PUBLISHED_STATES
