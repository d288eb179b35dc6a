"""Selection for support: what the decision grants in a round whose outcome is selection."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from recognition.cases.decisions import issue_in_round
from recognition.cases.models import Application
from recognition.extensions import db
from recognition.rounds.models import Round
from recognition.supporting.models import Selection


def issue_selection(
    application: Application, decision_number: str, decision_date: date, signer: str, today: date
) -> Selection:
    """The selection of a dossier the Department's decision selects, numbered as certificates are
    (issue_in_round: the confirmation letter's serial), with the support areas the enterprise sought."""
    sought = list(application.support_sought or [])
    return issue_in_round(
        Selection, application, decision_number, decision_date, signer, today, support_areas=sought
    )


def selection_of(application: Application) -> Selection | None:
    """The dossier's selection, once the decision selected it."""
    return db.session.scalar(select(Selection).where(Selection.application_id == application.id))


def selections_of_round(round_: Round) -> list[Selection]:
    """The round's selections in serial order (the secretariat's honouring page lists them)."""
    return list(
        db.session.scalars(
            select(Selection).where(Selection.round_id == round_.id).order_by(Selection.sequence)
        )
    )
