"""What a step writes besides the state, its time stamp and its audit event. Never commits."""

from __future__ import annotations

from dataclasses import asdict

from recognition.cases.audit import canonical_sha256, json_safe
from recognition.cases.guards import StepContext
from recognition.cases.models import (
    VETTING_CHECKS,
    EnterpriseRecord,
    ProductRecord,
    SupplementRequest,
    VettingOutcome,
    VettingReport,
)
from recognition.cases.receipts import hash_lookup_secret, new_lookup_secret, new_receipt_code
from recognition.extensions import db
from recognition.honours.certificates import issue_certificate
from recognition.honours.results import published_top
from recognition.rounds.calendar import add_working_days, working_days_between
from recognition.rounds.models import RoundOutcome, VettingBody, VettingReportKind
from recognition.supporting.selections import issue_selection


def fix_vetting_body(ctx: StepContext) -> None:
    """The round decides who vets; a unit is fixed at submission and kept even if later dissolved."""
    application = ctx.application
    application.vetting_body = application.round.vetting_body
    if application.vetting_body == VettingBody.unit:
        application.vetting_unit_id = application.enterprise.unit_id
    application.declaration_accepted = True


def take_snapshot(ctx: StepContext) -> None:
    """Keep what was submitted, sealed by its digest in the step's audit event: later edits of the
    enterprise's profile or of the product (say, in a draft for another round) never reach it."""
    application = ctx.application
    snapshot = json_safe(
        {
            "enterprise": asdict(EnterpriseRecord.of(application.enterprise)),
            "product": asdict(ProductRecord.of(application.product)),
            "figures": [{key: getattr(f, key) for key in FIGURE_FIELDS} for f in application.figures],
            "certifications": [
                {"standard": c.standard, "number": c.number, "expires_on": c.expires_on}
                for c in application.certifications
            ],
            "documents": [
                {"kind": d.kind, "filename": d.filename, "sha256": d.sha256}
                for d in application.documents
                if d.superseded_at is None
            ],
            "support_sought": list(application.support_sought or []),
            "taken_at": ctx.now,
        }
    )
    application.snapshot = snapshot
    ctx.recorded["snapshot_sha256"] = canonical_sha256(snapshot)


FIGURE_FIELDS = (
    "year", "production_value_vnd", "revenue_vnd", "export_value_usd", "budget_contribution_vnd",
    "employees", "average_wage_vnd",
)  # fmt: skip


def issue_receipt(ctx: StepContext) -> None:
    """First submission only: a receipt code and a lookup secret, handed back once in ctx.outputs."""
    application = ctx.application
    if application.receipt_code is None:
        application.receipt_code = new_receipt_code(ctx.today)
    secret = new_lookup_secret()
    application.lookup_secret_hash = hash_lookup_secret(secret)
    ctx.outputs["lookup_secret"] = secret


def record_supplement_request(ctx: StepContext) -> None:
    application = ctx.application
    request = SupplementRequest(
        number=len(application.supplement_requests) + 1,
        items=[item.strip() for item in ctx.data["items"]],
        deadline=ctx.data["deadline"],
        requested_at=ctx.now,
        requested_by_id=ctx.actor.id if ctx.actor else None,
    )
    application.supplement_requests.append(request)


def record_supplement_answers(ctx: StepContext) -> None:
    request = next(r for r in ctx.application.supplement_requests if r.answered_at is None)
    request.answers = [answer.strip() for answer in ctx.data["answers"]]
    request.answered_at = ctx.now


def record_endorsement(ctx: StepContext) -> None:
    """The vetting report of an endorsed dossier: its checklist, notes and recommendation, and in a
    round that asks for a survey, the capacity seen, the certifications seen and the supply chain."""
    data = ctx.data
    _add_vetting_report(
        ctx,
        VettingOutcome.endorsed,
        site_visit_date=data["site_visit_date"],
        eligibility_confirmed=data["eligibility_confirmed"],
        recommendation=data["recommendation"].strip(),
        **{check: data[check] for check in VETTING_CHECKS},
        **{f"{check}_note": (data.get(f"{check}_note") or "").strip() for check in VETTING_CHECKS},
        **(_survey(data) if ctx.application.round.vetting_report == VettingReportKind.survey else {}),
    )


def _survey(data: dict) -> dict[str, object]:
    return {
        "capacity_assessment": data["capacity_assessment"].strip(),
        "certifications_seen": list(data.get("certifications_seen") or []),
        "supply_chain_note": (data.get("supply_chain_note") or "").strip(),
    }


def record_rejection(ctx: StepContext) -> None:
    """The vetting report of a dossier rejected at vetting: the reasons the enterprise reads."""
    _add_vetting_report(ctx, VettingOutcome.rejected, reason=ctx.data["reason"].strip())


def _add_vetting_report(ctx: StepContext, outcome: VettingOutcome, **fields: object) -> None:
    db.session.add(
        VettingReport(
            application_id=ctx.application.id,
            outcome=outcome,
            officer_id=ctx.actor.id if ctx.actor else None,
            recorded_at=ctx.now,
            **fields,
        )
    )


def record_decision(ctx: StepContext) -> None:
    ctx.application.decision_number = ctx.data["decision_number"].strip()
    ctx.application.decision_date = ctx.data["decision_date"]


def grant_outcome(ctx: StepContext) -> None:
    """What the round's decision grants (its `outcome` setting): a certificate or a selection."""
    GRANTS[ctx.application.round.outcome](ctx)


def _grant_certificate(ctx: StepContext) -> None:
    """The certificate, Top N marked as the results published for comment marked the dossier."""
    application = ctx.application
    assert application.decision_number is not None and application.decision_date is not None  # recorded
    issue_certificate(
        application,
        decision_number=application.decision_number,
        decision_date=application.decision_date,
        signer=(ctx.data.get("decision_signer") or "").strip(),
        today=ctx.today,
        top_n=published_top(application),
    )


def _grant_selection(ctx: StepContext) -> None:
    """The selection for support, with its confirmation letter's serial; no certificate."""
    application = ctx.application
    assert application.decision_number is not None and application.decision_date is not None  # recorded
    selection = issue_selection(
        application,
        decision_number=application.decision_number,
        decision_date=application.decision_date,
        signer=(ctx.data.get("decision_signer") or "").strip(),
        today=ctx.today,
    )
    ctx.recorded["selection_serial"] = selection.serial


GRANTS = {RoundOutcome.certificate: _grant_certificate, RoundOutcome.selection: _grant_selection}


def start_vetting_clock(ctx: StepContext) -> None:
    """The vetting body's time limit runs from submission, in working days."""
    application = ctx.application
    application.due_on = add_working_days(ctx.today, application.round.vetting_working_days)
    application.overdue_reminded_on = None


def pause_vetting_clock(ctx: StepContext) -> None:
    """While the applicant supplements, the vetting clock stops; the reply deadline runs instead."""
    application = ctx.application
    assert application.due_on is not None  # set when vetting started
    application.vetting_days_left = max(working_days_between(ctx.today, application.due_on), 1)
    application.due_on = ctx.data["deadline"]
    application.overdue_reminded_on = None


def resume_vetting_clock(ctx: StepContext) -> None:
    application = ctx.application
    application.due_on = add_working_days(ctx.today, application.vetting_days_left or 1)
    application.vetting_days_left = None
    application.overdue_reminded_on = None


def stop_clock(ctx: StepContext) -> None:
    ctx.application.due_on = None
    ctx.application.vetting_days_left = None
