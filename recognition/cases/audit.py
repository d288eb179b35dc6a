"""The tamper-evident audit trail: each event carries the SHA-256 of the one before it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy import select

from recognition.accounts.models import User
from recognition.cases.models import Application, AuditEvent, State
from recognition.extensions import db

GENESIS_HASH = "0" * 64


def json_safe(value):
    """Form data as JSON: dates as ISO text, decimals as text, enums as their value."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _canonical_time(at: datetime) -> str:
    """UTC, naive, microseconds: SQLite drops the zone on read, so hash what both databases return."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def compute_hash(event: AuditEvent) -> str:
    body = {
        "application_id": event.application_id,
        "seq": event.seq,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "trigger": event.trigger,
        "from": event.from_state,
        "to": event.to_state,
        "at": _canonical_time(event.at),
        "payload": event.payload,
        "prev": event.prev_hash,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def append_event(
    application: Application,
    actor: User | None,
    actor_role: str,
    trigger: str,
    from_state: State,
    to_state: State,
    at: datetime,
    payload: dict,
) -> AuditEvent:
    """Chain a new event after the application's last one; the caller holds the row lock."""
    last = db.session.scalars(
        select(AuditEvent).where(AuditEvent.application_id == application.id).order_by(AuditEvent.seq.desc())
    ).first()
    event = AuditEvent(
        application_id=application.id,
        seq=(last.seq + 1) if last else 1,
        actor_id=actor.id if actor else None,
        actor_role=actor_role,
        trigger=trigger,
        from_state=from_state.value,
        to_state=to_state.value,
        at=at.replace(microsecond=at.microsecond),
        payload=json_safe(payload),
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = compute_hash(event)
    db.session.add(event)
    return event


@dataclass(frozen=True)
class ChainBreak:
    application_id: int
    seq: int | None
    reason: str

    def __str__(self) -> str:
        where = f"event {self.seq}" if self.seq is not None else "state"
        return f"application {self.application_id}, {where}: {self.reason}"


def verify_chains(application_ids: list[int] | None = None) -> list[ChainBreak]:
    """Recompute every chain (or the given applications'); an empty list means all intact.

    Also checks that each application's state is where its last event left it, so a state
    changed behind the workflow's back shows up too.
    """
    breaks: list[ChainBreak] = []
    events = select(AuditEvent).order_by(AuditEvent.application_id, AuditEvent.seq)
    apps = select(Application.id, Application.state).order_by(Application.id)
    if application_ids is not None:
        events = events.where(AuditEvent.application_id.in_(application_ids))
        apps = apps.where(Application.id.in_(application_ids))
    last_state: dict[int, str] = {}
    previous: AuditEvent | None = None
    for event in db.session.scalars(events.execution_options(yield_per=1000)):
        if previous is None or previous.application_id != event.application_id:
            expected_prev, expected_seq = GENESIS_HASH, 1
        else:
            expected_prev, expected_seq = previous.hash, previous.seq + 1
        if event.seq != expected_seq:
            breaks.append(ChainBreak(event.application_id, event.seq, "missing or reordered event"))
        if event.prev_hash != expected_prev:
            breaks.append(ChainBreak(event.application_id, event.seq, "previous hash does not match"))
        if compute_hash(event) != event.hash:
            breaks.append(
                ChainBreak(event.application_id, event.seq, "event content does not match its hash")
            )
        last_state[event.application_id] = event.to_state
        previous = event
    for application_id, state in db.session.execute(apps):
        expected = last_state.get(application_id, State.draft.value)
        if state != expected:
            breaks.append(ChainBreak(application_id, None, f"state {state} but the trail ends at {expected}"))
    return breaks
