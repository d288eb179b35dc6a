"""The results published for comment: what publishing would publish now, and the list as it was
published (frozen on the round, so later scores or states do not shift what the public saw)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recognition.cases.models import PUBLISHED_STATES, Application, State
from recognition.extensions import db
from recognition.paging import PER_PAGE, PageOf, offset_of, slice_of
from recognition.review.ranking import ranked_among
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


def applications_by_id(ids: list[int]) -> dict[int, Application]:
    return {
        a.id: a
        for a in db.session.scalars(
            select(Application)
            .where(Application.id.in_(ids or [-1]))
            .options(selectinload(Application.enterprise), selectinload(Application.product))
        )
    }


def to_publish_page(round_: Round, page: int) -> PageOf[PublishedResult]:
    """A page of what publishing now would publish, ranked in SQL over the whole round, as
    `results_to_publish` ranks it; only the page's dossiers are read."""
    ranked, rows = ranked_among(round_, PUBLISHED_STATES, offset_of(page), PER_PAGE)
    applications = applications_by_id([r.application_id for r in ranked])
    lines = []
    for place in ranked:
        application = applications[place.application_id]
        assert place.rank is not None  # counted among the published states: every one has a rank
        lines.append(
            PublishedResult(
                application_id=application.id,
                rank=place.rank,
                receipt_code=application.receipt_code or "",
                enterprise_name=application.enterprise_record.name,
                product_name=application.product_record.name,
                total=place.total,
                outcome=place.state,
                top=place.rank <= round_.top_n,
                application=application,
            )
        )
    return PageOf(lines, page, rows)


def published_page(round_: Round, page: int) -> PageOf[PublishedResult]:
    """A page of the list as published, each line with its dossier (only the page's are read)."""
    lines = slice_of(published_lines(round_), page)
    with_applications(list(lines.items))
    return lines


def waiting_for_decision(round_: Round, page: int) -> PageOf[Application]:
    """A page of the dossiers the decision is still to be recorded for, in the board's order."""
    ranked, rows = ranked_among(round_, (State.recommended,), offset_of(page), PER_PAGE)
    applications = applications_by_id([r.application_id for r in ranked])
    return PageOf([applications[r.application_id] for r in ranked], page, rows)


def waiting_among(round_: Round, application_ids: list[int]) -> list[Application]:
    """Those of `application_ids` (as a decision form posts them) still waiting for the decision."""
    return list(
        db.session.scalars(
            select(Application)
            .where(
                Application.id.in_(application_ids or [-1]),
                Application.round_id == round_.id,
                Application.state == State.recommended,
            )
            .order_by(Application.id)
        )
    )


def published_lines(round_: Round) -> list[PublishedResult]:
    """The list as it was published for comment, read from the round alone (no dossier loaded)."""
    return [PublishedResult.from_json(line) for line in round_.published_results or []]


def with_applications(results: list[PublishedResult]) -> list[PublishedResult]:
    """These lines, each with its dossier (one statement for all of them)."""
    applications = applications_by_id([r.application_id for r in results])
    for result in results:
        result.application = applications.get(result.application_id)
    return results


def published_results(round_: Round) -> list[PublishedResult]:
    """The list as it was published for comment (empty before publication), each with its dossier."""
    return with_applications(published_lines(round_))


def published_top(application: Application) -> bool:
    """Whether the published list marked this dossier Top N (what its certificate carries): read from
    the frozen list alone, so recognising a dossier costs the same whatever the round's size."""
    return any(
        line["top"]
        for line in application.round.published_results or []
        if line["application_id"] == application.id
    )
