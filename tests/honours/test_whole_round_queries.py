"""The honours page, the public results page and bulk recognition cost what they show or do, not the
round: the same number of statements for a round of a few dossiers as for one of more than a page."""

from recognition.clock import local_today
from recognition.honours.services import recognise_many
from tests.conftest import client_for
from tests.queries import counting_queries, queries_to_get

LARGER = 53  # with the first three, more than a page of 50


def _recognise(secretariat, ids) -> int:
    """How many statements recognising these dossiers under one decision issues."""
    with counting_queries() as statements:
        outcomes = recognise_many(ids, "2500/QĐ-UBND", local_today(), "", secretariat.user)
    assert all(o.ok for o in outcomes)
    return len(statements)


def test_honours_results_and_recognition_cost_the_same_for_a_larger_round(app, make, secretariat):
    round_ = make.round(reviewers_per_dossier=1)
    honours_url, results_url = f"/secretariat/honours/rounds/{round_.id}", f"/results/{round_.id}"
    first = [make.recommended(round_) for _ in range(3)]
    make.publish_results(round_)
    one_small = _recognise(secretariat, [first[0].id])
    small = queries_to_get(secretariat, honours_url), queries_to_get(client_for(app, None), results_url)

    more = [make.recommended(round_) for _ in range(LARGER)]
    make.publish_results(round_)
    one_larger = _recognise(secretariat, [more[0].id])
    larger = queries_to_get(secretariat, honours_url), queries_to_get(client_for(app, None), results_url)
    assert larger == small
    assert one_larger == one_small
    assert _recognise(secretariat, [m.id for m in more[1:5]]) <= 4 * one_small  # at most linear

    page = secretariat.get(honours_url).text
    assert page.count('name="decision-application_ids"') == 50
    public = client_for(app, None).get(results_url).text
    assert public.count('id="published-') == 50
    assert client_for(app, None).get(results_url + "?page=2").text.count('id="published-') == 6


def test_the_honours_page_before_publication_costs_the_same_for_a_larger_round(app, make, secretariat):
    round_ = make.round(reviewers_per_dossier=1)
    url = f"/secretariat/honours/rounds/{round_.id}"
    for _ in range(3):
        make.recommended(round_)
    small = queries_to_get(secretariat, url)
    for _ in range(LARGER):
        make.recommended(round_)
    assert queries_to_get(secretariat, url) == small
    assert secretariat.get(url + "?page=2").text.count('name="decision-application_ids"') == 6
