"""The secretariat's round settings: create and edit rounds, their criteria and council."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, inspect, select, update

from recognition.accounts.models import Role, User
from recognition.cases.audit import changed_fields, field_values, record_change, record_event
from recognition.cases.errors import OperationRefused
from recognition.cases.models import Application
from recognition.extensions import Model, db, rows_affected
from recognition.honours.models import Certificate
from recognition.reports.support_models import SupportKind
from recognition.review.models import (
    CouncilMember,
    Criterion,
    CriterionAssignment,
    CriterionGroup,
    ReviewAssignment,
    Score,
)
from recognition.review.rubric import apply_default_rubric
from recognition.review.scoring import criteria_frozen, members_with_submitted_sheets
from recognition.review.services import ReviewError, ensure_criteria_editable
from recognition.rounds.models import ROUND_ENUM_SETTINGS, DocumentKind, Round, RoundStatus
from recognition.rounds.queries import submitted_dossier_count

ROUND_FIELDS = (
    "programme_id", "year", "title", "opens_on", "closes_on", "review_starts_on", "review_ends_on",
    "results_planned_on", "decision_planned_on", "legal_bases", "vetting_working_days",
    "max_supplement_requests", "supplement_working_days", "reviewers_per_dossier", "pass_threshold", "top_n",
    "spread_flag_points", "certificate_validity_months", "min_revenue_high_tech_vnd", "min_revenue_other_vnd",
    "min_exports_handicraft_usd", "target_products_min", "target_products_max", "target_enterprises_min",
    "target_enterprises_max",
)  # fmt: skip


# What the round grants, how it is vetted and the support it offers: programme differences as settings.
OUTCOME_FIELDS = ("outcome", "vetting_report", "support_areas")
AUDITED_FIELDS = (*ROUND_FIELDS, "status", "vetting_body", "supplement_expiry", *OUTCOME_FIELDS)
# The calendar a clone moves by the difference of years.
DATE_FIELDS = (
    "opens_on", "closes_on", "review_starts_on", "review_ends_on", "results_planned_on",
    "decision_planned_on",
)  # fmt: skip
# The outcome rules freeze with the criteria: once a score is in, moving them would change results.
FROZEN_WITH_CRITERIA = ("pass_threshold", "top_n")
# Fixed once a dossier is in: its vetting report and its decision follow them.
FIXED_WITH_SUBMISSIONS = ("outcome", "vetting_report")


class SettingFrozen(ReviewError):
    """A rule that freezes with the criteria was changed after the first score; `field` names it."""

    def __init__(self, field: str):
        super().__init__(_l("Frozen: a council member has already submitted scores."))
        self.field = field


class SettingFixed(OperationRefused):
    """The outcome or the vetting report was changed after a dossier was submitted; `field` names it."""

    def __init__(self, field: str):
        super().__init__(
            _l("Fixed: dossiers have already been submitted in this round and are handled under it.")
        )
        self.field = field


def _set_round_fields(round_: Round, data: dict) -> None:
    for name in ROUND_FIELDS:
        setattr(round_, name, data[name])
    round_.legal_bases = data["legal_bases"] or ""
    for name, enum_class in ROUND_ENUM_SETTINGS.items():
        setattr(round_, name, enum_class(data[name]))
    offered = set(data["support_areas"] or ())
    round_.support_areas = [kind.value for kind in SupportKind if kind.value in offered]


def apply_round_settings(round_: Round, data: dict, actor: User | None = None) -> None:
    """Change a round's settings, audited in the round's chain; the outcome rules once frozen are not,
    nor what the round grants and how it is vetted once a dossier is submitted."""
    if criteria_frozen(round_.id):
        for name in FROZEN_WITH_CRITERIA:
            if data[name] != getattr(round_, name):
                raise SettingFrozen(name)
    if submitted_dossier_count(round_):
        for name in FIXED_WITH_SUBMISSIONS:
            if data[name] != getattr(round_, name):  # members compare equal to their values
                raise SettingFixed(name)
    before = field_values(round_, AUDITED_FIELDS)
    _set_round_fields(round_, data)
    db.session.flush()
    db.session.refresh(round_)
    changes = changed_fields(before, field_values(round_, AUDITED_FIELDS))
    if "year" in changes:  # the registry sorts on the certificates' copy of the year
        db.session.execute(
            update(Certificate).where(Certificate.round_id == round_.id).values(round_year=round_.year)
        )
    if changes:
        record_change(round_, actor, Role.secretariat.value, "edit_settings", changes)


def _insert_round(data: dict) -> Round:
    round_ = Round()
    _set_round_fields(round_, data)
    db.session.add(round_)
    db.session.flush()
    return round_


def create_round(data: dict, actor: User | None = None) -> Round:
    """A new round with the settings given and its programme's default 100-point rubric; the caller
    commits."""
    round_ = _insert_round(data)
    apply_default_rubric(round_)
    record_change(round_, actor, Role.secretariat.value, "create_round", field_values(round_, AUDITED_FIELDS))
    return round_


def clone_title(source: Round, year: int) -> str:
    """The source's title with its year replaced ("… năm 2025" becomes "… năm 2026")."""
    return source.title.replace(str(source.year), str(year))


