"""The application workflow: one table of steps, driven by the `transitions` library.

Read STEPS top to bottom: trigger, from, to, who may act, what must hold, what else is written,
which time stamp is set and who is told. advance() is the only way to move an application.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from transitions import Machine

from recognition.accounts.models import Role, User
from recognition.cases import effects, guards
from recognition.cases.audit import append_event, lock_row
from recognition.cases.errors import ActorNotAllowed, ConcurrentChange, InvalidTrigger, TransitionRefused
from recognition.cases.guards import StepContext
from recognition.cases.models import STATE_LABELS, Application, AuditEvent, Notification
from recognition.cases.models import State as S
from recognition.cases.permissions import (
    acts_as_applicant,
    acts_as_secretariat,
    acts_as_system,
    acts_as_vetting_body,
)
from recognition.clock import local_today, utcnow
from recognition.extensions import db
from recognition.review.models import ReviewAssignment
from recognition.rounds.models import VettingBody

Guard = Callable[[StepContext], list]


@dataclass(frozen=True)
class Step:
    trigger: str
    source: tuple[S, ...]
    dest: S
    actor: Callable[[User | None, Application], str | None]
    guards: tuple[Guard, ...] = ()
    effects: tuple[Callable[[StepContext], None], ...] = ()
    stamp: str | None = None
    notify: tuple[str, ...] = ()
    # For a trigger with several destinations: which one this row is (the first true wins).
    when: Callable[[StepContext], bool] | None = None


g, e = guards, effects
APPLICANT, BODY, SECRETARIAT = acts_as_applicant, acts_as_vetting_body, acts_as_secretariat
SYSTEM = acts_as_system
PRE_REVIEW = (S.draft, S.submitted, S.vetting, S.supplement_requested)

STEPS: tuple[Step, ...] = (
    Step("submit", (S.draft,), S.submitted, APPLICANT,
         (g.round_is_open, g.nomination_complete, g.eligibility_met, g.declaration_ticked),
         (e.fix_vetting_body, e.issue_receipt, e.start_vetting_clock, e.take_snapshot), "submitted_at",
         ("applicant", "vetting_body")),
    Step("start_vetting", (S.submitted,), S.vetting, BODY, (), (), "vetting_started_at", ("applicant",)),
    Step("request_supplement", (S.vetting,), S.supplement_requested, BODY,
         (g.supplement_items_listed, g.supplement_limit_not_reached),
         (e.record_supplement_request, e.pause_vetting_clock), "supplement_requested_at", ("applicant",)),
    Step("resubmit", (S.supplement_requested,), S.vetting, APPLICANT, (g.every_item_answered,),
         (e.record_supplement_answers, e.resume_vetting_clock, e.take_snapshot), None, ("vetting_body",)),
    Step("endorse", (S.vetting,), S.endorsed, BODY, (g.vetting_checklist_complete,), (e.stop_clock,),
         "endorsed_at", ("applicant", "secretariat")),
    Step("reject_in_unit", (S.vetting,), S.unit_rejected, BODY, (g.reason_given,), (e.stop_clock,),
         "unit_rejected_at", ("applicant",)),
    Step("open_review", (S.endorsed,), S.under_review, SECRETARIAT,
         (g.enough_reviewers_without_conflict, g.every_criterion_has_a_scorer), (), "review_opened_at",
         ("reviewers",)),
    Step("conclude_review", (S.under_review,), S.recommended, SECRETARIAT,
         (g.all_scores_submitted, g.override_has_reason), (), "concluded_at", ("applicant",),
         when=lambda ctx: guards.chosen_outcome(ctx) == S.recommended),
    Step("conclude_review", (S.under_review,), S.not_recommended, SECRETARIAT,
         (g.all_scores_submitted, g.override_has_reason), (), "concluded_at", ("applicant",),
         when=lambda ctx: guards.chosen_outcome(ctx) == S.not_recommended),
    Step("recognise", (S.recommended,), S.recognised, SECRETARIAT,
         (g.comment_period_over, g.objections_resolved, g.decision_recorded),
         (e.record_decision, e.grant_certificate), "recognised_at", ("applicant",)),
    Step("withdraw", PRE_REVIEW, S.withdrawn, APPLICANT, (g.reason_given,), (e.stop_clock,), "withdrawn_at",
         ("vetting_body",)),
    Step("lapse", (S.supplement_requested,), S.withdrawn, SYSTEM, (g.supplement_deadline_passed,),
         (e.stop_clock,), "withdrawn_at", ("applicant", "vetting_body")),
)  # fmt: skip

TRIGGERS: tuple[str, ...] = tuple(dict.fromkeys(step.trigger for step in STEPS))

TRIGGER_LABELS = {
    "submit": _l("Dossier submitted"),
    "start_vetting": _l("Vetting started"),
    "request_supplement": _l("Supplement requested"),
    "resubmit": _l("Supplement answered"),
    "endorse": _l("Endorsed by the vetting body"),
    "reject_in_unit": _l("Rejected at vetting"),
    "open_review": _l("Council review opened"),
    "conclude_review": _l("Council review concluded"),
    "recognise": _l("Recognised by the city"),
    "withdraw": _l("Withdrawn by the enterprise"),
    "lapse": _l("Withdrawn: the reply deadline passed"),
    "add_evidence": _l("Evidence added to the supplement"),
    "revoke_certificate": _l("Certificate revoked"),
}
# What a dossier's timeline shows its enterprise and the public: the steps, not the council's
# internals (assignments, declarations and scores are audited in the same chain but stay private).
TIMELINE_TRIGGERS: tuple[str, ...] = (*TRIGGERS, "add_evidence", "revoke_certificate")

_machine_writing: ContextVar[bool] = ContextVar("machine_writing", default=False)


def machine_is_writing() -> bool:
    """True only while advance() runs the machine: Application.state refuses any other writer."""
    return _machine_writing.get()


@contextmanager
def _writing_state():
    token = _machine_writing.set(True)
    try:
        yield
    finally:
        _machine_writing.reset(token)


class _Case:
    """The machine's model: a thin proxy, so `transitions` binds nothing onto the ORM object."""

    def __init__(self, application: Application):
        self.application = application

    @property
    def state(self) -> S:
        return S(self.application.state)

    @state.setter
    def state(self, value: S) -> None:
        self.application.state = S(value)


