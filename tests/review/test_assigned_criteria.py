"""Criteria assigned to particular council members (QĐ 2023/QĐ-UBND): no criterion is ever counted
as 0 for want of a scorer, the spread is per criterion, and "assign evenly" replaces a conflicted
reviewer. Through HTTP where the secretariat acts, through the services where members score."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.cases.models import Application, State
from recognition.extensions import db
from recognition.review import services
from recognition.review.models import CriterionAssignment, ReviewAssignment
from recognition.review.scoring import criteria_of, dossier_result
from recognition.rounds import services as round_services
from tests.conftest import fire
from tests.queries import counting_queries
from tests.review.builders import client_for, council, dossier_under_review, english, submit_scores

AB = ("A1", "A2", "A3", "B1", "B2", "B3")  # 55 points
CD = ("C1", "C2", "C3", "D1", "D2", "D3")  # 45 points


def assign_criteria(round_, plan: dict) -> None:
    """plan: member -> criterion codes they score."""
    by_code = {c.code: c for c in criteria_of(round_.id)}
    for member, codes in plan.items():
        db.session.add_all(
            CriterionAssignment(criterion_id=by_code[code].id, user_id=member.id) for code in codes
        )
    db.session.commit()


def reviewers_of(application) -> list[ReviewAssignment]:
    return list(
        db.session.scalars(
            select(ReviewAssignment)
            .where(ReviewAssignment.application_id == application.id)
            .order_by(ReviewAssignment.id)
        )
    )


def state_of(application) -> State:
    db.session.expire_all()
    return State(db.session.get(Application, application.id).state)


# 1. A criterion without a scorer ----------------------------------------------------------------------


def test_open_review_is_refused_while_a_criterion_has_no_scorer(app, make, rubric_round, secretariat):
    application = make.endorsed(rubric_round)
    members = council(make, rubric_round)
    # Nobody is assigned D1-D3; C1 only to a member who then declares a conflict on this dossier.
    assign_criteria(rubric_round, {members[0]: AB, members[1]: ("C2", "C3"), members[2]: ("C1",)})
    assignments = [services.assign_reviewer(application, m) for m in members]
    services.declare(assignments[2], True, "Là cổ đông của doanh nghiệp")
    db.session.commit()
    extra = council(make, rubric_round, count=1)[0]
    services.assign_reviewer(application, extra)
    db.session.commit()

    client = english(app, secretariat)
    response = client.post(
        f"/secretariat/review/applications/{application.id}/open-review", follow_redirects=True
    )

    assert (
        "No reviewer of this dossier without a conflict of interest is assigned to score: "
        "C1. Technology level, D1. Jobs and wages, D2. Local suppliers, D3. Budget contribution."
    ) in response.text
    assert state_of(application) == State.endorsed
    # Once a reviewer scores them, review opens.
    assign_criteria(rubric_round, {extra: ("C1", "D1", "D2", "D3")})
    response = client.post(
        f"/secretariat/review/applications/{application.id}/open-review", follow_redirects=True
    )
    assert "Council review opened" in response.text
    assert state_of(application) == State.under_review


def test_an_unscored_criterion_is_no_zero_and_blocks_conclusion(app, make, rubric_round, secretariat):
    """The defect's dossier: 55 points from the criteria scored, the rest uncovered after a conflict."""
    rubric_round.reviewers_per_dossier = 2
    application = make.endorsed(rubric_round)
    members = council(make, rubric_round)
    assign_criteria(rubric_round, {members[0]: AB, members[1]: CD, members[2]: AB})
    assignments = [services.assign_reviewer(application, m) for m in members]
    db.session.commit()
    client = english(app, secretariat)
    client.post(f"/secretariat/review/applications/{application.id}/open-review")
    assert state_of(application) == State.under_review
    # The only member scoring C and D declares a conflict once review is open; the others score A and B.
    services.declare(assignments[1], True, "Người thân làm việc tại doanh nghiệp")
    db.session.commit()
    full_marks = {c.code: str(c.max_points) for c in criteria_of(rubric_round.id) if c.code in AB}
    submit_scores(assignments[0], full_marks)
    submit_scores(assignments[2], full_marks)

    result = dossier_result(db.session.get(Application, application.id))
    assert result.total is None  # not 55: C1-D3 have no score
    assert [c.code for c in result.unscored] == list(CD)
    assert result.complete is False
    response = client.post(
        f"/secretariat/review/applications/{application.id}/conclude", data={}, follow_redirects=True
    )
    assert (
        "No submitted score sheet covers: C1. Technology level, C2. Quality systems maintained"
        in response.text
    )
    assert state_of(application) == State.under_review
    board = client.get(f"/secretariat/review/rounds/{rubric_round.id}/board").text
    assert "Not scored: C1, C2, C3, D1, D2, D3" in board