def clone_round(source: Round, year: int, title: str, actor: User | None = None) -> Round:
    """Next year's round from `source`: its settings (what it grants, its vetting report and the
    support it offers among them), legal bases, required documents and rubric, its dates moved by the
    difference of years, as a draft; not its council, dossiers or results.

    The caller checks the year is free (round_taken) and commits; audited like create_round.
    """
    shift = relativedelta(years=year - source.year)
    data = {name: getattr(source, name) for name in ROUND_FIELDS}
    for name in DATE_FIELDS:
        data[name] = data[name] + shift if data[name] else None
    data.update(
        year=year,
        title=title,
        status=RoundStatus.draft,
        vetting_body=source.vetting_body,
        supplement_expiry=source.supplement_expiry,
        outcome=source.outcome,
        vetting_report=source.vetting_report,
        support_areas=list(source.support_areas),
    )
    round_ = _insert_round(data)
    round_.required_documents = list(source.required_documents)
    _copy_rubric(source, round_)
    record_change(
        round_,
        actor,
        Role.secretariat.value,
        "clone_round",
        {
            **field_values(round_, AUDITED_FIELDS),
            "required_documents": round_.required_documents,
            "cloned_from": source.id,
        },
    )
    return round_


def _copy_rubric(source: Round, target: Round) -> None:
    """Every criterion group and criterion of `source`, column for column, into `target`."""
    for group in db.session.scalars(
        select(CriterionGroup).where(CriterionGroup.round_id == source.id).order_by(CriterionGroup.position)
    ):
        copy = _copied(group, round_id=target.id)
        copy.criteria = [_copied(criterion, round_id=target.id) for criterion in group.criteria]
        db.session.add(copy)
    db.session.flush()


RowT = TypeVar("RowT", bound=Model)


def _copied(row: RowT, **overrides: Any) -> RowT:
    """A new row of the same model with the row's columns (not its keys), `overrides` on top."""
    keys = {attr.key for attr in inspect(type(row)).column_attrs} - {"id", "round_id", "group_id"}
    return type(row)(**{key: getattr(row, key) for key in keys}, **overrides)


def set_required_documents(round_: Round, kinds: list[str], actor: User | None = None) -> None:
    """Which document kinds a nomination of this round must carry, in the catalogue's order. Audited.

    Allowed at any time, because the list is read only by the submit guard, at submission: removing a
    kind lets drafts submit without it; adding one binds the drafts still to be submitted, while a
    dossier already submitted is never checked again (if its vetting body needs the new document, it
    asks for it with a request to supplement).
    """
    chosen = [kind.value for kind in DocumentKind if kind.value in set(kinds)]
    before = list(round_.required_documents)
    if chosen == before:
        return
    round_.required_documents = chosen
    changes = {"required_documents": [before, chosen]}
    record_change(round_, actor, Role.secretariat.value, "edit_required_documents", changes)


def round_taken(programme_id: int, year: int, exclude_id: int | None = None) -> bool:
    stmt = select(Round.id).where(Round.programme_id == programme_id, Round.year == year)
    if exclude_id:
        stmt = stmt.where(Round.id != exclude_id)
    return db.session.scalar(stmt) is not None


def save_criteria(round_: Round, groups_data: list[dict], actor: User | None = None) -> int:
    """Apply the criteria editor: rename, re-weight, add and remove; refused once frozen. Audited.

    Until the first sheet is submitted the rubric is the secretariat's to change, so a removed
    criterion takes the members' draft scores on it along (they score nothing that still exists);
    returns how many drafts went, for the secretariat to be told."""
    ensure_criteria_editable(round_)
    record_change(round_, actor, Role.secretariat.value, "edit_criteria", {"groups": groups_data})
    groups = {
        str(g.id): g
        for g in db.session.scalars(select(CriterionGroup).where(CriterionGroup.round_id == round_.id))
    }
    discarded = 0
    for group_data in groups_data:
        group = groups.get(group_data["id"])
        if group is None:
            continue
        group.code, group.name_vi, group.name_en = (
            group_data["code"],
            group_data["name_vi"],
            (group_data["name_en"] or "").strip(),
        )
        group.min_points = group_data["min_points"]
        criteria = {str(c.id): c for c in group.criteria}
        for row in group_data["criteria"]:
            criterion = criteria.get(row["id"])
            if criterion is None:
                continue
            if row["remove"]:
                discarded += rows_affected(
                    db.session.execute(delete(Score).where(Score.criterion_id == criterion.id))
                )
                db.session.delete(criterion)
                continue
            _apply_criterion(criterion, row)
        new = group_data["new_criterion"]
        if new and new.get("code") and new.get("name_vi") and new.get("max_points"):
            criterion = Criterion(round_id=round_.id, position=len(group.criteria))
            _apply_criterion(criterion, new)
            group.criteria.append(criterion)
    db.session.flush()
    return discarded


