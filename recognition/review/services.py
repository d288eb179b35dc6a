"""The council's operations: name members, assign reviewers (by hand or evenly), declare conflicts,
score, and the secretariat's conclusions. Services flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from recognition.accounts.models import Role, User
from recognition.cases.audit import record_event
from recognition.cases.errors import OperationRefused
from recognition.cases.models import ASSIGNABLE_STATES, Application, Notification, State
from recognition.cases.permissions import acts_as_applicant
from recognition.cases.services import StepOutcome, advance_each
from recognition.clock import utcnow
from recognition.extensions import db
from recognition.paging import PER_PAGE
from recognition.review.models import (
    ASSIGNMENT_LIFECYCLE,
    AssignmentStage,
    CouncilMember,
    ReviewAssignment,
    Score,
)
from recognition.review.scoring import criteria_for_member, criteria_frozen, criterion_scorers
from recognition.rounds.models import Round


class ReviewError(OperationRefused):
    """A council operation refused."""


def council_of(round_: Round) -> list[CouncilMember]:
    return list(
        db.session.scalars(
            select(CouncilMember).where(CouncilMember.round_id == round_.id).order_by(CouncilMember.id)
        )
    )


class AssignmentBoard(NamedTuple):
    """A page of the round's assignments page: the dossiers the council may be assigned to, the
    reviewers of each (by application id), and the council to choose from."""

    applications: Pagination
    by_application: dict[int, list[ReviewAssignment]]
    members: list[CouncilMember]


def assignment_board(round_: Round, page: int) -> AssignmentBoard:
    """Page `page` of the dossiers (50 a page): the same queries whatever the number of dossiers."""
    applications = db.paginate(
        select(Application)
        .where(Application.round_id == round_.id, Application.state.in_(ASSIGNABLE_STATES))
        .options(selectinload(Application.enterprise), selectinload(Application.product))
        .order_by(Application.id),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    rows = db.session.scalars(
        select(ReviewAssignment)
        .where(ReviewAssignment.application_id.in_([a.id for a in applications.items] or [-1]))
        .options(selectinload(ReviewAssignment.reviewer))
        .order_by(ReviewAssignment.id)
    ).all()
    by_application: dict[int, list[ReviewAssignment]] = {}
    for row in rows:
        by_application.setdefault(row.application_id, []).append(row)
    members = list(
        db.session.scalars(
            select(CouncilMember)
            .where(CouncilMember.round_id == round_.id)
            .options(selectinload(CouncilMember.user))
            .order_by(CouncilMember.id)
        )
    )
    return AssignmentBoard(applications, by_application, members)


def add_council_member(round_: Round, user: User, title: str = "") -> CouncilMember:
    if not user.has_role(Role.council_member):
        raise ReviewError(_l("Only accounts with the council member role can sit on the council."))
    existing = db.session.scalar(
        select(CouncilMember).where(CouncilMember.round_id == round_.id, CouncilMember.user_id == user.id)
    )
    if existing:
        return existing
    member = CouncilMember(round_id=round_.id, user_id=user.id, title=title.strip())
    db.session.add(member)
    db.session.flush()
    return member


def _can_review(user: User, application: Application) -> bool:
    """A member may review a dossier unless they belong to its enterprise or declared a conflict on it."""
    if acts_as_applicant(user, application):
        return False
    declared = db.session.scalar(
        select(ReviewAssignment.has_conflict).where(
            ReviewAssignment.application_id == application.id, ReviewAssignment.reviewer_id == user.id
        )
    )
    return declared is not True


def assign_reviewer(application: Application, user: User, actor: User | None = None) -> ReviewAssignment:
    """Assign a council member to a dossier (audited in the dossier's chain); `actor` assigns."""
    if application.state not in ASSIGNABLE_STATES:
        raise ReviewError(_l("Reviewers can be assigned only to endorsed dossiers or dossiers under review."))
    member = db.session.scalar(
        select(CouncilMember).where(
            CouncilMember.round_id == application.round_id, CouncilMember.user_id == user.id
        )
    )
    if member is None:
        raise ReviewError(_l("This person is not on the round's council."))
    if not _can_review(user, application):
        raise ReviewError(_l("This member has a conflict of interest with the dossier."))
    existing = db.session.scalar(
        select(ReviewAssignment).where(
            ReviewAssignment.application_id == application.id, ReviewAssignment.reviewer_id == user.id
        )
    )
    if existing:
        return existing
    assignment = ReviewAssignment(application_id=application.id, reviewer_id=user.id, assigned_at=utcnow())
    db.session.add(assignment)
    record_event(application, actor, Role.secretariat.value, "assign_reviewer", {"reviewer_id": user.id})
    db.session.flush()
    return assignment


@dataclass
class EvenAssignment:
    """What "assign evenly" did: assignments made, and the dossiers still short of reviewers because
    no eligible member (on the council, not conflicted, not already on the dossier) is left."""

    made: int
    short: list[Application]


def assign_evenly(round_: Round, actor: User | None = None) -> EvenAssignment:
    """Fill every endorsed dossier, and every dossier under review that a declared conflict left
    short, up to the round's reviewers per dossier, always giving the next assignment to the
    least-loaded eligible member (never a conflicted one). When the round assigns criteria to
    members, a member who scores a criterion the dossier's reviewers leave uncovered comes first."""
    members = [m.user for m in council_of(round_)]
    if not members:
        raise ReviewError(_l("Name the council's members first."))
    loads = dict(
        db.session.execute(
            select(ReviewAssignment.reviewer_id, func.count())
            .join(Application, Application.id == ReviewAssignment.application_id)
            .where(Application.round_id == round_.id, ReviewAssignment.reviews)
            .group_by(ReviewAssignment.reviewer_id)
        ).all()
    )
    scorers = criterion_scorers(round_.id)
    made, short = 0, []
    applications = db.session.scalars(
        select(Application)
        .where(Application.round_id == round_.id, Application.state.in_(ASSIGNABLE_STATES))
        .order_by(Application.id)
    ).all()
    for application in applications:
        current = {
            a.reviewer_id: a.has_conflict
            for a in db.session.scalars(
                select(ReviewAssignment).where(ReviewAssignment.application_id == application.id)
            )
        }
        active = {reviewer_id for reviewer_id, conflict in current.items() if conflict is not True}
        candidates = [m for m in members if m.id not in current and _can_review(m, application)]
        for _ in range(max(round_.reviewers_per_dossier - len(active), 0)):
            if not candidates:
                short.append(application)
                break
            uncovered = {cid for cid, users in scorers.items() if not users & active}
            member = min(
                candidates,
                key=lambda m: (not any(m.id in scorers[cid] for cid in uncovered), loads.get(m.id, 0), m.id),
            )
            candidates.remove(member)
            db.session.add(ReviewAssignment(application_id=application.id, reviewer_id=member.id))
            record_event(
                application, actor, Role.secretariat.value, "assign_reviewer", {"reviewer_id": member.id}
            )
            active.add(member.id)
            loads[member.id] = loads.get(member.id, 0) + 1
            made += 1
    db.session.flush()
    return EvenAssignment(made, short)


def declare(assignment: ReviewAssignment, has_conflict: bool, reason: str = "") -> None:
    """The member's declaration; a conflict removes them and tells the secretariat to reassign."""
    if not ASSIGNMENT_LIFECYCLE.allows(assignment.stage, "declare"):
        raise ReviewError(_l("Scores already submitted cannot be withdrawn by a declaration."))
    if has_conflict and not reason.strip():
        raise ReviewError(_l("Give the reason for the conflict of interest."))
    assignment.has_conflict = has_conflict
    assignment.conflict_reason = reason.strip() if has_conflict else None
    assignment.declared_at = utcnow()
    record_event(
        db.session.get_one(Application, assignment.application_id),
        assignment.reviewer,
        Role.council_member.value,
        "declare_interest",
        {
            "reviewer_id": assignment.reviewer_id,
            "has_conflict": has_conflict,
            "reason": assignment.conflict_reason,
        },
    )
    if has_conflict:
        db.session.add(
            Notification(
                application_id=assignment.application_id,
                event="conflict_declared",
                recipient_role=Role.secretariat.value,
                payload={"reviewer_id": assignment.reviewer_id},
            )
        )
    db.session.flush()


@dataclass
class ScoreInput:
    criterion_id: int
    points: str | Decimal | None
    comment: str = ""


def save_scores(
    assignment: ReviewAssignment, application: Application, inputs: list[ScoreInput], submit: bool
) -> dict[int, LazyString]:
    """Keep the member's scores as a draft, or submit them (then every one of their criteria is needed).

    Returns the list of field errors {criterion_id: message}; nothing is saved when there are any.
    """
    if not ASSIGNMENT_LIFECYCLE.allows(assignment.stage, "score"):
        if assignment.stage == AssignmentStage.submitted:
            raise ReviewError(_l("Your scores are already submitted."))
        raise ReviewError(_l("Declare whether you have a conflict of interest first."))
    if application.state != State.under_review:
        raise ReviewError(_l("Scoring is open only while the dossier is under council review."))
    criteria = {c.id: c for c in criteria_for_member(application.round_id, assignment.reviewer_id)}
    if submit and not criteria:
        raise ReviewError(_l("No criterion of this round is assigned to you."))
    errors: dict[int, object] = {}
    cleared: set[int] = set()
    parsed: dict[int, tuple[Decimal, str]] = {}
    for item in inputs:
        criterion = criteria.get(item.criterion_id)
        if criterion is None:
            continue  # a criterion not theirs is ignored, never stored
        if item.points in (None, ""):
            if submit:
                errors[criterion.id] = _l("Score this criterion.")
            cleared.add(criterion.id)
            continue
        try:
            points = Decimal(str(item.points).replace(",", "."))
        except InvalidOperation:
            errors[criterion.id] = _l("Enter a number.")
            continue
        if not points.is_finite() or points < 0 or points > criterion.max_points:
            errors[criterion.id] = _l("Between 0 and %(max)s points.", max=criterion.max_points_text)
            continue
        if points != points.quantize(Decimal("0.01")):
            errors[criterion.id] = _l("Use at most two decimal places.")
            continue
        parsed[criterion.id] = (points, (item.comment or "").strip())
    if submit:
        for criterion_id in criteria:
            if criterion_id not in parsed and criterion_id not in errors:
                errors[criterion_id] = _l("Score this criterion.")
    if errors:
        return errors
    existing = {s.criterion_id: s for s in assignment.scores}
    for score in list(assignment.scores):
        # A value cleared in a draft, or a criterion no longer the member's, leaves no score behind.
        if score.criterion_id in cleared or score.criterion_id not in criteria:
            assignment.scores.remove(score)
    for criterion_id, (points, comment) in parsed.items():
        saved = existing.get(criterion_id)
        if saved is None:
            assignment.scores.append(Score(criterion_id=criterion_id, points=points, comment=comment))
        else:
            saved.points, saved.comment = points, comment
    if submit:
        assignment.total_score = sum((p for p, _c in parsed.values()), Decimal(0))
        assignment.submitted_at = utcnow()
        record_event(
            application,
            assignment.reviewer,
            Role.council_member.value,
            "submit_scores",
            {
                "reviewer_id": assignment.reviewer_id,
                "total": assignment.total_score,
                "scores": {str(cid): points for cid, (points, _c) in parsed.items()},
            },
        )
    db.session.flush()
    return {}


class CriteriaFrozen(ReviewError):
    def __init__(self) -> None:
        super().__init__(_l("The criteria are frozen: a council member has already submitted scores."))


def ensure_criteria_editable(round_: Round) -> None:
    if criteria_frozen(round_.id):
        raise CriteriaFrozen()


def conclude_complete(round_: Round, actor: User) -> list[StepOutcome]:
    """Conclude every dossier under review whose scores are all in (the others are refused, each in a
    savepoint of its own); the caller commits once for all of them."""
    ids = db.session.scalars(
        select(Application.id).where(
            Application.round_id == round_.id, Application.state == State.under_review
        )
    ).all()
    return advance_each(ids, "conclude_review", actor)
