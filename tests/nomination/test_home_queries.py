"""The applicant's home loads each nomination's round and programme with the list: the same SQL
statements for one nomination as for four in four rounds."""

from tests.conftest import client_for
from tests.queries import queries_to_get


def test_home_query_count_does_not_grow_with_the_rounds(app, make):
    rounds = [make.round() for _ in range(4)]  # open: each page shows their calendars either way
    first = make.application(round=rounds[0])
    client = client_for(app, make.applicant_of(first))
    one = queries_to_get(client, "/applicant/")
    others = [make.application(round=round_, enterprise=first.enterprise) for round_ in rounds[1:]]
    assert queries_to_get(client, "/applicant/") == one
    html = client.get("/applicant/").text
    assert all(f"/applicant/applications/{a.id}" in html for a in [first, *others])
