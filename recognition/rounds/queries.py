"""Named lookups of rounds."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from recognition.cases.models import Application
from recognition.extensions import db
from recognition.rounds.models import Round, RoundStatus


def get_round_or_404(round_id: int) -> Round:
    return db.get_or_404(Round, round_id)


def rounds_under_way() -> list[Round]:
    """The open rounds, newest first: announced, taking nominations or in vetting and review."""
    return list(
        db.session.scalars(
            select(Round).where(Round.status == RoundStatus.open).order_by(Round.year.desc(), Round.id)
        )
    )


def rounds_newest_first() -> list[Round]:
    """Every round, newest first, with its programme (the sources a clone may start from, the choices
    of a queue's round filter)."""
    return list(
        db.session.scalars(
            select(Round).options(joinedload(Round.programme)).order_by(Round.year.desc(), Round.id.desc())
        )
    )


def submitted_dossier_count(round_: Round) -> int:
    """Dossiers of the round already submitted: a change of required documents no longer reaches them."""
    return db.session.execute(
        select(func.count(Application.id)).where(
            Application.round_id == round_.id, Application.submitted_at.is_not(None)
        )
    ).scalar_one()
