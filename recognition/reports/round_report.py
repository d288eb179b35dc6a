"""The printable report of one round: its dossiers by state, what it recognised, and the plan's
targets (products, enterprises, support) against what was reached."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from recognition.cases.models import Application, State
from recognition.extensions import db
from recognition.honours.models import Certificate, CertificateStatus
from recognition.reports.support import SupportCoverage, support_coverage
from recognition.rounds.models import Round


@dataclass(frozen=True)
class TargetLine:
    """One of the plan's targets: the band asked for (either end may be unset) and what was reached."""

    label: LazyString
    reached: int
    minimum: int | None
    maximum: int | None

    @property
    def met(self) -> bool | None:
        """True when within the band, False when below or above it, None when the round sets none."""
        if self.minimum is None and self.maximum is None:
            return None
        return (self.minimum is None or self.reached >= self.minimum) and (
            self.maximum is None or self.reached <= self.maximum
        )


@dataclass(frozen=True)
class RoundReport:
    round: Round
    counts: dict[State, int]
    certificates: list[Certificate]
    targets: list[TargetLine]
    support: SupportCoverage

    @property
    def submitted(self) -> int:
        return sum(n for state, n in self.counts.items() if state != State.draft)


def state_counts(round_: Round) -> dict[State, int]:
    """Every state in the workflow's order with the round's number of dossiers in it (0 included)."""
    rows = db.session.execute(
        select(Application.state, func.count(Application.id))
        .where(Application.round_id == round_.id)
        .group_by(Application.state)
    ).all()
    found = {State(state): count for state, count in rows}
    return {state: found.get(state, 0) for state in State}


def round_report(round_: Round) -> RoundReport:
    """The round's report: counts, certificates not revoked, targets; a fixed number of queries."""
    certificates = list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.round_id == round_.id, Certificate.status != CertificateStatus.revoked)
            .options(selectinload(Certificate.sector), selectinload(Certificate.unit))
            .order_by(Certificate.sequence)
        )
    )
    support = support_coverage(round_)
    targets = [
        TargetLine(
            _l("Recognised products"),
            len(certificates),
            round_.target_products_min,
            round_.target_products_max,
        ),
        TargetLine(
            _l("Recognised enterprises"),
            len({c.enterprise_id for c in certificates}),
            round_.target_enterprises_min,
            round_.target_enterprises_max,
        ),
    ]
    return RoundReport(round_, state_counts(round_), certificates, targets, support)
