"""What the review tests build again and again: a council, a dossier under review with its sheets,
scores that add up to a chosen total, and a logged-in client. An endorsed dossier is the factory's
(`make.endorsed`); the fixtures `secretariat` and `rubric_round` are in tests/review/conftest.py."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from recognition.accounts.models import Role, User
from recognition.cases.models import Application
from recognition.extensions import db
from recognition.review import services
from recognition.review.models import ReviewAssignment
from recognition.review.scoring import criteria_of
from recognition.rounds.models import Round
from tests.conftest import Factory, client_for, fire


def english(app: Flask, user: User) -> FlaskClient:
    """A client logged in as `user`, reading the pages in English."""
    return client_for(app, user, "en")


def council(make: Factory, round_: Round, count: int = 3) -> list[User]:
    """`count` new council members seated on the round's council."""
    members = [make.user(Role.council_member) for _ in range(count)]
    for member in members:
        services.add_council_member(round_, member)
    db.session.commit()
    return members


def dossier_under_review(
    make: Factory, round_: Round, secretariat: User, count: int = 3
) -> tuple[Application, list[User], list[ReviewAssignment]]:
    """An endorsed dossier, a council of `count` each assigned to it, and review opened: nobody has
    declared or scored yet."""
    application = make.endorsed(round_)
    members = council(make, round_, count)
    assignments = [services.assign_reviewer(application, m) for m in members]
    db.session.commit()
    fire(application, "open_review", secretariat)
    return application, members, assignments


def submit_scores(assignment: ReviewAssignment, points_by_code: dict[str, str]) -> None:
    """Declare no conflict and submit the given points (criterion code -> points) through the service."""
    application = db.session.get(Application, assignment.application_id)
    services.declare(assignment, False)
    inputs = [
        services.ScoreInput(c.id, points_by_code[c.code], "")
        for c in criteria_of(application.round_id)
        if c.code in points_by_code
    ]
    assert services.save_scores(assignment, application, inputs, submit=True) == {}
    db.session.commit()


def scores_summing_to(total: int) -> dict[str, str]:
    """Points per default criterion adding up to `total` (fills criteria in order up to their maxima)."""
    maxima = {"A1": 10, "A2": 10, "A3": 10, "B1": 10, "B2": 8, "B3": 7, "C1": 10, "C2": 10, "C3": 10,
              "D1": 5, "D2": 5, "D3": 5}  # fmt: skip
    points, left = {}, total
    for code, maximum in maxima.items():
        points[code] = str(min(maximum, left))
        left -= min(maximum, left)
    assert left == 0
    return points
