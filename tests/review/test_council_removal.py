"""A member removed from the round's council (issue 17) no longer reaches their assignments of that
round: the open ones are withdrawn (drafts included) so "assign evenly" fills the gap; one who has
submitted a sheet stays, since the results count it."""

from sqlalchemy import select

from recognition.extensions import db
from recognition.review import services
from recognition.review.models import CouncilMember, ReviewAssignment
from tests.review.builders import (
    client_for,
    council,
    dossier_under_review,
    english,
    scores_summing_to,
    submit_scores,
)


def test_a_removed_member_no_longer_opens_or_scores_and_assign_evenly_replaces_them(
    app, make, rubric_round, secretariat
):
    application, members, assignments = dossier_under_review(make, rubric_round, secretariat)
    removed, assignment_id = members[0], assignments[0].id
    services.declare(assignments[0], False)
    db.session.commit()
    member_client = client_for(app, removed)
    assert member_client.get(f"/council/assignments/{assignment_id}/score").status_code == 200
    spare = council(make, rubric_round, count=1)[0]

    desk = english(app, secretariat)
    response = desk.post(
        f"/secretariat/rounds/{rubric_round.id}/council/{removed.id}/remove", follow_redirects=True
    )
    assert "Their open assignments were withdrawn: 1." in response.text
    # Off the council: offered again among the candidates, and nowhere else on the page.
    assert response.text.count(removed.email) == 1 and f"({removed.email})</option>" in response.text

    for path in ("", "/score", "/declare"):
        assert member_client.get(f"/council/assignments/{assignment_id}{path}").status_code == 404
    assert member_client.post(f"/council/assignments/{assignment_id}/score", data={}).status_code == 404
    assert str(application.receipt_code) not in member_client.get("/council/").text
    db.session.expire_all()
    assert db.session.get(ReviewAssignment, assignment_id) is None
    assert services.assign_evenly(rubric_round, secretariat).made == 1
    reviewers = db.session.scalars(
        select(ReviewAssignment.reviewer_id).where(ReviewAssignment.application_id == application.id)
    ).all()
    assert spare.id in reviewers and removed.id not in reviewers


def test_a_member_who_has_submitted_a_sheet_stays_on_the_council(app, make, rubric_round, secretariat):
    _application, members, assignments = dossier_under_review(make, rubric_round, secretariat)
    submit_scores(assignments[0], scores_summing_to(80))
    desk = english(app, secretariat)
    response = desk.post(
        f"/secretariat/rounds/{rubric_round.id}/council/{members[0].id}/remove", follow_redirects=True
    )
    assert "has already submitted scores in this round and stays on the council" in response.text
    db.session.expire_all()
    assert db.session.scalar(select(CouncilMember).where(CouncilMember.user_id == members[0].id)) is not None
    assert db.session.get(ReviewAssignment, assignments[0].id) is not None
