"""What a round's decision issues to a dossier: a certificate, or a selection for support.

Both are numbered per round and carry the decision and the names the dossier was submitted under;
only what the outcome grants beyond that differs (a certificate's validity, a selection's support)."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import func, select

from recognition.cases.models import Application
from recognition.extensions import db
from recognition.honours.models import Certificate
from recognition.rounds.models import Round
from recognition.supporting.models import Selection

Issued = TypeVar("Issued", Certificate, Selection)


def issue_in_round(
    kind: type[Issued],
    application: Application,
    decision_number: str,
    decision_date: date,
    signer: str,
    today: date,
    **granted: Any,
) -> Issued:
    """A new `kind` row for the dossier (added to the session), with `granted` its outcome's own
    columns. Serials run per round and per kind (<programme>-<year>-<0001>); the round row is locked so
    two secretaries recording decisions at once cannot take the same number."""
    round_: Round = application.round
    db.session.execute(select(Round.id).where(Round.id == round_.id).with_for_update())
    last = db.session.scalar(select(func.max(kind.sequence)).where(kind.round_id == round_.id))
    sequence = (last or 0) + 1
    enterprise, product = application.enterprise_record, application.product_record
    issued = kind(
        serial=f"{round_.programme.code}-{round_.year}-{sequence:04d}", sequence=sequence,
        application_id=application.id, round_id=round_.id, enterprise_id=application.enterprise_id,
        decision_number=decision_number, decision_date=decision_date, decision_signer=signer, issued_on=today,
        enterprise_name=enterprise.name, tax_code=enterprise.tax_code, product_name=product.name,
        **granted,
    )  # fmt: skip
    db.session.add(issued)
    return issued
