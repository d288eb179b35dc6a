"""Fixtures of the review tests: a secretariat user and a round with the default rubric."""

import pytest

from recognition.accounts.models import Role, User
from recognition.extensions import db
from recognition.review.rubric import apply_default_rubric
from recognition.rounds.models import Round
from tests.conftest import Factory


@pytest.fixture
def secretariat(make: Factory) -> User:
    return make.user(Role.secretariat)


@pytest.fixture
def rubric_round(make: Factory) -> Round:
    """An open round scored on the default rubric (twelve criteria in four groups, 100 points)."""
    round_ = make.round()
    apply_default_rubric(round_)
    db.session.commit()
    return round_