def test_without_assigned_criteria_open_review_needs_only_the_reviewers(app, make, rubric_round, secretariat):
    application = make.endorsed(rubric_round)
    for member in council(make, rubric_round):
        services.assign_reviewer(application, member)
    db.session.commit()
    english(app, secretariat).post(f"/secretariat/review/applications/{application.id}/open-review")
    assert state_of(application) == State.under_review


# 2. The spread per criterion --------------------------------------------------------------------------


def test_the_spread_is_per_criterion_when_members_score_different_criteria(
    app, make, rubric_round, secretariat
):
    members = council(make, rubric_round)
    assign_criteria(rubric_round, {members[0]: AB, members[1]: CD, members[2]: AB})
    honest, outlier = make.endorsed(rubric_round), make.endorsed(rubric_round)
    sheets = {}
    for application in (honest, outlier):
        sheets[application.id] = [services.assign_reviewer(application, m) for m in members]
        db.session.commit()
        client_for(app, secretariat).post(f"/secretariat/review/applications/{application.id}/open-review")
    agreed = dict(zip(AB, ("9", "9", "9", "9", "7", "6"), strict=True))  # 49 of 55
    # Honest: the two members of A and B agree; C and D are scored lower (24 of 45). Totals 49/24/49.
    submit_scores(sheets[honest.id][0], agreed)
    submit_scores(sheets[honest.id][1], dict(zip(CD, ("6", "6", "6", "2", "2", "2"), strict=True)))
    submit_scores(sheets[honest.id][2], agreed)
    # Outlier: A1 2 against 9, A2 9 against 2: the members' totals are all 42.
    submit_scores(sheets[outlier.id][0], {**agreed, "A1": "2"})
    submit_scores(sheets[outlier.id][1], dict(zip(CD, ("9", "9", "9", "5", "5", "5"), strict=True)))
    submit_scores(sheets[outlier.id][2], {**agreed, "A2": "2"})

    honest_result = dossier_result(honest)
    assert honest_result.total == Decimal("73.00")
    assert honest_result.spread is None  # totals of different criteria are not compared
    assert all(spread == 0 for spread in honest_result.criterion_spreads.values())
    assert honest_result.flagged is False
    outlier_result = dossier_result(outlier)
    # Threshold: 15 of 100 points scaled to a 10-point criterion = 1.5; A1 and A2 differ by 7.
    assert [c.code for c in outlier_result.flagged_criteria] == ["A1", "A2"]
    assert outlier_result.flagged is True
    page = english(app, secretariat).get(f"/secretariat/review/rounds/{rubric_round.id}/board").text
    honest_cell = page.split(f'id="spread-{honest.id}"')[1].split("</td>")[0]
    outlier_cell = page.split(f'id="spread-{outlier.id}"')[1].split("</td>")[0]
    assert "discuss" not in honest_cell
    assert "discuss" in outlier_cell and "A1: 7" in outlier_cell and "A2: 7" in outlier_cell


def test_the_board_keeps_a_constant_number_of_queries(app, make, rubric_round, secretariat):
    members = council(make, rubric_round)
    assign_criteria(rubric_round, {members[0]: AB, members[1]: CD, members[2]: AB})
    client = client_for(app, secretariat)
    url = f"/secretariat/review/rounds/{rubric_round.id}/board"

    def add_scored_dossier():
        application = make.endorsed(rubric_round)
        sheets = [services.assign_reviewer(application, m) for m in members]
        db.session.commit()
        client.post(f"/secretariat/review/applications/{application.id}/open-review")
        submit_scores(sheets[0], dict.fromkeys(AB, "5"))
        submit_scores(sheets[1], dict.fromkeys(CD, "4"))

    def board_queries() -> int:
        client.get(url)
        with counting_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    add_scored_dossier()
    one = board_queries()
    for _ in range(3):
        add_scored_dossier()
    assert board_queries() == one


# 3. "Assign evenly" after a conflict ----------------------------------------------------------------


def test_assign_evenly_replaces_a_member_who_declared_a_conflict_under_review(
    app, make, rubric_round, secretariat
):
    application = make.endorsed(rubric_round)
    members = council(make, rubric_round, count=4)
    client = english(app, secretariat)
    url = f"/secretariat/review/rounds/{rubric_round.id}/assign-evenly"
    assert "3 assignments made." in client.post(url, follow_redirects=True).text
    client.post(f"/secretariat/review/applications/{application.id}/open-review")
    assert state_of(application) == State.under_review
    first = reviewers_of(application)[0]
    services.declare(first, True, "Là cổ đông của doanh nghiệp")
    db.session.commit()

    page = client.post(url, follow_redirects=True).text

    assert "1 assignments made." in page
    active = [a.reviewer_id for a in reviewers_of(application) if a.has_conflict is not True]
    assert len(active) == 3 and first.reviewer_id not in active
    assert members[3].id in active
    # A second conflict: no eligible member is left, and the page says which dossier is short.
    services.declare(reviewers_of(application)[1], True, "Từng làm cố vấn cho doanh nghiệp")
    db.session.commit()
    page = client.post(url, follow_redirects=True).text
    assert "0 assignments made." in page
    assert (
        f"No eligible council member is left for {application.receipt_code}: each needs 3 reviewers "
        "without a conflict of interest."
    ) in page


