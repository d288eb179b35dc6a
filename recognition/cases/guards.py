"""Guards of the workflow: each returns the refusals that stop a step (an empty list lets it pass).

A guard reads the application, the actor and the step's form data from a StepContext; it never writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from recognition.accounts.models import User
from recognition.cases.errors import Refusal
from recognition.cases.models import CONCLUDED_STATES, VETTING_CHECKS, Application, State
from recognition.clock import lazy_day, to_local
from recognition.extensions import db
from recognition.honours.models import OBJECTION_LIFECYCLE, Objection
from recognition.review.models import Criterion, SelfAssessment
from recognition.review.scoring import (
    active_assignments,
    criteria_label,
    criteria_without_scorer,
    dossier_result,
    rule_outcome,
)
from recognition.rounds.eligibility import failing_eligibility_rules
from recognition.rounds.models import DOCUMENT_KIND_LABELS, DocumentKind, RoundStatus, VettingReportKind

# Refusals the forms give too, beside the field, so a person sees them on the first submit.
DEADLINE_NOT_AFTER_TODAY = _l("Set a reply deadline after today.")
SITE_VISIT_IN_FUTURE = _l("The date of the site visit cannot be in the future.")
DECISION_DATE_MISSING_OR_FUTURE = _l("Enter the date of the city's decision (not in the future).")


@dataclass
class StepContext:
    """Everything a guard or effect may read; `outputs` carries results back (e.g. the lookup secret)."""

    application: Application
    actor: User | None
    data: dict
    today: date
    now: datetime
    outputs: dict = field(default_factory=dict)
    # The role the actor acts in, as the step's actor predicate named it (for the audit event).
    role: str | None = None
    # Facts an effect adds to the step's audit event (e.g. the digest of the submitted record).
    recorded: dict = field(default_factory=dict)


def _day(ctx: StepContext, key: str) -> date | None:
    """A calendar date from the form data (a datetime is not a day and does not count)."""
    value = ctx.data.get(key)
    return value if isinstance(value, date) and not isinstance(value, datetime) else None


def _text(ctx: StepContext, key: str) -> str:
    value = ctx.data.get(key)
    return value.strip() if isinstance(value, str) else ""


def round_is_open(ctx: StepContext) -> list[Refusal]:
    round_ = ctx.application.round
    if round_.status != RoundStatus.open:
        return [
            Refusal("round_not_open", _l("Round %(year)s is not open for nominations.", year=round_.year))
        ]
    if ctx.today < round_.opens_on:
        return [
            Refusal(
                "round_not_started",
                _l("Round %(year)s opens on %(date)s.", year=round_.year, date=lazy_day(round_.opens_on)),
            )
        ]
    if ctx.today > round_.closes_on:
        return [
            Refusal(
                "round_closed",
                _l("Round %(year)s closed on %(date)s.", year=round_.year, date=lazy_day(round_.closes_on)),
            )
        ]
    return []


def nomination_complete(ctx: StepContext) -> list[Refusal]:
    """Every required section filled and every required document kind uploaded; in a round that
    offers support areas, at least one of them sought."""
    application = ctx.application
    refusals = []
    product = application.product
    if not (product.name or "").strip() or not (product.description or "").strip():
        refusals.append(Refusal("product", _l("The product section is incomplete."), "product"))
    offered = set(application.round.support_areas or [])
    if offered and not offered & set(application.support_sought or []):
        refusals.append(
            Refusal("support", _l("Choose the support the enterprise seeks from this round."), "support")
        )
    if not application.figures:
        refusals.append(Refusal("figures", _l("The economic figures are missing."), "figures"))
    if _self_assessment_missing(application):
        refusals.append(
            Refusal(
                "self_assessment",
                _l("The self-assessment against the criteria is incomplete."),
                "self_assessment",
            )
        )
    present = {d.kind for d in application.documents if d.superseded_at is None}
    for kind in application.round.required_documents:
        if DocumentKind(kind) not in present:
            refusals.append(
                Refusal(
                    f"document_{kind}",
                    _l("%(document)s is missing.", document=DOCUMENT_KIND_LABELS[DocumentKind(kind)]),
                    "documents",
                )
            )
    return refusals


def _self_assessment_missing(application: Application) -> bool:
    """Rounds with criteria ask the enterprise to score itself on each of them."""
    criterion_ids = set(
        db.session.scalars(select(Criterion.id).where(Criterion.round_id == application.round_id))
    )
    if not criterion_ids:
        return False
    assessed = set(
        db.session.scalars(
            select(SelfAssessment.criterion_id).where(SelfAssessment.application_id == application.id)
        )
    )
    return not criterion_ids <= assessed


def eligibility_met(ctx: StepContext) -> list[Refusal]:
    return failing_eligibility_rules(ctx.application)


def declaration_ticked(ctx: StepContext) -> list[Refusal]:
    if ctx.data.get("declaration") is True:
        return []
    return [Refusal("declaration", _l("Tick the declaration that the information is true."), "submit")]


def supplement_items_listed(ctx: StepContext) -> list[Refusal]:
    refusals = []
    items = ctx.data.get("items")
    listed = (
        isinstance(items, list | tuple) and items and all(isinstance(i, str) and i.strip() for i in items)
    )
    if not listed:
        refusals.append(Refusal("items", _l("List at least one missing item, each with a description.")))
    deadline = _day(ctx, "deadline")
    if deadline is None or deadline <= ctx.today:
        refusals.append(Refusal("deadline", DEADLINE_NOT_AFTER_TODAY))
    return refusals


def supplement_limit_not_reached(ctx: StepContext) -> list[Refusal]:
    limit = ctx.application.round.max_supplement_requests
    if len(ctx.application.supplement_requests) < limit:
        return []
    return [
        Refusal(
            "supplement_limit",
            _l("This round allows at most %(limit)s request(s) to supplement a dossier.", limit=limit),
        )
    ]


def every_item_answered(ctx: StepContext) -> list[Refusal]:
    open_requests = [r for r in ctx.application.supplement_requests if r.answered_at is None]
    answers = ctx.data.get("answers") or []
    if not open_requests:
        return []
    items = open_requests[-1].items
    if len(answers) != len(items) or not all(isinstance(a, str) and a.strip() for a in answers):
        return [Refusal("answers", _l("Answer every item of the request to supplement."))]
    return []


def vetting_checklist_complete(ctx: StepContext) -> list[Refusal]:
    refusals = []
    site_visit = _day(ctx, "site_visit_date")
    if site_visit is None:
        refusals.append(Refusal("site_visit_date", _l("Enter the date of the site visit.")))
    elif site_visit > ctx.today:
        refusals.append(Refusal("site_visit_date", SITE_VISIT_IN_FUTURE))
    if ctx.data.get("eligibility_confirmed") is not True:
        refusals.append(
            Refusal("eligibility_confirmed", _l("Confirm eligibility against the round's rules."))
        )
    if any(not isinstance(ctx.data.get(check), bool) for check in VETTING_CHECKS):
        refusals.append(Refusal("checks", _l("Answer every compliance check with yes or no.")))
    if not _text(ctx, "recommendation"):
        refusals.append(Refusal("recommendation", _l("Write the recommendation of the vetting report.")))
    if ctx.application.round.vetting_report == VettingReportKind.survey and not _text(
        ctx, "capacity_assessment"
    ):
        refusals.append(
            Refusal(
                "capacity_assessment",
                _l("Describe the production capacity, equipment and workforce seen on the survey."),
            )
        )
    return refusals


def supplement_deadline_passed(ctx: StepContext) -> list[Refusal]:
    due = ctx.application.due_on
    if due is not None and ctx.today > due:
        return []
    return [Refusal("deadline_not_passed", _l("The reply deadline has not passed yet."))]


def reason_given(ctx: StepContext) -> list[Refusal]:
    if _text(ctx, "reason"):
        return []
    return [Refusal("reason", _l("Give the reason."))]


def enough_reviewers_without_conflict(ctx: StepContext) -> list[Refusal]:
    needed = ctx.application.round.reviewers_per_dossier
    assigned = len(active_assignments(ctx.application))
    if assigned >= needed:
        return []
    return [
        Refusal(
            "reviewers",
            _l(
                "At least %(needed)s reviewers without a conflict of interest must be assigned "
                "(now %(count)s).",
                needed=needed,
                count=assigned,
            ),
        )
    ]


def every_criterion_has_a_scorer(ctx: StepContext) -> list[Refusal]:
    """When criteria are assigned to particular members, each criterion of the round needs one among
    the dossier's reviewers without a conflict: a criterion nobody scores would leave it without a total."""
    uncovered = criteria_without_scorer(ctx.application)
    if not uncovered:
        return []
    return [
        Refusal(
            "criteria_scorers",
            _l(
                "No reviewer of this dossier without a conflict of interest is assigned to score: "
                "%(criteria)s. Assign a member who scores them, or assign these criteria to a reviewer "
                "on the council page.",
                criteria=criteria_label(uncovered),
            ),
        )
    ]


