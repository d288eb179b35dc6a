"""The tamper-evident audit trail.

Every event carries the SHA-256 of the one before it in its chain (one chain per dossier, one per
other record: an enterprise, a product, a round) and an HMAC of its own hash under AUDIT_KEY, a
key kept outside the database, so a re-hashed chain does not verify. Each day the heads of all
chains are digested into a keyed anchor; deleting a chain's last events changes that digest, and
the secretariat exports the anchors to archive them outside the system.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, Protocol, TypeVar, cast

from flask import current_app
from sqlalchemy import Row, Table, func, select, update

from recognition.accounts.models import Role, User
from recognition.cases.models import Application, AuditAnchor, AuditEvent, RecordChange, State
from recognition.clock import HANOI, utcnow
from recognition.extensions import db

GENESIS_HASH = "0" * 64
STREAMED_ROWS = 1000  # rows a verification holds at once, whatever the size of the trail


class Audited(Protocol):
    """A record the audit locks and chains: a model on a table of its own, keyed by an integer `id`."""

    __tablename__: str
    __table__: ClassVar[Table]

    @property
    def id(self) -> int: ...


AuditedT = TypeVar("AuditedT", bound=Audited)
Link = TypeVar("Link", AuditEvent, RecordChange)  # a link of a hash chain: a dossier's, or a record's


def json_safe(value: Any) -> Any:
    """Form data as JSON: dates as ISO text, decimals as text, enums as their value."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def canonical_sha256(value: object) -> str:
    """The SHA-256 of a JSON-able value written canonically (sorted keys, no spaces)."""
    text = json.dumps(json_safe(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical_time(at: datetime) -> str:
    """UTC, naive, microseconds: SQLite drops the zone on read, so hash what both databases return."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def keyed_mac(text: str) -> str:
    """HMAC-SHA256 under AUDIT_KEY (configuration, never the database)."""
    key = current_app.config["AUDIT_KEY"].encode("utf-8")
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def compute_hash(event: AuditEvent | Row[Any]) -> str:
    return canonical_sha256(
        {
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
    )


def compute_change_hash(change: RecordChange | Row[Any]) -> str:
    return canonical_sha256(
        {
            "subject": f"{change.subject_type}:{change.subject_id}",
            "seq": change.seq,
            "actor_id": change.actor_id,
            "actor_role": change.actor_role,
            "action": change.action,
            "at": _canonical_time(change.at),
            "payload": change.payload,
            "prev": change.prev_hash,
        }
    )


def lock_row(instance: AuditedT) -> AuditedT:
    """Take the row lock: FOR UPDATE on PostgreSQL; on SQLite, the database write lock.

    Pending changes are flushed first, since the row is read back from the database."""
    session = db.session
    session.flush()
    model = type(instance)
    table = model.__table__
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(table).where(table.c.id == instance.id).values(id=table.c.id))
    stmt = (
        select(model)
        .where(table.c.id == instance.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(stmt).one()


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
        actor_id=actor.id if actor else None,
        actor_role=actor_role,
        trigger=trigger,
        from_state=from_state.value,
        to_state=to_state.value,
        at=at,
        payload=json_safe(payload),
    )
    return _chain_after(last, event, compute_hash)


def record_event(
    application: Application, actor: User | None, actor_role: str, action: str, payload: dict
) -> AuditEvent:
    """An audited act on a dossier that does not move it (a score, a declaration, an assignment,
    evidence added to a supplement): joins the dossier's chain, state unchanged."""
    application = lock_row(application)
    state = State(application.state)
    return append_event(application, actor, actor_role, action, state, state, utcnow(), payload)


def record_change(
    subject: Audited, actor: User | None, actor_role: str, action: str, payload: dict
) -> RecordChange:
    """An audited change to a record other than a dossier (an enterprise, a product, a round, an
    account, a unit), chained per subject."""
    subject = lock_row(subject)
    return record_changes([(subject, payload)], actor, actor_role, action)[0]


def record_changes(
    changes: list[tuple[AuditedT, dict]], actor: User | None, actor_role: str, action: str
) -> list[RecordChange]:
    """Audited changes to many records of one table at once (an import): the chains' heads read in
    one query, not one each. record_change locks its one record first; here the rows are not locked:
    two writers racing on a chain collide on its (subject, seq) uniqueness, the later one fails."""
    if not changes:
        return []
    subject_type = type(changes[0][0]).__tablename__
    ids = [subject.id for subject, _payload in changes]
    of_these = (RecordChange.subject_type == subject_type) & RecordChange.subject_id.in_(ids)
    last_seq = (
        select(RecordChange.subject_id, func.max(RecordChange.seq).label("seq"))
        .where(of_these)
        .group_by(RecordChange.subject_id)
        .subquery()
    )
    heads = {
        change.subject_id: change
        for change in db.session.scalars(
            select(RecordChange)
            .join(
                last_seq,
                (RecordChange.subject_id == last_seq.c.subject_id) & (RecordChange.seq == last_seq.c.seq),
            )
            .where(RecordChange.subject_type == subject_type)
        )
    }
    at = utcnow()
    made = []
    for subject, payload in changes:
        change = RecordChange(
            subject_type=subject_type, subject_id=subject.id, actor_id=actor.id if actor else None,
            actor_role=actor_role, action=action, at=at, payload=json_safe(payload),
        )  # fmt: skip
        made.append(_chain_after(heads.get(subject.id), change, compute_change_hash))
    return made


EntryT = TypeVar("EntryT")


def save_entry(
    found: EntryT | None,
    create: Callable[[], EntryT],
    values: dict[str, Any],
    audited: tuple[str, ...],
    actor: User,
    subject: str,
    audit_on: Audited | None = None,
    **context: Any,
) -> EntryT:
    """Enter (`create`, the first time) or correct (`found`) figures the secretariat copies from the
    statistics office's: set `values` and audit "enter_<subject>" or "edit_<subject>" with the
    `audited` fields that changed, in the chain of `audit_on` (the entry itself unless told). A
    correction that changes nothing is not audited. The caller commits."""
    before = field_values(found, audited) if found is not None else {}
    entry = create() if found is None else found
    db.session.add(entry)
    for name, value in values.items():
        setattr(entry, name, value)
    db.session.flush()
    changes = changed_fields(before, field_values(entry, audited))
    if changes:
        action = f"edit_{subject}" if before else f"enter_{subject}"
        chain = audit_on if audit_on is not None else cast(Audited, entry)
        record_change(chain, actor, Role.secretariat.value, action, {**context, **changes})
    return entry


def _chain_after(last: Link | None, link: Link, hash_of: Callable[[Link], str]) -> Link:
    """Add `link` after `last`, its chain's head (None: it starts the chain): the next sequence number
    and the head's hash, then its own hash and the keyed MAC of that, as `_check_link` verifies."""
    link.seq = last.seq + 1 if last else 1
    link.prev_hash = last.hash if last else GENESIS_HASH
    link.hash = hash_of(link)
    link.mac = keyed_mac(link.hash)
    db.session.add(link)
    return link


def field_values(instance: object, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: json_safe(getattr(instance, name)) for name in names}


def changed_fields(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value differs."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


@dataclass(frozen=True)
class ChainBreak:
    chain: str
    seq: int | None
    reason: str

    def __str__(self) -> str:
        where = f"event {self.seq}" if self.seq is not None else "state"
        return f"{self.chain}, {where}: {self.reason}"


def _check_link(
    breaks: list[ChainBreak],
    chain: str,
    event: AuditEvent | RecordChange | Row[Any],
    previous: AuditEvent | RecordChange | Row[Any] | None,
    same_chain: bool,
    expected_hash: str,
) -> None:
    expected_prev, expected_seq = (
        (previous.hash, previous.seq + 1) if same_chain and previous is not None else (GENESIS_HASH, 1)
    )
    if event.seq != expected_seq:
        breaks.append(ChainBreak(chain, event.seq, "missing or reordered event"))
    if event.prev_hash != expected_prev:
        breaks.append(ChainBreak(chain, event.seq, "previous hash does not match"))
    if expected_hash != event.hash:
        breaks.append(ChainBreak(chain, event.seq, "event content does not match its hash"))
    if event.mac is None or not hmac.compare_digest(event.mac, keyed_mac(event.hash)):
        breaks.append(ChainBreak(chain, event.seq, "the keyed seal does not match (re-hashed or forged)"))


def verify_chains(application_ids: list[int] | None = None) -> list[ChainBreak]:
    """Recompute every dossier's chain (or the given ones'); an empty list means all intact.

    Also checks that each dossier's state is where its last event left it, that its submitted
    record matches the digest its last submission sealed (records migrated from before the seal
    have none), and, when checking everything, the
    other records' chains and the daily anchors."""
    breaks: list[ChainBreak] = []
    # Plain rows, streamed: a million events are read a thousand at a time, never as ORM objects.
    events = select(*AuditEvent.__table__.columns).order_by(AuditEvent.application_id, AuditEvent.seq)
    apps = select(Application.id, Application.state, Application.snapshot).order_by(Application.id)
    if application_ids is not None:
        events = events.where(AuditEvent.application_id.in_(application_ids))
        apps = apps.where(Application.id.in_(application_ids))
    last_state: dict[int, str] = {}
    sealed_record: dict[int, str] = {}
    previous: Row[Any] | None = None
    for event in db.session.execute(events.execution_options(yield_per=STREAMED_ROWS)):
        same = previous is not None and previous.application_id == event.application_id
        _check_link(breaks, f"application {event.application_id}", event, previous, same, compute_hash(event))
        last_state[event.application_id] = event.to_state
        if "snapshot_sha256" in (event.payload or {}):
            sealed_record[event.application_id] = event.payload["snapshot_sha256"]
        previous = event
    for application_id, state, snapshot in db.session.execute(
        apps.execution_options(yield_per=STREAMED_ROWS)
    ):
        chain = f"application {application_id}"
        expected = last_state.get(application_id, State.draft.value)
        if state != expected:
            breaks.append(ChainBreak(chain, None, f"state {state} but the trail ends at {expected}"))
        sealed = sealed_record.get(application_id)
        if snapshot is not None and sealed is not None and sealed != canonical_sha256(snapshot):
            breaks.append(ChainBreak(chain, None, "the submitted record differs from what was sealed"))
    if application_ids is None:
        breaks.extend(_verify_record_changes())
        breaks.extend(verify_anchors())
    return breaks


def _verify_record_changes() -> list[ChainBreak]:
    breaks: list[ChainBreak] = []
    previous: Row[Any] | None = None
    changes = select(*RecordChange.__table__.columns).order_by(
        RecordChange.subject_type, RecordChange.subject_id, RecordChange.seq
    )
    for change in db.session.execute(changes.execution_options(yield_per=STREAMED_ROWS)):
        same = previous is not None and (previous.subject_type, previous.subject_id) == (
            change.subject_type,
            change.subject_id,
        )
        chain = f"{change.subject_type} {change.subject_id}"
        _check_link(breaks, chain, change, previous, same, compute_change_hash(change))
        previous = change
    return breaks


# Daily anchors ----------------------------------------------------------------------------------


def cutoff_of(day: date) -> datetime:
    """The end of a Hanoi calendar day, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=HANOI).astimezone(UTC)


def chain_heads(cutoff: datetime) -> list[str]:
    """Every chain's last event before the cut-off, one line each: `<chain> <seq> <hash>`, sorted."""
    last_event = (
        select(AuditEvent.application_id, func.max(AuditEvent.seq).label("seq"))
        .where(AuditEvent.at < cutoff)
        .group_by(AuditEvent.application_id)
        .subquery()
    )
    last_change = (
        select(RecordChange.subject_type, RecordChange.subject_id, func.max(RecordChange.seq).label("seq"))
        .where(RecordChange.at < cutoff)
        .group_by(RecordChange.subject_type, RecordChange.subject_id)
        .subquery()
    )
    lines = [
        f"applications:{application_id} {seq} {hash_}"
        for application_id, seq, hash_ in db.session.execute(
            select(AuditEvent.application_id, AuditEvent.seq, AuditEvent.hash).join(
                last_event,
                (last_event.c.application_id == AuditEvent.application_id)
                & (last_event.c.seq == AuditEvent.seq),
            )
        )
    ]
    lines += [
        f"{subject_type}:{subject_id} {seq} {hash_}"
        for subject_type, subject_id, seq, hash_ in db.session.execute(
            select(
                RecordChange.subject_type, RecordChange.subject_id, RecordChange.seq, RecordChange.hash
            ).join(
                last_change,
                (last_change.c.subject_type == RecordChange.subject_type)
                & (last_change.c.subject_id == RecordChange.subject_id)
                & (last_change.c.seq == RecordChange.seq),
            )
        )
    ]
    return sorted(lines)


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _anchor_mac(day: date, cutoff: datetime, chains: int, digest: str, prev_mac: str) -> str:
    return keyed_mac(f"{day.isoformat()}|{_canonical_time(cutoff)}|{chains}|{digest}|{prev_mac}")


def anchor_day(day: date) -> AuditAnchor:
    """The anchor of a finished day (idempotent: an existing anchor is returned as it is)."""
    existing = db.session.get(AuditAnchor, day)
    if existing is not None:
        return existing
    previous = db.session.scalars(
        select(AuditAnchor).where(AuditAnchor.day < day).order_by(AuditAnchor.day.desc())
    ).first()
    cutoff = cutoff_of(day)
    lines = chain_heads(cutoff)
    digest = _digest(lines)
    prev_mac = previous.mac if previous else GENESIS_HASH
    anchor = AuditAnchor(
        day=day,
        cutoff=cutoff,
        chains=len(lines),
        digest=digest,
        prev_mac=prev_mac,
        mac=_anchor_mac(day, cutoff, len(lines), digest, prev_mac),
    )
    db.session.add(anchor)
    db.session.flush()
    return anchor


def verify_anchors() -> list[ChainBreak]:
    """Each anchor's seal, its link to the one before, and the heads it digested, recomputed now."""
    breaks: list[ChainBreak] = []
    prev_mac = None
    for anchor in db.session.scalars(select(AuditAnchor).order_by(AuditAnchor.day)):
        chain = f"anchor {anchor.day.isoformat()}"
        expected = _anchor_mac(anchor.day, anchor.cutoff, anchor.chains, anchor.digest, anchor.prev_mac)
        if not hmac.compare_digest(anchor.mac, expected):
            breaks.append(ChainBreak(chain, None, "the anchor's keyed seal does not match"))
        if prev_mac is not None and anchor.prev_mac != prev_mac:
            breaks.append(ChainBreak(chain, None, "an earlier anchor is missing or altered"))
        if _digest(chain_heads(anchor.cutoff)) != anchor.digest:
            breaks.append(
                ChainBreak(
                    chain, None, "the chains' heads differ from the anchor (events removed or altered)"
                )
            )
        prev_mac = anchor.mac
    return breaks


ANCHOR_FILE_HEADER = "chu-luc audit anchor v1"


def anchor_export(anchor: AuditAnchor) -> str:
    """The text the secretariat archives: the anchor's seal and the heads it digested."""
    lines = chain_heads(anchor.cutoff)
    head = [
        ANCHOR_FILE_HEADER,
        f"day {anchor.day.isoformat()}",
        f"cutoff {_canonical_time(anchor.cutoff)}Z",
        f"chains {anchor.chains}",
        f"digest {anchor.digest}",
        f"prev-mac {anchor.prev_mac}",
        f"mac {anchor.mac}",
        "",
    ]
    return "\n".join(head + lines) + "\n"


def verify_anchor_export(text: str) -> list[ChainBreak]:
    """Check an archived anchor file against the database: every head it lists must still be there."""
    header, _sep, body = text.partition("\n\n")
    fields = dict(line.split(" ", 1) for line in header.splitlines()[1:] if " " in line)
    chain = f"archived anchor {fields.get('day', '?')}"
    if not header.startswith(ANCHOR_FILE_HEADER) or "digest" not in fields:
        return [ChainBreak(chain, None, "not an anchor file")]
    lines = [line for line in body.splitlines() if line]
    breaks: list[ChainBreak] = []
    if _digest(lines) != fields["digest"]:
        breaks.append(ChainBreak(chain, None, "the file's heads do not match its digest"))
    stored = db.session.get(AuditAnchor, date.fromisoformat(fields["day"]))
    if stored is None or stored.mac != fields.get("mac"):
        breaks.append(ChainBreak(chain, None, "the database no longer holds this anchor as archived"))
    current = set(chain_heads(datetime.fromisoformat(fields["cutoff"].rstrip("Z")).replace(tzinfo=UTC)))
    missing = [line for line in lines if line not in current]
    if missing:
        breaks.append(
            ChainBreak(chain, None, f"{len(missing)} archived head(s) changed, first: {missing[0]}")
        )
    return breaks