def _apply_criterion(criterion: Criterion, row: dict) -> None:
    criterion.code = row["code"].strip()
    criterion.name_vi = row["name_vi"].strip()
    criterion.name_en = (row.get("name_en") or "").strip()
    criterion.max_points = Decimal(row["max_points"])
    criterion.guidance_vi = row.get("guidance_vi") or ""
    criterion.guidance_en = row.get("guidance_en") or ""


class SubmittedMemberStays(ReviewError):
    def __init__(self, name: str):
        super().__init__(
            _l(
                "%(name)s has already submitted scores in this round and stays on the council: the results"
                " count those sheets.",
                name=name,
            )
        )


def remove_council_member(round_: Round, user_id: int, actor: User | None = None) -> int:
    """Unseat a member: their assignments of the round that are still open go with them (draft scores
    included), each recorded in its dossier's chain, so they reach none of them and "assign evenly"
    fills the gap; so do the criteria given to them in this round. Assignments they declared a
    conflict on stay, as the record of that declaration. A member who has submitted a sheet in the
    round stays (refused): the results count it. Returns how many assignments were withdrawn."""
    member = db.session.scalar(
        select(CouncilMember).where(CouncilMember.round_id == round_.id, CouncilMember.user_id == user_id)
    )
    if member is None:
        return 0
    if member.user in members_with_submitted_sheets(round_):
        raise SubmittedMemberStays(member.user.full_name)
    open_assignments = db.session.execute(
        select(ReviewAssignment, Application)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .where(
            Application.round_id == round_.id,
            ReviewAssignment.reviewer_id == user_id,
            ReviewAssignment.reviews,
        )
        .order_by(ReviewAssignment.id)
    ).all()
    for assignment, application in open_assignments:
        record_event(
            application,
            actor,
            Role.secretariat.value,
            "unassign_reviewer",
            {"reviewer_id": user_id, "reason": "removed_from_council"},
        )
        db.session.delete(assignment)
    db.session.execute(
        delete(CriterionAssignment).where(
            CriterionAssignment.user_id == user_id,
            CriterionAssignment.criterion_id.in_(select(Criterion.id).where(Criterion.round_id == round_.id)),
        )
    )
    record_change(
        round_,
        actor,
        Role.secretariat.value,
        "remove_council_member",
        {"user_id": user_id, "withdrawn_from": [application.id for _a, application in open_assignments]},
    )
    db.session.delete(member)
    db.session.flush()
    return len(open_assignments)


def criterion_assignments(round_: Round) -> dict[int, set[int]]:
    """user id -> ids of the criteria they score (empty when the round assigns none)."""
    rows = db.session.execute(
        select(CriterionAssignment.user_id, CriterionAssignment.criterion_id)
        .join(Criterion, Criterion.id == CriterionAssignment.criterion_id)
        .where(Criterion.round_id == round_.id)
    ).all()
    assigned: dict[int, set[int]] = {}
    for user_id, criterion_id in rows:
        assigned.setdefault(user_id, set()).add(criterion_id)
    return assigned


class SubmittedMembersKeepTheirCriteria(ReviewError):
    def __init__(self, names: list[str]):
        super().__init__(
            _l(
                "%(names)s already submitted scores: the criteria they score can no longer change.",
                names=", ".join(names),
            )
        )


def _keep_submitted_members_criteria(round_: Round, assigned: dict[int, set[int]]) -> dict[int, set[int]]:
    """The plan with every member who has submitted a sheet scoring what they score now; refused when
    the plan itself gives one of them something else."""
    criteria_ids = set(db.session.scalars(select(Criterion.id).where(Criterion.round_id == round_.id)))
    before = criterion_assignments(round_)
    plan = {user_id: ids & criteria_ids for user_id, ids in assigned.items()}
    assigns_any = any(plan.values())
    changed = []
    for user in members_with_submitted_sheets(round_):
        now = before.get(user.id, set()) if before else criteria_ids
        if not assigns_any:  # the plan has every member score every criterion
            if now != criteria_ids:
                changed.append(user.full_name)
            continue
        if user.id in plan and plan[user.id] != now:
            changed.append(user.full_name)
        plan[user.id] = now
    if changed:
        raise SubmittedMembersKeepTheirCriteria(changed)
    return plan


def set_criterion_assignments(
    round_: Round, assigned: dict[int, set[int]], actor: User | None = None
) -> None:
    """Replace who scores which criterion. Audited. Once members have submitted sheets, what each of
    them scores stays as it was (their sheets rest on it); the others, e.g. a member seated to replace
    one with a conflict, can still be given criteria."""
    assigned = _keep_submitted_members_criteria(round_, assigned)
    record_change(
        round_,
        actor,
        Role.secretariat.value,
        "assign_criteria",
        {str(user_id): sorted(ids) for user_id, ids in assigned.items()},
    )
    criteria_ids = set(db.session.scalars(select(Criterion.id).where(Criterion.round_id == round_.id)))
    db.session.execute(
        delete(CriterionAssignment).where(CriterionAssignment.criterion_id.in_(criteria_ids or {-1}))
    )
    for user_id, ids in assigned.items():
        for criterion_id in ids & criteria_ids:
            db.session.add(CriterionAssignment(criterion_id=criterion_id, user_id=user_id))
    db.session.flush()
