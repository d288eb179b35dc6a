"""The workflow under random fire: a hypothesis state machine throws triggers, actors and payloads at it.

Each step fires a trigger (a real one or a bogus name) by an actor (right or wrong role, right or wrong
unit or enterprise, with a conflict of interest, or nobody: the system) with a valid or a broken payload,
at applications of two rounds (one vetted by the unit, one by the secretariat), and checks that:

- a refused step changes nothing: the application's row, its audit trail, its outbox rows, its requests
  to supplement and the receipt counters read the same before and after;
- an accepted step is a row of STEPS (from in source, same trigger, dest), by an actor the row's
  predicate accepts, with exactly one new audit event recording that move by that actor;
- acceptance, the kind of refusal and the destination match an independent model of who may act and
  what the guards need;
- after every step the audit chains verify, each trail walks the table from draft, and every
  application sits where the model put it.

The machine is built inside the test so it can use the `make` factory and the `db` fixture's app
context. The test owns the calendar: "today" is frozen for the workflow and the factory, and a rule
lets days pass (for reply deadlines and comment periods).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from recognition.accounts.models import Role
from recognition.accounts.services import grant_role
from recognition.cases import workflow
from recognition.cases.audit import verify_chains
from recognition.cases.errors import ActorNotAllowed, InvalidTrigger, TransitionRefused, WorkflowError
from recognition.cases.guards import VETTING_CHECKS
from recognition.cases.models import (
    Application,
    AuditEvent,
    Notification,
    ReceiptCounter,
    State,
    SupplementRequest,
)
from recognition.cases.workflow import STEPS, TRIGGERS, advance
from recognition.clock import local_today, utcnow
from recognition.extensions import db
from recognition.review.models import ReviewAssignment
from recognition.review.scoring import criteria_of, criterion_scorers
from recognition.rounds.models import VettingBody
from tests.conftest import VALID_DATA, valid_data

# The hypothesis profile (tests/conftest.py) sets how many examples of how many steps are made:
# "ci" 50 of up to 80, "dev" 10. They are made in PARTS test items of a share each, so that
# pytest-xdist runs them side by side; each part must fire at least half its budget of steps as
# triggers (1000 a part, 2000 in all under "ci"; a run usually fires four in five) and accept every
# trigger on its own.
PARTS = 2
FIRES_PER_BUDGETED_STEP = 0.5
MAX_APPLICATIONS = 10  # per example
MAX_LIVE_APPLICATIONS = 4  # not yet in a final state
MAX_DAYS_PASSING = 28  # per example; the rounds stay open (they close 30 days after the start)
BOGUS_TRIGGER = "approve_everything"
DAYS = (15, 1, 7)  # days that pass at a time; a valid request to supplement gives 14 days to reply

# Counted over the whole test run (all examples, shrinking included).
COUNTS: Counter = Counter()
ACCEPTED: Counter = Counter()
REFUSED: Counter = Counter()

# Who may fire what, written independently of permissions.py: the test's model of the rules.
WHO = {
    "submit": "applicant",
    "resubmit": "applicant",
    "withdraw": "applicant",
    "start_vetting": "vetting_body",
    "request_supplement": "vetting_body",
    "endorse": "vetting_body",
    "reject_in_unit": "vetting_body",
    "open_review": "secretariat",
    "conclude_review": "secretariat",
    "recognise": "secretariat",
    "lapse": "system",
}
UNITS = {"x": "X-DONGANH", "p": "P-HADONG"}  # enterprise key -> its administrative unit
TABLE = {(source.value, step.trigger, step.dest.value) for step in STEPS for source in step.source}
REVIEW_STATES = (State.endorsed, State.under_review)
RECOGNISABLE = (State.under_review, State.recommended)
FINAL_STATES = {State.unit_rejected, State.not_recommended, State.recognised, State.withdrawn}
# How often the guided rules pick a trigger among those leaving the state: the way to recognition
# first, a request to supplement often enough, and the applicant's reply no faster than a lapse.
WEIGHTS = {
    "submit": 3,
    "start_vetting": 3,
    "endorse": 3,
    "open_review": 3,
    "conclude_review": 3,
    "recognise": 3,
    "request_supplement": 2,
    "resubmit": 2,
}
PASS_THRESHOLD = 70  # the rounds' default
REVIEWERS_NEEDED = 3  # the rounds' default


@dataclass(frozen=True)
class ActorSpec:
    """What an actor holds: applicant of enterprises, officer of units (by enterprise key), secretariat."""

    applicant_of: frozenset = frozenset()
    officer_of: frozenset = frozenset()
    secretariat: bool = False
    other_roles: tuple = ()


ACTORS: dict[str, ActorSpec | None] = {
    "applicant_x": ActorSpec(applicant_of=frozenset("x")),
    "applicant_p": ActorSpec(applicant_of=frozenset("p")),
    "officer_x": ActorSpec(officer_of=frozenset("x")),
    "officer_p": ActorSpec(officer_of=frozenset("p")),
    # An officer of X-DONGANH who is also an applicant of the X enterprise: may not vet its dossiers.
    "officer_and_applicant_x": ActorSpec(applicant_of=frozenset("x"), officer_of=frozenset("x")),
    "secretariat": ActorSpec(secretariat=True),
    # A secretariat member who is also an applicant of the P enterprise: may not act on its dossiers.
    "secretariat_and_applicant_p": ActorSpec(applicant_of=frozenset("p"), secretariat=True),
    "council_member": ActorSpec(other_roles=(Role.council_member,)),
    "admin": ActorSpec(other_roles=(Role.admin,)),
    "nobody": None,  # no user: the scheduled jobs
}
ACTOR_NAMES = sorted(ACTORS)


@dataclass
class RoundModel:
    id: int
    body: VettingBody
    max_supplements: int
    opens_on: date
    closes_on: date
    comment_deadline: date | None = None  # set when the results are published


@dataclass
class ReviewerModel:
    assignment_id: int
    score: Decimal | None
    conflict: bool = False


@dataclass
class AppModel:
    id: int
    round: str
    enterprise: str
    complete: bool
    state: State = State.draft
    supplements: int = 0
    open_items: int | None = None  # items of the unanswered request to supplement
    reply_deadline: date | None = None  # its deadline
    reviewers: list[ReviewerModel] = field(default_factory=list)

    @property
    def active(self) -> list[ReviewerModel]:
        return [r for r in self.reviewers if not r.conflict]


@dataclass(frozen=True)
class AppRef:
    key: int

    def __repr__(self) -> str:
        return f"AppRef({self.key})"


class Clock:
    """The day the workflow and the factory see while the test runs."""

    def __init__(self, today: date):
        self.start = self.today = today

    def local_today(self) -> date:
        return self.today


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()
TEXT = "Nội dung đầy đủ"
BLANKS = ("", "   ")
CONCLUSIONS = (
    {},
    {"outcome": "recommended", "override_reason": "Sản phẩm khởi nghiệp sáng tạo"},
    {"outcome": "not_recommended", "override_reason": "Chưa đủ hồ sơ chứng minh"},
)


def valid_payload(trigger: str) -> dict:
    """conftest's valid data; a trigger it does not list (a system step) takes none."""
    return valid_data(trigger) if trigger in VALID_DATA else {}


