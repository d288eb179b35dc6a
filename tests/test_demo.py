"""The demo data: past rounds with the programme's figures, this year's round with a dossier in every
state, a council big enough, all through the real workflow (the audit trail verifies)."""

from sqlalchemy import distinct, func, select

from recognition import demo
from recognition.accounts.models import User
from recognition.cases.audit import verify_chains
from recognition.cases.models import Application, State
from recognition.extensions import db
from recognition.honours.models import Certificate
from recognition.review.models import CouncilMember, ReviewAssignment
from recognition.rounds.models import Programme, Round, RoundStatus


def test_the_past_rounds_carry_the_published_figures():
    figures = [(p.year, p.registered, p.recognised, p.enterprises) for p in demo.PAST_ROUNDS]
    assert figures == [
        (2021, 54, 46, 30), (2022, 42, 33, 25), (2023, 37, 33, 24), (2024, 36, 36, 25), (2025, 35, 35, 28),
    ]  # fmt: skip


def test_seed_demo_walks_past_rounds_and_this_years_round_through_the_workflow(app, monkeypatch):
    # The same builder as `make run`, on two small rounds so the suite stays quick.
    monkeypatch.setattr(demo, "PAST_ROUNDS", (demo.PastRound(2021, 7, 4, 3), demo.PastRound(2024, 3, 3, 2)))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Demo rounds 2021-2025 and this year's dossiers loaded." in result.output
    for past in demo.PAST_ROUNDS:
        round_ = db.session.scalar(select(Round).where(Round.year == past.year))
        assert round_.status == RoundStatus.closed
        states = db.session.scalars(select(Application.state).where(Application.round_id == round_.id)).all()
        assert len(states) == past.registered
        assert states.count(State.recognised) == past.recognised
        firms = db.session.scalar(
            select(func.count(distinct(Certificate.enterprise_id))).where(Certificate.round_id == round_.id)
        )
        assert firms == past.enterprises
    this_year = db.session.scalar(
        select(Round).join(Programme).where(Round.status == RoundStatus.open, Programme.code == "CNCL")
    )
    states = set(db.session.scalars(select(Application.state).where(Application.round_id == this_year.id)))
    assert states == set(State) - {State.recognised}
    members = db.session.scalar(
        select(func.count()).select_from(CouncilMember).where(CouncilMember.round_id == this_year.id)
    )
    assert members > this_year.reviewers_per_dossier
    council = db.session.scalar(select(User).where(User.email == "council@demo.chuluc.vn"))
    waiting = db.session.scalars(
        select(ReviewAssignment).where(
            ReviewAssignment.reviewer_id == council.id, ReviewAssignment.submitted_at.is_(None)
        )
    ).all()
    assert waiting, "the demo council member has a score sheet to fill"
    assert verify_chains() == []
    before = db.session.scalar(select(func.count()).select_from(Application))
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Application)) == before
