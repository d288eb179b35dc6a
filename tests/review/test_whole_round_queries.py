"""The whole-round pages cost what they show: the same number of statements for a round of a few
dossiers as for one of more than a page (query counts, never timings)."""

from recognition.extensions import db
from recognition.review import services
from recognition.rounds.models import Round
from tests.conftest import Factory
from tests.queries import queries_to_get
from tests.review.builders import council, english, varied_board

LARGER = 56  # more than a page of 50


def test_the_board_page_costs_the_same_for_a_larger_round(app, make, rubric_round, secretariat):
    client = english(app, secretariat)
    url = f"/secretariat/review/rounds/{rubric_round.id}/board"
    varied_board(make, rubric_round, seed=1, count=3, assigned=False)
    small = queries_to_get(client, url)
    varied_board(make, rubric_round, seed=2, count=LARGER, assigned=False)
    larger = queries_to_get(client, url)
    assert larger == small
    page = client.get(url).text
    assert page.count('id="dossier-') == 50
    second = client.get(url + "?page=2").text
    assert second.count('id="dossier-') == 3 + LARGER - 50


def _endorsed_with_reviewers(make: Factory, round_: Round, count: int, members: list) -> None:
    for _ in range(count):
        application = make.endorsed(round_)
        for member in members[:2]:
            services.assign_reviewer(application, member)
    db.session.commit()


def test_the_assignments_page_costs_the_same_for_a_larger_round(app, make, rubric_round, secretariat):
    members = council(make, rubric_round, count=4)
    client = english(app, secretariat)
    url = f"/secretariat/review/rounds/{rubric_round.id}/assignments"
    _endorsed_with_reviewers(make, rubric_round, 2, members)
    small = queries_to_get(client, url)
    _endorsed_with_reviewers(make, rubric_round, 50, members)
    larger = queries_to_get(client, url)
    assert larger == small
    assert client.get(url).text.count('name="user_id"') == 50
    assert client.get(url + "?page=2").text.count('name="user_id"') == 2