def all_scores_submitted(ctx: StepContext) -> list[Refusal]:
    """Every active reviewer has submitted, at least the round's minimum of score sheets is in
    (members who declare a conflict after review opens leave the dossier short, not concluded), and
    every criterion of the round has a score (never counted as 0)."""
    assignments = active_assignments(ctx.application)
    missing = [a.reviewer.full_name for a in assignments if a.submitted_at is None]
    if missing:
        return [Refusal("scores", _l("Scores are missing from: %(names)s.", names=", ".join(missing)))]
    needed = ctx.application.round.reviewers_per_dossier
    if len(assignments) < needed:
        return [
            Refusal(
                "scores",
                _l(
                    "At least %(needed)s submitted score sheets are needed (now %(count)s): "
                    "assign more reviewers.",
                    needed=needed,
                    count=len(assignments),
                ),
            )
        ]
    unscored = dossier_result(ctx.application).unscored
    if unscored:
        return [
            Refusal(
                "unscored_criteria",
                _l(
                    "No submitted score sheet covers: %(criteria)s. The total cannot count them as 0: "
                    "assign a reviewer who scores them.",
                    criteria=criteria_label(unscored),
                ),
            )
        ]
    return []


def chosen_outcome(ctx: StepContext) -> State:
    """The outcome the secretariat records: the rule's, unless they override it."""
    outcome = ctx.data.get("outcome")
    return State(outcome) if outcome in CONCLUDED_STATES else rule_outcome(ctx.application)