def _check(step: Step):
    def condition(event) -> bool:
        ctx: StepContext = event.kwargs["ctx"]
        if step.when is not None and not step.when(ctx):
            return False
        refusals = [refusal for guard in step.guards for refusal in guard(ctx)]
        if refusals:
            raise TransitionRefused(*refusals)
        ctx.outputs["step"] = step
        return True

    return condition


def _apply(step: Step):
    def after(event) -> None:
        ctx: StepContext = event.kwargs["ctx"]
        for effect in step.effects:
            effect(ctx)
        if step.stamp:
            setattr(ctx.application, step.stamp, ctx.now)

    return after


def build_machine(case: _Case) -> Machine:
    """A machine per call, started at the stored state (binding must not reset it)."""
    transitions = [
        {
            "trigger": step.trigger,
            "source": list(step.source),
            "dest": step.dest,
            "conditions": [_check(step)],
            "after": [_apply(step)],
        }
        for step in STEPS
    ]
    return Machine(
        model=case,
        states=S,
        transitions=transitions,
        initial=case.state,
        auto_transitions=False,
        send_event=True,
        model_attribute="state",
    )


@dataclass(frozen=True)
class StepResult:
    event: AuditEvent
    lookup_secret: str | None = None


def allowed_triggers(application: Application, user: User | None) -> list[str]:
    """Triggers this user could fire now (guards aside): for the buttons a page shows."""
    state = S(application.state)
    return [
        trigger
        for trigger in TRIGGERS
        if any(
            step.trigger == trigger and state in step.source and step.actor(user, application)
            for step in STEPS
        )
    ]


def advance(
    application: Application,
    trigger: str,
    actor: User | None,
    expected_version: int | None = None,
    **data,
) -> StepResult:
    """Move the application by `trigger`, in the caller's transaction (the caller commits).

    Locks the row, checks that nobody moved it since the caller loaded it (or since
    `expected_version`, the version a form was rendered with), checks the actor and the
    guards, changes the state, stamps the time, appends the audit event and queues the
    notifications. Raises a WorkflowError subclass, with messages, when it will not move.
    """
    db.session.flush()
    seen_version = application.version if expected_version is None else expected_version
    application = lock_row(application)
    if application.version != seen_version:
        raise ConcurrentChange()
    steps = [step for step in STEPS if step.trigger == trigger]
    if not steps:
        raise InvalidTrigger(trigger, STATE_LABELS[S(application.state)])
    role = steps[0].actor(actor, application)
    if role is None:
        raise ActorNotAllowed()
    from_state = S(application.state)
    if not any(from_state in step.source for step in steps):
        raise InvalidTrigger(trigger, STATE_LABELS[from_state])

    now = utcnow()
    ctx = StepContext(application=application, actor=actor, data=data, today=local_today(), now=now)
    case = _Case(application)
    with _writing_state(), db.session.no_autoflush:
        build_machine(case)
        moved = case.trigger(trigger, ctx=ctx)
    if not moved:
        raise InvalidTrigger(trigger, STATE_LABELS[from_state])
    step: Step = ctx.outputs["step"]
    payload = {**data, **ctx.recorded}
    event = append_event(application, actor, str(role), trigger, from_state, step.dest, now, payload)
    _queue_notifications(application, step)
    try:
        db.session.flush()
    except StaleDataError as error:
        raise ConcurrentChange() from error
    return StepResult(event=event, lookup_secret=ctx.outputs.get("lookup_secret"))


def _queue_notifications(application: Application, step: Step) -> None:
    """Outbox rows in the same transaction: nobody is told about a step that was rolled back."""
    for audience in step.notify:
        rows = []
        if audience == "applicant":
            rows.append(
                {"recipient_role": Role.applicant.value, "recipient_enterprise_id": application.enterprise_id}
            )
        elif audience == "vetting_body" and application.vetting_body == VettingBody.unit:
            rows.append(
                {"recipient_role": Role.unit_officer.value, "recipient_unit_id": application.vetting_unit_id}
            )
        elif audience in ("vetting_body", "secretariat"):
            rows.append({"recipient_role": Role.secretariat.value})
        elif audience == "reviewers":
            reviewer_ids = db.session.scalars(
                select(ReviewAssignment.reviewer_id)
                .where(ReviewAssignment.application_id == application.id)
                .where(ReviewAssignment.has_conflict.is_not(True))
            )
            rows.extend(
                {"recipient_role": Role.council_member.value, "recipient_user_id": rid}
                for rid in reviewer_ids
            )
        for row in rows:
            db.session.add(Notification(application_id=application.id, event=step.trigger, **row))


def mermaid_diagram() -> str:
    """The machine as a Mermaid state diagram (docs/workflow.md holds a copy a test keeps in step)."""
    lines = ["stateDiagram-v2", f"    [*] --> {S.draft.value}"]
    for step in STEPS:
        for source in step.source:
            lines.append(f"    {source.value} --> {step.dest.value}: {step.trigger}")
    for final in (S.unit_rejected, S.not_recommended, S.recognised, S.withdrawn):
        lines.append(f"    {final.value} --> [*]")
    return "\n".join(lines) + "\n"