def _payload(**options) -> st.SearchStrategy[dict]:
    """Dictionaries whose fields take one of the given values (MISSING leaves the field out)."""
    return st.fixed_dictionaries({k: st.sampled_from(v) for k, v in options.items()}).map(
        lambda d: {k: v for k, v in d.items() if v is not MISSING}
    )


def broken_payloads(today: date) -> dict[str, st.SearchStrategy[dict]]:
    """Per trigger: payloads with missing, blank, wrongly typed or out-of-range fields (some valid)."""
    reason = _payload(reason=(TEXT, *BLANKS, MISSING, 42))
    note = _payload(note=(MISSING, TEXT))
    payloads = {
        "submit": _payload(declaration=(MISSING, False, "yes", 1, True)),
        "request_supplement": _payload(
            items=([TEXT], [TEXT, "Giấy chứng nhận"], MISSING, [], ["  "], [TEXT, ""]),
            deadline=(
                today + timedelta(days=14),
                today + timedelta(days=1),
                today,
                today - timedelta(days=1),
                MISSING,
                (today + timedelta(days=14)).isoformat(),
            ),
        ),
        "resubmit": _payload(answers=([TEXT], [TEXT, "Đã nộp"], MISSING, [], ["  "], [TEXT, " "])),
        "endorse": _payload(
            site_visit_date=(today - timedelta(days=1), today, MISSING, "2025-01-01"),
            eligibility_confirmed=(True, False, MISSING, "true"),
            recommendation=(TEXT, *BLANKS, MISSING),
            **{check: (True, False, MISSING, "yes") for check in VETTING_CHECKS},
        ),
        "reject_in_unit": reason,
        "conclude_review": _payload(
            outcome=(MISSING, "recommended", "not_recommended", "recognised", ""),
            override_reason=(MISSING, TEXT, "  "),
        ),
        "recognise": _payload(
            decision_number=("12/QĐ-UBND", *BLANKS, MISSING),
            decision_date=(
                today,
                today - timedelta(days=3),
                today + timedelta(days=1),
                MISSING,
                today.isoformat(),
            ),
        ),
        "withdraw": reason,
    }
    # Steps that read no data (start_vetting, open_review, lapse) and the bogus trigger: noise only.
    return {trigger: payloads.get(trigger, note) for trigger in (*TRIGGERS, BOGUS_TRIGGER)}


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def rule_outcome(model: AppModel) -> State:
    totals = [r.score for r in model.active if r.score is not None]
    if not totals:
        return State.not_recommended
    mean = (sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return State.recommended if mean >= PASS_THRESHOLD else State.not_recommended


def may_act(who: str, spec: ActorSpec | None, app: AppModel, round_: RoundModel) -> bool:
    """The rules of permissions.py restated: role, enterprise or unit, and no conflict of interest."""
    if who == "system":
        return spec is None
    if spec is None:
        return False
    if who == "applicant":
        return app.enterprise in spec.applicant_of
    if app.enterprise in spec.applicant_of:
        return False
    if who == "secretariat" or round_.body == VettingBody.secretariat:
        return spec.secretariat
    return app.enterprise in spec.officer_of


def snapshot(application_id: int) -> dict:
    """Everything a step may write for one application, read from the database."""
    table = Application.__table__

    def count(model):
        return (
            select(func.count())
            .select_from(model)
            .where(model.application_id == application_id)
            .scalar_subquery()
        )

    row = db.session.execute(
        select(
            table,
            count(AuditEvent).label("audit_events"),
            count(Notification).label("notifications"),
            select(func.coalesce(func.sum(ReceiptCounter.last), 0)).scalar_subquery().label("receipts"),
        ).where(table.c.id == application_id)
    ).one()
    return {
        "row": tuple(row),
        "state": row.state,
        "version": row.version,
        "audit": row.audit_events,
        "supplements": db.session.execute(
            select(
                SupplementRequest.number,
                SupplementRequest.items,
                SupplementRequest.answers,
                SupplementRequest.answered_at,
            )
            .where(SupplementRequest.application_id == application_id)
            .order_by(SupplementRequest.number)
        ).all(),
    }


def _diff(before: dict, after: dict) -> dict:
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


@pytest.mark.parametrize("part", range(1, PARTS + 1))
def test_random_triggers_by_random_actors_follow_the_table(make, monkeypatch, part):
    assert set(WHO) == set(TRIGGERS), "the test's model of who acts must name every trigger of STEPS"
    COUNTS.clear()
    ACCEPTED.clear()
    REFUSED.clear()
    budget = settings(settings.default, max_examples=max(1, settings.default.max_examples // PARTS))
    min_fires = int(budget.max_examples * budget.stateful_step_count * FIRES_PER_BUDGETED_STEP)
    clock = Clock(local_today())
    monkeypatch.setattr(workflow, "local_today", clock.local_today)
    monkeypatch.setattr(sys.modules[type(make).__module__], "local_today", clock.local_today)
    assert type(make).__module__ == valid_data.__module__  # valid_data's dates follow the clock too
    broken = broken_payloads(clock.start)

    def payloads(trigger: str, valid_weight: int) -> st.SearchStrategy[dict]:
        if trigger == BOGUS_TRIGGER:
            return broken[trigger]
        valid = st.builds(valid_payload, st.just(trigger))
        return st.one_of(*([valid] * valid_weight), broken[trigger])

    class WorkflowMachine(RuleBasedStateMachine):
        applications = Bundle("applications")

        def __init__(self):
            super().__init__()
            COUNTS["examples"] += 1
            clock.today = clock.start
            self.verified: dict[int, tuple] = {}  # id -> (id, state, version, event count) last verified
            self.rounds = {
                "unit": make.round(vetting_body=VettingBody.unit),
                "secretariat": make.round(vetting_body=VettingBody.secretariat, max_supplement_requests=2),
            }
            self.round_models = {
                key: RoundModel(r.id, r.vetting_body, r.max_supplement_requests, r.opens_on, r.closes_on)
                for key, r in self.rounds.items()
            }
            # Members score totals here: no criteria, so none assigned to members, and the guards on
            # criteria (every one has a scorer to open review, a score to conclude) have nothing to
            # refuse; tests/review/test_assigned_criteria.py drives them.
            assert all(not criteria_of(r.id) and not criterion_scorers(r.id) for r in self.rounds.values())
            self.enterprises = {key: make.enterprise(unit_code=code) for key, code in UNITS.items()}
            self.users = {}
            for name, spec in ACTORS.items():
                if spec is None:
                    self.users[name] = None
                    continue
                user = make.user()
                for key in spec.applicant_of:
                    grant_role(user, Role.applicant, enterprise=self.enterprises[key])
                for key in spec.officer_of:
                    grant_role(user, Role.unit_officer, unit=make.unit(UNITS[key]))
                if spec.secretariat:
                    grant_role(user, Role.secretariat)
                for role in spec.other_roles:
                    grant_role(user, role)
                self.users[name] = user
            db.session.commit()
            self.apps: dict[int, AppModel] = {}

        def teardown(self):
            db.session.rollback()
            if self.apps:
                breaks = verify_chains([m.id for m in self.apps.values()])
                assert breaks == [], [str(b) for b in breaks]

        def _live(self) -> list[int]:
            return [key for key, model in self.apps.items() if model.state not in FINAL_STATES]

        # -- applications ---------------------------------------------------------------------------

        def _create(self, round_key: str, enterprise_key: str, complete: bool) -> AppRef:
            application = make.application(
                round=self.rounds[round_key], enterprise=self.enterprises[enterprise_key], complete=complete
            )
            key = len(self.apps) + 1
            self.apps[key] = AppModel(application.id, round_key, enterprise_key, complete)
            return AppRef(key)

        @initialize(
            target=applications,
            places=st.lists(
                st.tuples(st.sampled_from(["unit", "secretariat"]), st.sampled_from(sorted(UNITS))),
                min_size=3,
                max_size=3,
            ),
        )
        def first_applications(self, places):
            """Three complete nominations, so even an example that never adds one has dossiers to move."""
            COUNTS["steps"] += 1
            return multiple(*(self._create(round_key, enterprise, True) for round_key, enterprise in places))

        @precondition(
            lambda self: len(self.apps) < MAX_APPLICATIONS and len(self._live()) < MAX_LIVE_APPLICATIONS
        )
        @rule(
            target=applications,
            round_key=st.sampled_from(["unit", "secretariat"]),
            enterprise_key=st.sampled_from(sorted(UNITS)),
            complete=st.sampled_from([True, True, True, False]),
        )
        def new_application(self, round_key, enterprise_key, complete):
            """A nomination, complete or with empty sections and no documents."""
            COUNTS["steps"] += 1
            COUNTS["rule new_application"] += 1
            return self._create(round_key, enterprise_key, complete)

        # -- firing triggers ------------------------------------------------------------------------

        @rule(
            app=applications,
            trigger=st.sampled_from((*TRIGGERS, BOGUS_TRIGGER)),
            actor=st.sampled_from(ACTOR_NAMES),
            data=st.data(),
        )
        def fire_anything(self, app, trigger, actor, data):
            """Any trigger, any actor, a valid or a broken payload."""
            COUNTS["rule fire_anything"] += 1
            payload = data.draw(payloads(trigger, valid_weight=1), label="payload")
            self._fire(app, trigger, actor, payload)

        def _weight(self, key: int, trigger: str) -> int:
            """How much the guided rules prefer `trigger` at application `key` (it leaves its state).

            Every third application asks for a supplement while the round allows it, and of those
            every other one lets the reply deadline pass (the system lapses it) instead of replying.
            """
            model = self.apps[key]
            if trigger == "lapse":
                ripe = model.reply_deadline is not None and clock.today > model.reply_deadline
                return 4 if ripe else 3 if key % 6 == 0 else 1
            if key % 3 == 0:
                if trigger == "request_supplement":
                    return 4 if model.supplements < self.round_models[model.round].max_supplements else 1
                if trigger == "resubmit":
                    return 1 if key % 6 == 0 else 3
            return WEIGHTS.get(trigger, 1)

        def _plausible(self, data) -> tuple[AppRef, str, list[str]]:
            """A live application, a trigger that leaves its state (mostly forward), who may fire it."""
            app = AppRef(data.draw(st.sampled_from(self._live() or sorted(self.apps)), label="application"))
            model = self.apps[app.key]
            leaving = [t for t in TRIGGERS if any(s.trigger == t and model.state in s.source for s in STEPS)]
            # Heaviest first: hypothesis leans towards the first element.
            leaving.sort(key=lambda t: -self._weight(app.key, t))
            weighted = [t for t in leaving for _ in range(self._weight(app.key, t))]
            trigger = data.draw(st.sampled_from(weighted or list(TRIGGERS)), label="trigger")
            round_ = self.round_models[model.round]
            allowed = [n for n in ACTOR_NAMES if may_act(WHO[trigger], ACTORS[n], model, round_)]
            return app, trigger, allowed

        @rule(data=st.data())
        def fire_plausible(self, data):
            """A plausible trigger, mostly by an actor who may fire it, mostly with a valid payload."""
            COUNTS["rule fire_plausible"] += 1
            app, trigger, allowed = self._plausible(data)
            choices = [st.sampled_from(allowed)] * 4 if allowed else []
            actor = data.draw(st.one_of(*choices, st.sampled_from(ACTOR_NAMES)), label="actor")
            payload = data.draw(payloads(trigger, valid_weight=3), label="payload")
            self._fire(app, trigger, actor, payload)

        @precondition(lambda self: self._live())
        @rule(data=st.data())
        def fire_forward(self, data):
            """A plausible trigger by an actor who may fire it with a valid payload: moves dossiers along."""
            COUNTS["rule fire_forward"] += 1
            app, trigger, allowed = self._plausible(data)
            actor = data.draw(st.sampled_from(allowed or ACTOR_NAMES), label="actor")
            payload = valid_payload(trigger)
            if trigger == "conclude_review":
                payload = data.draw(st.sampled_from(CONCLUSIONS), label="payload")
            self._fire(app, trigger, actor, payload)

        def _expect(self, model: AppModel, trigger: str, actor: str, payload: dict):
            """(the error advance() must raise or None, the state it must reach) by the test's model."""
            steps = [s for s in STEPS if s.trigger == trigger]
            if not steps:
                return InvalidTrigger, None
            round_ = self.round_models[model.round]
            if not may_act(WHO[trigger], ACTORS[actor], model, round_):
                return ActorNotAllowed, None
            steps = [s for s in steps if model.state in s.source]
            if not steps:
                return InvalidTrigger, None
            today, dest, p = clock.today, steps[0].dest, payload
            if trigger == "submit":
                ok = (
                    round_.opens_on <= today <= round_.closes_on
                    and model.complete
                    and p.get("declaration") is True
                )
            elif trigger == "request_supplement":
                items, deadline = p.get("items") or [], p.get("deadline")
                ok = (
                    bool(items)
                    and all(_text(i) for i in items)
                    and isinstance(deadline, date)
                    and deadline > today
                    and model.supplements < round_.max_supplements
                )
            elif trigger == "resubmit":
                answers = p.get("answers") or []
                ok = len(answers) == model.open_items and all(_text(a) for a in answers)
            elif trigger == "endorse":
                ok = (
                    isinstance(p.get("site_visit_date"), date)
                    and p.get("eligibility_confirmed") is True
                    and all(isinstance(p.get(c), bool) for c in VETTING_CHECKS)
                    and _text(p.get("recommendation"))
                )
            elif trigger in ("reject_in_unit", "withdraw"):
                ok = _text(p.get("reason"))
            elif trigger == "open_review":
                # Enough reviewers; every criterion has one of them as scorer (no criteria here).
                ok = len(model.active) >= REVIEWERS_NEEDED
            elif trigger == "conclude_review":
                by_rule = rule_outcome(model)
                outcome = p.get("outcome")
                dest = State(outcome) if outcome in ("recommended", "not_recommended") else by_rule
                ok = (
                    all(r.score is not None for r in model.active)  # no criteria: no criterion unscored
                    and len(model.active) >= REVIEWERS_NEEDED  # conflicts declared late leave it short
                    and (dest == by_rule or _text(p.get("override_reason")))
                )
            elif trigger == "recognise":
                decided = p.get("decision_date")
                ok = (
                    round_.comment_deadline is not None
                    and today > round_.comment_deadline
                    and _text(p.get("decision_number"))
                    and isinstance(decided, date)
                    and decided <= today
                )
            elif trigger == "lapse":
                ok = model.reply_deadline is not None and today > model.reply_deadline
            else:
                assert trigger == "start_vetting", f"the model has no guards for {trigger}"
                ok = True
            return (None, dest) if ok else (TransitionRefused, None)

        def _fire(self, app: AppRef, trigger: str, actor_name: str, payload: dict) -> None:
            COUNTS["steps"] += 1
            COUNTS["fires"] += 1
            model = self.apps[app.key]
            application = db.session.get(Application, model.id)
            actor = self.users[actor_name]
            before = snapshot(model.id)
            assert State(before["state"]) == model.state
            expected_error, expected_dest = self._expect(model, trigger, actor_name, payload)
            try:
                result = advance(application, trigger, actor, **payload)
                db.session.commit()
            except WorkflowError as error:
                db.session.rollback()
                after = snapshot(model.id)
                assert after == before, f"refused {trigger} ({error}) changed {_diff(before, after)}"
                assert type(error) is (expected_error or type(None)), (
                    f"{trigger} by {actor_name} from {model.state} with {payload!r} was refused with "
                    f"{type(error).__name__} ({error}); the model expected "
                    f"{expected_error.__name__ if expected_error else 'acceptance'}"
                )
                REFUSED[type(error).__name__] += 1
                REFUSED[f"{trigger}: {type(error).__name__}"] += 1
                return

            after = snapshot(model.id)
            from_state, to_state = State(before["state"]), State(after["state"])
            assert expected_error is None, (
                f"{trigger} by {actor_name} from {from_state} with {payload!r} was accepted "
                f"(to {to_state}); the model expected {expected_error.__name__}"
            )
            rows = [
                s for s in STEPS if s.trigger == trigger and from_state in s.source and s.dest == to_state
            ]
            assert rows, f"{from_state} --{trigger}--> {to_state} is not a row of STEPS"
            step = rows[0]
            role = step.actor(actor, application)
            assert role is not None, f"{actor_name} is not an actor of {trigger}"
            assert to_state == expected_dest, f"{trigger} reached {to_state}, model expected {expected_dest}"
            assert after["audit"] == before["audit"] + 1, "an accepted step must add exactly one audit event"
            assert after["version"] == before["version"] + 1
            event = db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.application_id == model.id)
                .order_by(AuditEvent.seq.desc())
            ).first()
            assert event.id == result.event.id
            assert (event.seq, event.trigger, event.from_state, event.to_state) == (
                before["audit"] + 1,
                trigger,
                from_state.value,
                to_state.value,
            )
            assert (event.actor_id, event.actor_role) == (actor.id if actor else None, str(role))
            if step.stamp:
                assert getattr(application, step.stamp) is not None, f"{step.stamp} not set"

            model.state = to_state
            if trigger == "request_supplement":
                model.supplements += 1
                model.open_items = len(payload["items"])
                model.reply_deadline = payload["deadline"]
            elif trigger == "resubmit":
                model.open_items = model.reply_deadline = None
            ACCEPTED[trigger] += 1
            ACCEPTED[f"{trigger} -> {to_state.value}"] += 1

        # -- making guards satisfiable (or not) -----------------------------------------------------

        def _arrangements(self) -> list[tuple[str, object]]:
            actions = []
            for key, model in self.apps.items():
                if model.state in REVIEW_STATES:
                    if len(model.active) < REVIEWERS_NEEDED:
                        actions.append(("assign_reviewers", key))
                    if any(r.score is None for r in model.active):
                        actions.append(("submit_scores", key))
                    # Only a member who has not submitted may declare (services.declare; a CHECK too).
                    unsubmitted = [r for r in model.active if r.score is None]
                    if unsubmitted and not any(r.conflict for r in model.reviewers):
                        actions.append(("declare_conflict", key))
            waiting = {self.apps[k].round for k in self._live() if self.apps[k].state in RECOGNISABLE}
            for key in sorted(waiting):
                deadline = self.round_models[key].comment_deadline
                if deadline is None or deadline >= clock.today:
                    actions.append(("publish_results", key))
            if self._waiting_on_the_calendar():
                actions.append(("days_pass", None))
            return actions

        @precondition(lambda self: self._arrangements())
        @rule(data=st.data())
        def arrange(self, data):
            """Assign reviewers, submit scores, declare a conflict, publish a round's results, or let
            days pass."""
            COUNTS["steps"] += 1
            COUNTS["rule arrange"] += 1
            action, key = data.draw(st.sampled_from(self._arrangements()), label="arrangement")
            COUNTS[action] += 1
            if action == "days_pass":
                self._let_days_pass(data.draw(st.sampled_from(DAYS), label="days"))
                return
            if action == "publish_results":
                days_ago = data.draw(st.sampled_from([1, 5, 0, -7]), label="comment deadline days ago")
                make.publish_results(self.rounds[key], deadline_days_ago=days_ago)
                self.round_models[key].comment_deadline = clock.today - timedelta(days=days_ago)
                return
            model = self.apps[key]
            if action == "assign_reviewers":
                count = data.draw(st.sampled_from([REVIEWERS_NEEDED - len(model.active), 1]), label="count")
                # Hypothesis leans towards the first option: high scores for odd keys, low for even ones.
                high, low = [80, 75, 72], [60, 65, 70]
                first, second = (high, low) if key % 2 else (low, high)
                profile = data.draw(st.sampled_from([first, second, [70, 70, 70], None]), label="scores")
                reviewers = make.assign_reviewers(
                    db.session.get(Application, model.id),
                    scores=profile[:count] if profile else None,
                    count=count,
                )
                ids = {r.id for r in reviewers}
                for assignment in db.session.scalars(
                    select(ReviewAssignment)
                    .where(ReviewAssignment.application_id == model.id)
                    .order_by(ReviewAssignment.id)
                ):
                    if assignment.reviewer_id in ids:
                        model.reviewers.append(ReviewerModel(assignment.id, assignment.total_score))
            elif action == "submit_scores":
                score = data.draw(st.sampled_from([85, 55, 70]), label="score")
                for reviewer in model.active:
                    if reviewer.score is None:
                        assignment = db.session.get(ReviewAssignment, reviewer.assignment_id)
                        assignment.total_score = Decimal(score)
                        assignment.submitted_at = utcnow()
                        reviewer.score = Decimal(score)
                db.session.commit()
            else:  # declare_conflict
                unsubmitted = [r for r in model.active if r.score is None]
                reviewer = data.draw(st.sampled_from(unsubmitted), label="reviewer")
                assignment = db.session.get(ReviewAssignment, reviewer.assignment_id)
                assignment.has_conflict = True
                assignment.conflict_reason = "Người thân làm việc tại doanh nghiệp"
                reviewer.conflict = True
                db.session.commit()

        def _waiting_on_the_calendar(self) -> bool:
            if (clock.today - clock.start).days >= MAX_DAYS_PASSING:
                return False
            replies = any(self.apps[k].state == State.supplement_requested for k in self._live())
            comments = any(
                r.comment_deadline is not None and r.comment_deadline >= clock.today
                for r in self.round_models.values()
            )
            return replies or comments

        def _let_days_pass(self, days: int) -> None:
            """Time runs on: reply deadlines and comment periods run out (the rounds stay open)."""
            left = MAX_DAYS_PASSING - (clock.today - clock.start).days
            clock.today += timedelta(days=min(days, left))

        @precondition(lambda self: self._waiting_on_the_calendar())
        @rule(days=st.sampled_from(DAYS))
        def days_pass(self, days):
            COUNTS["steps"] += 1
            COUNTS["rule days_pass"] += 1
            self._let_days_pass(days)

        # -- after every step -----------------------------------------------------------------------

        @invariant()
        def audit_chains_verify_and_states_follow_the_table(self):
            """Every application's state is the model's; the trail of every application whose state,
            version or events changed since the last step verifies and walks the table from draft.
            (The workflow only appends events, so an unchanged count and version mean an unchanged trail;
            re-verifying every trail at every step made the test quadratic. `teardown` verifies them
            all once more, which catches an event rewritten in place.)"""
            ids = [m.id for m in self.apps.values()]
            if not ids:
                return
            events = select(func.count()).where(AuditEvent.application_id == Application.id).scalar_subquery()
            now = {
                row.id: row
                for row in db.session.execute(
                    select(Application.id, Application.state, Application.version, events.label("events"))
                    .where(Application.id.in_(ids))
                )
            }
            for key, model in self.apps.items():
                assert State(now[model.id].state) == model.state, f"AppRef({key}) moved behind the model"
            changed = [i for i in ids if self.verified.get(i) != tuple(now[i])]
            if not changed:
                return
            breaks = verify_chains(changed)
            assert breaks == [], [str(b) for b in breaks]
            self.verified.update({i: tuple(now[i]) for i in changed})
            trail = db.session.execute(
                select(
                    AuditEvent.application_id, AuditEvent.trigger, AuditEvent.from_state, AuditEvent.to_state
                )
                .where(AuditEvent.application_id.in_(changed))
                .order_by(AuditEvent.application_id, AuditEvent.seq)
            )
            reached: dict[int, str] = {}
            for application_id, trigger, from_state, to_state in trail:
                assert from_state == reached.get(application_id, State.draft.value)
                assert (from_state, trigger, to_state) in TABLE, f"{from_state} --{trigger}--> {to_state}"
                reached[application_id] = to_state

    def covered() -> bool:
        outcomes = (f"conclude_review -> {dest.value}" for dest in (State.recommended, State.not_recommended))
        return COUNTS["fires"] >= min_fires and all(ACCEPTED[t] for t in (*TRIGGERS, *outcomes))

    # Hypothesis cuts some examples short (and rejects some), so the counts vary: one run usually fires
    # well over min_fires triggers and accepts each one many times; another run makes up for a thin one.
    for _ in range(3):
        run_state_machine_as_test(
            WorkflowMachine,
            settings=settings(
                budget,
                deadline=None,
                suppress_health_check=[
                    HealthCheck.too_slow,
                    HealthCheck.function_scoped_fixture,
                    HealthCheck.filter_too_much,
                ],
            ),
        )
        COUNTS["runs"] += 1
        if covered():
            break

    print(f"\nstateful workflow run, part {part} of {PARTS}: {dict(COUNTS)}")
    print(f"accepted: {dict(sorted(ACCEPTED.items()))}")
    print(f"refused: {dict(sorted(REFUSED.items()))}")
    assert COUNTS["fires"] >= min_fires, f"only {COUNTS['fires']} triggers fired"
    assert COUNTS["steps"] >= min_fires
    never = [t for t in TRIGGERS if not ACCEPTED[t]]
    assert never == [], f"never accepted: {never}"
    for dest in (State.recommended, State.not_recommended):
        assert ACCEPTED[f"conclude_review -> {dest.value}"], f"conclude_review never reached {dest.value}"
    assert {"InvalidTrigger", "ActorNotAllowed", "TransitionRefused"} <= set(REFUSED)
