"""The results published for comment: what publishing would publish now, and the list as it was
published (frozen on the round, so later scores or states do not shift what the public saw)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from recognition.cases.models import PUBLISHED_STATES, Application, State
from recognition.extensions import db
from recognition.review.scoring import DossierResult, board
from recognition.rounds.models import Round


@dataclass
class PublishedResult:
    """One line of the results published for comment, as it was published; `application` is the
    dossier itself (its submitted record is frozen too), for what the line does not hold."""

    application_id: int
    rank: int
    receipt_code: str
    enterprise_name: str
    product_name: str
    total: Decimal | None
    outcome: State
    top: bool
    application: Application | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        return {
            "application_id": self.application_id,
            "rank": self.rank,
            "receipt_code": self.receipt_code,
            "enterprise_name": self.enterprise_name,
            "product_name": self.product_name,
            "total": None if self.total is None else str(self.total),
            "outcome": self.outcome.value,
            "top": self.top,
        }

    @classmethod
    def from_json(cls, data: dict) -> PublishedResult:
        total = data["total"]
        return cls(
            **{**data, "total": None if total is None else Decimal(total), "outcome": State(data["outcome"])}
        )


def recommended_results(round_: Round) -> list[DossierResult]:
    """The round's recommended (or already recognised) dossiers in the board's order, as they are now."""
    return [r for r in board(round_) if r.application.state in PUBLISHED_STATES]


def results_to_publish(round_: Round) -> list[PublishedResult]:
    """What publishing now would publish: ranked 1..n over these dossiers alone (one not recommended
    ranks on the board, not here), the first Top N marked, names as each dossier was submitted."""
    return [
        PublishedResult(
            application_id=result.application.id,
            rank=rank,
            receipt_code=result.application.receipt_code or "",  # submitted, so it has one
            enterprise_name=result.application.enterprise_record.name,
            product_name=result.application.product_record.name,
            total=result.total,
            outcome=State(result.application.state),
            top=rank <= round_.top_n,
            application=result.application,
        )
        for rank, result in enumerate(recommended_results(round_), start=1)
    ]


def published_results(round_: Round) -> list[PublishedResult]:
    """The list as it was published for comment (empty before publication), each with its dossier."""
    results = [PublishedResult.from_json(line) for line in round_.published_results or []]
    applications = {
        a.id: a
        for a in db.session.scalars(
            select(Application).where(Application.id.in_([r.application_id for r in results] or [-1]))
        )
    }
    for result in results:
        result.application = applications.get(result.application_id)
    return results


def published_top(application: Application) -> bool:
    """Whether the published list marked this dossier Top N (what its certificate carries)."""
    return any(r.top for r in published_results(application.round) if r.application_id == application.id)
