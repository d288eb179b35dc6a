"""The board's ranking in SQL (review/ranking.py) against the Python one (scoring.board()), on a
varied round: totals to the cent, ties, missing sheets, conflicts, unscored criteria, totals without
scores, criteria assigned to members, group minimums, every board state, Top N."""

import pytest

from recognition.cases.models import Application
from recognition.extensions import db
from recognition.review.ranking import ranked_all, ranked_slice
from recognition.review.scoring import board
from tests.review.builders import varied_board


@pytest.mark.parametrize("assigned", [False, True])
def test_sql_ranking_equals_the_python_board(make, rubric_round, assigned):
    varied_board(make, rubric_round, seed=13 + assigned, count=45, assigned=assigned)
    db.session.expire_all()
    expected = board(rubric_round)
    ranked = ranked_all(rubric_round)
    assert [r.application_id for r in ranked] == [r.application.id for r in expected]
    assert [r.rank for r in ranked] == [r.rank for r in expected]
    assert [r.total for r in ranked] == [r.total for r in expected]
    assert [r.top for r in ranked] == [r.top for r in expected]
    assert any(r.top for r in ranked) and any(r.rank is None for r in ranked)
    assert len({r.total for r in ranked if r.total is not None}) < len([r for r in ranked if r.total])  # ties


def test_a_slice_of_the_ranking_keeps_the_global_ranks(make, rubric_round):
    varied_board(make, rubric_round, seed=7, count=30, assigned=False)
    whole = ranked_all(rubric_round)
    page, rows = ranked_slice(rubric_round, 10, 10)
    assert rows == 30
    assert page == whole[10:20]
    assert ranked_slice(rubric_round, 40, 10) == ([], 30)


def test_sql_ranking_of_an_empty_board(rubric_round):
    assert ranked_all(rubric_round) == []
    assert ranked_slice(rubric_round, 0, 50) == ([], 0)


def test_a_dossier_listed_once_whatever_its_state(make, rubric_round):
    varied_board(make, rubric_round, seed=3, count=12, assigned=False)
    ids = [r.application_id for r in ranked_all(rubric_round)]
    in_board = db.session.query(Application).filter(Application.round_id == rubric_round.id).count()
    assert sorted(ids) == sorted(set(ids)) and len(ids) == in_board