def test_assign_evenly_prefers_a_member_who_scores_the_uncovered_criteria(
    app, make, rubric_round, secretariat
):
    application = make.endorsed(rubric_round)
    members = council(make, rubric_round, count=5)
    assign_criteria(
        rubric_round,
        {members[0]: AB, members[1]: CD, members[2]: AB, members[3]: AB, members[4]: CD},
    )
    client = english(app, secretariat)
    url = f"/secretariat/review/rounds/{rubric_round.id}/assign-evenly"
    client.post(url)
    assert {a.reviewer_id for a in reviewers_of(application)} == {members[0].id, members[1].id, members[2].id}
    client.post(f"/secretariat/review/applications/{application.id}/open-review")
    assert state_of(application) == State.under_review
    conflicted = next(a for a in reviewers_of(application) if a.reviewer_id == members[1].id)
    services.declare(conflicted, True, "Người thân làm việc tại doanh nghiệp")
    db.session.commit()

    client.post(url)

    added = {a.reviewer_id for a in reviewers_of(application)} - {m.id for m in members[:3]}
    assert added == {members[4].id}  # scores C and D, which nobody active covered; not members[3]


def test_assign_evenly_says_when_the_council_is_too_small(app, make, rubric_round, secretariat):
    application = make.endorsed(rubric_round)
    members = council(make, rubric_round, count=3)
    db.session.merge(
        ReviewAssignment(
            application_id=application.id,
            reviewer_id=members[0].id,
            has_conflict=True,
            conflict_reason="Người thân làm việc tại đây",
        )
    )
    db.session.commit()
    page = (
        english(app, secretariat)
        .post(f"/secretariat/review/rounds/{rubric_round.id}/assign-evenly", follow_redirects=True)
        .text
    )
    assert "2 assignments made." in page
    assert f"No eligible council member is left for {application.receipt_code}" in page


def assigned_codes(round_) -> dict[int, set[str]]:
    by_id = {c.id: c.code for c in criteria_of(round_.id)}
    return {
        user_id: {by_id[i] for i in ids}
        for user_id, ids in round_services.criterion_assignments(round_).items()
    }


def test_a_member_seated_after_sheets_were_submitted_can_still_be_given_criteria(
    app, make, rubric_round, secretariat
):
    _application, members, assignments = dossier_under_review(make, rubric_round, secretariat)
    submit_scores(assignments[0], {code: "5" for code in AB + CD})
    newcomer = make.user(Role.council_member)
    services.add_council_member(rubric_round, newcomer)
    db.session.commit()
    by_code = {c.code: c.id for c in criteria_of(rubric_round.id)}
    client = english(app, secretariat)
    page = client.get(f"/secretariat/rounds/{rubric_round.id}/council").text
    assert f'id="locked-{members[0].id}"' in page  # shown, not editable
    assert f'name="member_{newcomer.id}"' in page and f'name="member_{members[1].id}"' in page

    response = client.post(
        f"/secretariat/rounds/{rubric_round.id}/council",
        data={f"member_{newcomer.id}": [str(by_code[c]) for c in AB], "submit": "1"},
        follow_redirects=True,
    )

    assert "Saved." in response.text
    # The member who submitted keeps scoring every criterion; the newcomer scores A and B only.
    assert assigned_codes(rubric_round) == {members[0].id: set(AB + CD), newcomer.id: set(AB)}


def test_what_a_member_who_submitted_scores_cannot_change(make, rubric_round, secretariat):
    application = make.endorsed(rubric_round)
    members = council(make, rubric_round, count=3)
    assign_criteria(rubric_round, {members[0]: AB, members[1]: CD, members[2]: AB + CD})
    assignments = [services.assign_reviewer(application, m) for m in members]
    db.session.commit()
    fire(application, "open_review", secretariat)
    submit_scores(assignments[0], {code: "5" for code in AB})
    by_code = {c.code: c.id for c in criteria_of(rubric_round.id)}
    before = assigned_codes(rubric_round)

    with pytest.raises(round_services.SubmittedMembersKeepTheirCriteria) as refused:
        round_services.set_criterion_assignments(
            rubric_round, {members[0].id: {by_code["A1"]}, members[1].id: {by_code[c] for c in CD}}
        )
    assert members[0].full_name in str(refused.value.message)
    db.session.rollback()
    # Clearing every list would have them score every criterion: refused as well.
    with pytest.raises(round_services.SubmittedMembersKeepTheirCriteria):
        round_services.set_criterion_assignments(rubric_round, {m.id: set() for m in members})
    db.session.rollback()
    assert assigned_codes(rubric_round) == before
