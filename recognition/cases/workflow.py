"""The application workflow: one table of steps, driven by the `transitions` library.

Read STEPS top to bottom: trigger, from, to, who may act, what must hold, what else is written,
which time stamp is set and who is told. advance() is the only way to move an application.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from transitions import EventData, Machine, MachineError, Transition
from transitions.extensions import GraphMachine

from recognition.accounts.models import Role, User
from recognition.cases import effects, guards
from recognition.cases.audit import append_event, lock_row
from recognition.cases.errors import ActorNotAllowed, ConcurrentChange, InvalidTrigger, TransitionRefused
from recognition.cases.guards import StepContext
from recognition.cases.models import (
    FINAL_STATES,
    PRE_REVIEW_STATES,
    STATE_LABELS,
    Application,
    AuditEvent,
    Notification,
    writing_state,
)
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
Actor = Callable[[User | None, Application], str | None]


@dataclass(frozen=True)
class Step:
    """A row of the table; the machine turns it into a transition (see _machine_transition)."""

    trigger: str
    source: tuple[S, ...]
    dest: S
    actor: Actor
    guards: tuple[Guard, ...] = ()
    effects: tuple[Callable[[StepContext], None], ...] = ()
    stamp: str | None = None
    notify: tuple[str, ...] = ()
    # For a trigger with several destinations: which one this row is (the first true wins).
    when: Callable[[StepContext], bool] | None = None


g, e = guards, effects
APPLICANT, BODY, SECRETARIAT = acts_as_applicant, acts_as_vetting_body, acts_as_secretariat
SYSTEM = acts_as_system


def _chose(outcome: S) -> Callable[[StepContext], bool]:
    return lambda ctx: guards.chosen_outcome(ctx) == outcome


STEPS: tuple[Step, ...] = (
    Step(trigger="submit", source=(S.draft,), dest=S.submitted, actor=APPLICANT,
         guards=(g.round_is_open, g.nomination_complete, g.eligibility_met, g.declaration_ticked),
         effects=(e.fix_vetting_body, e.issue_receipt, e.start_vetting_clock, e.take_snapshot),
         stamp="submitted_at", notify=("applicant", "vetting_body")),
    Step(trigger="start_vetting", source=(S.submitted,), dest=S.vetting, actor=BODY,
         stamp="vetting_started_at", notify=("applicant",)),
    Step(trigger="request_supplement", source=(S.vetting,), dest=S.supplement_requested, actor=BODY,
         guards=(g.supplement_items_listed, g.supplement_limit_not_reached),
         effects=(e.record_supplement_request, e.pause_vetting_clock),
         stamp="supplement_requested_at", notify=("applicant",)),
    Step(trigger="resubmit", source=(S.supplement_requested,), dest=S.vetting, actor=APPLICANT,
         guards=(g.every_item_answered,),
         effects=(e.record_supplement_answers, e.resume_vetting_clock, e.take_snapshot),
         notify=("vetting_body",)),
    Step(trigger="endorse", source=(S.vetting,), dest=S.endorsed, actor=BODY,
         guards=(g.vetting_checklist_complete,), effects=(e.record_endorsement, e.stop_clock),
         stamp="endorsed_at", notify=("applicant", "secretariat")),
    Step(trigger="reject_in_unit", source=(S.vetting,), dest=S.unit_rejected, actor=BODY,
         guards=(g.reason_given,), effects=(e.record_rejection, e.stop_clock),
         stamp="unit_rejected_at", notify=("applicant",)),
    Step(trigger="open_review", source=(S.endorsed,), dest=S.under_review, actor=SECRETARIAT,
         guards=(g.enough_reviewers_without_conflict, g.every_criterion_has_a_scorer),
         stamp="review_opened_at", notify=("reviewers",)),
    Step(trigger="conclude_review", source=(S.under_review,), dest=S.recommended, actor=SECRETARIAT,
         guards=(g.all_scores_submitted, g.override_has_reason), when=_chose(S.recommended),
         stamp="concluded_at", notify=("applicant",)),
    Step(trigger="conclude_review", source=(S.under_review,), dest=S.not_recommended, actor=SECRETARIAT,
         guards=(g.all_scores_submitted, g.override_has_reason), when=_chose(S.not_recommended),
         stamp="concluded_at", notify=("applicant",)),
    Step(trigger="recognise", source=(S.recommended,), dest=S.recognised, actor=SECRETARIAT,
         guards=(g.comment_period_over, g.objections_resolved, g.decision_recorded),
         effects=(e.record_decision, e.grant_outcome), stamp="recognised_at", notify=("applicant",)),
    Step(trigger="withdraw", source=PRE_REVIEW_STATES, dest=S.withdrawn, actor=APPLICANT,
         guards=(g.reason_given,), effects=(e.stop_clock,), stamp="withdrawn_at", notify=("vetting_body",)),
    Step(trigger="lapse", source=(S.supplement_requested,), dest=S.withdrawn, actor=SYSTEM,
         guards=(g.supplement_deadline_passed,), effects=(e.stop_clock,), stamp="withdrawn_at",
         notify=("applicant", "vetting_body")),
)  # fmt: skip

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


class _StepTransition(Transition):
    """transitions' own Transition, carrying the row it was made from."""

    def __init__(self, *args: Any, step: Step, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step


def _context(event: EventData) -> StepContext:
    return event.kwargs["ctx"]


def _transition(event: EventData) -> _StepTransition:
    """The row an event is firing: every transition of MACHINE is a _StepTransition (transition_cls),
    and every callback below runs on one."""
    return cast(_StepTransition, event.transition)


def _lock_and_check_version(event: EventData) -> None:
    """prepare: take the row lock, then refuse if anyone moved the dossier since the form was shown."""
    ctx = _context(event)
    ctx.application = lock_row(ctx.application)
    if ctx.application.version != ctx.outputs.pop("seen_version"):
        raise ConcurrentChange()


def _is_this_row(event: EventData) -> bool:
    """condition: of a trigger's rows from one state, the one whose `when` holds (rows without one do)."""
    when = _transition(event).step.when
    return when is None or when(_context(event))


def _actor_may_act(event: EventData) -> bool:
    """condition: the row's actor predicate names the role the user acts in; a refusal otherwise."""
    ctx = _context(event)
    role = _transition(event).step.actor(ctx.actor, ctx.application)
    if role is None:
        raise ActorNotAllowed()
    ctx.role = str(role)
    return True


def _guards_hold(event: EventData) -> bool:
    """condition: every guard of the row passes, or the step is refused with all their reasons."""
    ctx = _context(event)
    refusals = [refusal for guard in _transition(event).step.guards for refusal in guard(ctx)]
    if refusals:
        raise TransitionRefused(*refusals)
    return True


def _write_effects(event: EventData) -> None:
    """after (the row's): what else the step writes, and its time stamp."""
    ctx, step = _context(event), _transition(event).step
    for effect in step.effects:
        effect(ctx)
    if step.stamp:
        setattr(ctx.application, step.stamp, ctx.now)


def _audit_and_notify(event: EventData) -> None:
    """after_state_change (every row's): the audit event, then the outbox rows, in the same transaction."""
    ctx, step = _context(event), _transition(event).step
    assert ctx.role is not None  # set by the _actor_may_act condition
    payload = {**ctx.data, **ctx.recorded}
    source = S(_transition(event).source)
    ctx.outputs["event"] = append_event(
        ctx.application, ctx.actor, ctx.role, step.trigger, source, step.dest, ctx.now, payload
    )
    _queue_notifications(ctx.application, step)


def _machine_transition(step: Step) -> dict:
    return {
        "trigger": step.trigger,
        "source": list(step.source),
        "dest": step.dest,
        "conditions": [_is_this_row, _actor_may_act, _guards_hold],
        "after": [_write_effects],
        "step": step,
    }


class _Workflow(Machine):
    transition_cls = _StepTransition


# One machine for the process: it holds no model (advance() passes a fresh one to each event), so it
# is shared safely across requests and threads.
MACHINE = _Workflow(
    model=None,
    states=S,
    transitions=[_machine_transition(step) for step in STEPS],
    initial=S.draft,
    auto_transitions=False,
    send_event=True,
    model_attribute="state",
    prepare_event=[_lock_and_check_version],
    after_state_change=[_audit_and_notify],
)
TRIGGERS: tuple[str, ...] = tuple(MACHINE.events)
# What a dossier's timeline shows its enterprise and the public: the steps, not the council's
# internals (assignments, declarations and scores are audited in the same chain but stay private).
TIMELINE_TRIGGERS: tuple[str, ...] = (*TRIGGERS, "add_evidence", "revoke_certificate")


@dataclass(frozen=True)
class StepResult:
    event: AuditEvent
    lookup_secret: str | None = None


def allowed_triggers(application: Application, user: User | None) -> list[str]:
    """Triggers this user could fire now (guards aside): for the buttons a page shows."""
    state = S(application.state)
    return [
        trigger
        for trigger in MACHINE.get_triggers(state)
        if any(
            cast(_StepTransition, transition).step.actor(user, application)
            for transition in MACHINE.get_transitions(trigger=trigger, source=state)
        )
    ]


def may_fire(application: Application, trigger: str, user: User | None) -> bool:
    """The question every button, template and route asks before offering a step."""
    return trigger in allowed_triggers(application, user)


def advance(
    application: Application,
    trigger: str,
    actor: User | None,
    expected_version: int | None = None,
    **data: Any,
) -> StepResult:
    """Move the application by `trigger`, in the caller's transaction (the caller commits).

    The machine does the work: prepare locks the row and checks that nobody moved it since the caller
    loaded it (or since `expected_version`, the version a form was rendered with); its conditions
    check the actor and the guards; the row's after-callback writes the effects and the time stamp;
    after_state_change appends the audit event and queues the notifications. Raises a WorkflowError
    subclass, with messages, when it will not move.
    """
    db.session.flush()
    if trigger not in MACHINE.events:
        raise InvalidTrigger(trigger, STATE_LABELS[S(application.state)])
    seen_version = application.version if expected_version is None else expected_version
    if application.version != seen_version:  # the form was rendered before someone else acted
        raise ConcurrentChange()
    from_state = S(application.state)
    ctx = StepContext(application=application, actor=actor, data=data, today=local_today(), now=utcnow())
    ctx.outputs["seen_version"] = seen_version
    case = _Case(application)
    try:
        with writing_state(), db.session.no_autoflush:
            moved = MACHINE.events[trigger].trigger(case, ctx=ctx)
    except MachineError:
        # Not from this state. Someone who could not fire it from any state learns no more than that.
        if not any(transition.step.actor(actor, application) for transition in _transitions_of(trigger)):
            raise ActorNotAllowed() from None
        raise InvalidTrigger(trigger, STATE_LABELS[from_state]) from None
    if not moved:
        raise InvalidTrigger(trigger, STATE_LABELS[from_state])
    try:
        db.session.flush()
    except StaleDataError as error:
        raise ConcurrentChange() from error
    return StepResult(event=ctx.outputs["event"], lookup_secret=ctx.outputs.get("lookup_secret"))


def _transitions_of(trigger: str) -> list[_StepTransition]:
    rows = MACHINE.events[trigger].transitions.values()
    return [cast(_StepTransition, t) for transitions in rows for t in transitions]


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
                .where(ReviewAssignment.reviews)
            )
            rows.extend(
                {"recipient_role": Role.council_member.value, "recipient_user_id": rid}
                for rid in reviewer_ids
            )
        for row in rows:
            db.session.add(Notification(application_id=application.id, event=step.trigger, **row))


def mermaid_diagram() -> str:
    """The machine as the library draws it (Mermaid; docs/workflow.md holds a copy a test keeps in step)."""
    states = [{"name": state, "final": state in FINAL_STATES} for state in S]
    moves = [{"trigger": step.trigger, "source": list(step.source), "dest": step.dest} for step in STEPS]
    graph = GraphMachine(
        states=states, transitions=moves, initial=S.draft, auto_transitions=False, graph_engine="mermaid",
        title="Application workflow", show_conditions=False,
    )
    return graph.get_graph().draw(None) + "\n"