def override_has_reason(ctx: StepContext) -> list[Refusal]:
    if chosen_outcome(ctx) == rule_outcome(ctx.application) or _text(ctx, "override_reason"):
        return []
    return [Refusal("override_reason", _l("An outcome other than the rules give needs a written reason."))]


def comment_period_over(ctx: StepContext) -> list[Refusal]:
    """Comments run to the end of the deadline day ("đến hết ngày"), so the decision may be recorded
    from the next day; at once when the secretariat closed the period early."""
    round_ = ctx.application.round
    if round_.results_published_at is None or round_.comment_deadline is None:
        return [Refusal("not_published", _l("The council's results have not been published for comment."))]
    if round_.comment_closed_at is None and ctx.today <= round_.comment_deadline:
        return [
            Refusal(
                "comment_period",
                _l("The comment period runs until %(date)s.", date=lazy_day(round_.comment_deadline)),
            )
        ]
    return []


def objections_resolved(ctx: StepContext) -> list[Refusal]:
    """Every objection to this dossier in the published results must be resolved first."""
    pending = db.session.scalars(
        select(Objection)
        .where(
            Objection.application_id == ctx.application.id,
            Objection.status.in_(OBJECTION_LIFECYCLE.sources("resolve")),
        )
        .order_by(Objection.id)
    ).all()
    return [
        Refusal(
            f"objection_{objection.id}",
            _l(
                "The objection from %(name)s received on %(date)s is not resolved.",
                name=objection.name,
                date=lazy_day(to_local(objection.created_at).date()),
            ),
        )
        for objection in pending
    ]


def decision_recorded(ctx: StepContext) -> list[Refusal]:
    refusals = []
    if not _text(ctx, "decision_number"):
        refusals.append(Refusal("decision_number", _l("Enter the number of the city's decision.")))
    decision_date = _day(ctx, "decision_date")
    if decision_date is None or decision_date > ctx.today:
        refusals.append(Refusal("decision_date", DECISION_DATE_MISSING_OR_FUTURE))
    return refusals
