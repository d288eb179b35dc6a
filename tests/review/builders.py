"""What the review tests build again and again: a council, a dossier under review with its sheets,
scores that add up to a chosen total, and a logged-in client. An endorsed dossier is the factory's
(`make.endorsed`); the fixtures `secretariat` and `rubric_round` are in tests/review/conftest.py."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from recognition.accounts.models import Role, User
from recognition.cases.models import Application, State
from recognition.clock import utcnow
from recognition.extensions import db
from recognition.review import services
from recognition.review.models import CriterionAssignment, ReviewAssignment, Score
from recognition.review.scoring import criteria_of, groups_of
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


SHAPES = ("full", "full", "full", "same", "missing", "conflict", "unscored", "totals", "none")
STATES = (State.under_review, State.under_review, State.recommended, State.not_recommended, State.recognised)


def varied_board(make: Factory, round_: Round, seed: int, count: int, assigned: bool) -> None:
    """`count` dossiers of the round in board states, each with reviewers and random sheets."""
    rng = random.Random(seed)
    criteria = criteria_of(round_.id)
    members = [make.user(Role.council_member) for _ in range(4)]
    if assigned:  # members 0 and 1 score the first half of the criteria, 2 and 3 the rest (and 0 all)
        for index, criterion in enumerate(criteria):
            scorers = {0, 1} if index < len(criteria) // 2 else {2, 3}
            for m in scorers | {0}:
                db.session.add(CriterionAssignment(criterion_id=criterion.id, user_id=members[m].id))
    groups = groups_of(round_.id)
    groups[1].min_points = Decimal("12.5")
    round_.top_n = 4
    base = utcnow() - timedelta(days=10)
    states: dict[int, State] = {}
    for n in range(count):
        application = make.application(round_)
        states[application.id] = rng.choice(STATES)
        application.receipt_code = f"HS-{seed}-{n:04d}"
        application.submitted_at = base + timedelta(minutes=rng.choice((1, 2, 3)))  # ties on time too
        shape = rng.choice(SHAPES)
        same_points = {c.id: rng.choice((Decimal(0), c.max_points)) for c in criteria}
        for m, member in enumerate(members[: rng.choice((2, 3, 4))]):
            assignment = ReviewAssignment(application_id=application.id, reviewer_id=member.id)
            db.session.add(assignment)
            if shape == "none" or (shape == "missing" and m == 0):
                continue
            if shape == "conflict" and m == 1:
                assignment.has_conflict, assignment.conflict_reason = True, "Người thân"
                continue
            assignment.has_conflict = False
            assignment.submitted_at = base
            total = Decimal(0)
            if shape != "totals":
                mine = [
                    c for i, c in enumerate(criteria)
                    if not assigned or m == 0 or (m in (0, 1)) == (i < len(criteria) // 2)
                ]  # fmt: skip
                if shape == "unscored":
                    mine = mine[1:]
                for criterion in mine:
                    points = (
                        same_points[criterion.id]
                        if shape == "same"
                        else Decimal(rng.randint(0, int(criterion.max_points * 4))) / 4
                    )  # quarters: means that fall on half cents
                    assignment.scores.append(Score(criterion_id=criterion.id, points=points))
                    total += points
            else:
                total = Decimal(rng.randint(5000, 9999)) / 100
            assignment.total_score = total
    db.session.commit()
    for application_id, state in states.items():  # test data: no workflow walked
        db.session.execute(
            update(Application)
            .where(Application.id == application_id)
            .values(state=state, decision_number="1/QĐ-UBND")
        )
    db.session.commit()
