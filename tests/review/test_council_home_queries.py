"""The council member's list is paged: the same SQL statements for three assignments as for sixty,
fifty a page, newest round first."""

from sqlalchemy import insert, select

from recognition.accounts.models import Role
from recognition.cases.models import Application
from recognition.extensions import db
from recognition.review.models import ReviewAssignment
from tests.conftest import client_for
from tests.queries import queries_to_get
from tests.vetting.test_queue_queries import bulk_submitted


def assign_in_bulk(make, member, unit_code: str, count: int) -> None:
    """`count` dossiers of a new round assigned to `member`, inserted in bulk (no workflow)."""
    enterprise = bulk_submitted(make, unit_code, count)
    ids = db.session.scalars(select(Application.id).where(Application.enterprise_id == enterprise.id)).all()
    db.session.execute(
        insert(ReviewAssignment), [{"application_id": i, "reviewer_id": member.id} for i in ids]
    )
    db.session.commit()


def test_the_members_list_is_paged_with_a_constant_number_of_queries(app, make):
    member = make.user(Role.council_member)
    client = client_for(app, member)
    assign_in_bulk(make, member, "P-HADONG", 3)
    small = queries_to_get(client, "/council/")
    assign_in_bulk(make, member, "X-DONGANH", 60)
    assert queries_to_get(client, "/council/") == small
    # Page 2 shows both rounds: one more calendar (its working days), nothing per row.
    assert queries_to_get(client, "/council/?page=2") == small + 1

    first, second = client.get("/council/").text, client.get("/council/?page=2").text
    assert first.count('id="assignment-') == 50 and "1 / 2" in first
    assert second.count('id="assignment-') == 13 and "2 / 2" in second
    # The newest round (the larger year) comes first.
    assert "X-DONGANH-000000" in first and "P-HADONG-000000" in second
