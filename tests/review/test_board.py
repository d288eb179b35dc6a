"""The secretariat's side of review through HTTP: settings, criteria, council, reviewers, the board."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from recognition.accounts.models import Role
from recognition.cases.models import Application, AuditEvent, State
from recognition.extensions import db
from recognition.review import services
from recognition.review.models import (
    Criterion,
    CriterionAssignment,
    CriterionGroup,
    ReviewAssignment,
    Score,
    SelfAssessment,
)
from recognition.review.scoring import board, criteria_of, dossier_result
from recognition.rounds.models import Round
from tests.conftest import fire
from tests.review.builders import (
    client_for,
    council,
    dossier_under_review,
    scores_summing_to,
    submit_scores,
)


def test_three_reviewers_board_equals_a_hand_computation(app, make, rubric_round, secretariat):
    application, _members, assignments = dossier_under_review(make, rubric_round, secretariat)
    for assignment, total in zip(assignments, (82, 74, 65), strict=True):
        submit_scores(assignment, scores_summing_to(total))
    # Hand computation: mean (82 + 74 + 65) / 3 = 73.67; spread 82 - 65 = 17 > 15 (flag); 73.67 >= 70.
    result = dossier_result(application)
    assert result.total == Decimal("73.67")
    assert result.spread == Decimal("17")
    assert result.flagged is True
    assert result.outcome(rubric_round) == State.recommended
    page = client_for(app, secretariat).get(f"/secretariat/review/rounds/{rubric_round.id}/board").text
    assert "73,67" in page  # the Vietnamese decimal comma
    assert "thảo luận" in page


def test_mean_of_totals_is_exact_when_every_member_scores_everything(make, rubric_round, secretariat):
    application, _members, assignments = dossier_under_review(make, rubric_round, secretariat)
    for assignment, total in zip(assignments, (80, 70, 60), strict=True):
        submit_scores(assignment, scores_summing_to(total))
    result = dossier_result(application)
    # Per-criterion means summed: every criterion's mean of (80, 70, 60)'s split; the sum is 70 exactly.
    assert result.total == Decimal("70.00")
    assert result.spread == Decimal("20")
    assert result.outcome(rubric_round) == State.recommended


def test_missing_score_blocks_conclusion_naming_the_member(app, make, rubric_round, secretariat):
    application, members, assignments = dossier_under_review(make, rubric_round, secretariat)
    members[2].full_name = "Trương Thị Mai"
    db.session.commit()
    for assignment in assignments[:2]:
        submit_scores(assignment, scores_summing_to(80))
    client = client_for(app, secretariat)
    response = client.post(
        f"/secretariat/review/applications/{application.id}/conclude", data={}, follow_redirects=True
    )
    assert "Còn thiếu phiếu chấm điểm của: Trương Thị Mai." in response.text
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == State.under_review


def test_conclusion_follows_the_rules_and_an_override_needs_a_reason(app, make, rubric_round, secretariat):
    low, _members, assignments = dossier_under_review(make, rubric_round, secretariat)
    for assignment in assignments:
        submit_scores(assignment, scores_summing_to(60))
    client = client_for(app, secretariat)
    url = f"/secretariat/review/applications/{low.id}/conclude"
    page = client.post(url, data={"outcome": "recommended"}, follow_redirects=True).text
    assert "Kết luận khác với kết quả theo quy định cần có lý do bằng văn bản." in page
    client.post(url, data={"outcome": "recommended", "override_reason": "Sản phẩm khởi nghiệp tiêu biểu"})
    db.session.expire_all()
    assert db.session.get(Application, low.id).state == State.recommended
    board_page = client.get(f"/secretariat/review/rounds/{rubric_round.id}/board").text
    assert "Sản phẩm khởi nghiệp tiêu biểu" in board_page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.trigger == "conclude_review"))
    assert event.payload["override_reason"] == "Sản phẩm khởi nghiệp tiêu biểu"


def test_bulk_conclusion_concludes_only_complete_reviews(app, make, rubric_round, secretariat):
    complete, incomplete = make.endorsed(rubric_round), make.endorsed(rubric_round)
    members = council(make, rubric_round)
    for application in (complete, incomplete):
        for member in members:
            services.assign_reviewer(application, member)
        db.session.commit()
        fire(application, "open_review", secretariat)
    for assignment in db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.application_id == complete.id)
    ):
        submit_scores(assignment, scores_summing_to(90))
    client = client_for(app, secretariat)
    client.post(f"/secretariat/review/rounds/{rubric_round.id}/conclude")
    db.session.expire_all()
    assert db.session.get(Application, complete.id).state == State.recommended
    assert db.session.get(Application, incomplete.id).state == State.under_review


def test_ranking_marks_the_top_n_and_states_the_tie_rule(app, make, rubric_round, secretariat):
    rubric_round.top_n = 1
    db.session.commit()
    members = council(make, rubric_round, count=1)
    rubric_round.reviewers_per_dossier = 1
    applications = [make.endorsed(rubric_round) for _ in range(3)]
    for application, total in zip(applications, (75, 88, 75), strict=True):
        assignment = services.assign_reviewer(application, members[0])
        db.session.commit()
        fire(application, "open_review", secretariat)
        submit_scores(assignment, scores_summing_to(total))
    results = board(rubric_round)
    assert [r.application.id for r in results] == [applications[1].id, applications[0].id, applications[2].id]
    assert [r.top for r in results] == [True, False, False]
    page = client_for(app, secretariat).get(f"/secretariat/review/rounds/{rubric_round.id}/board").text
    assert "Top 1" in page


def test_assign_evenly_balances_load_and_skips_conflicts(app, make, rubric_round, secretariat):
    rubric_round.reviewers_per_dossier = 1
    db.session.commit()
    members = council(make, rubric_round)
    applications = [make.endorsed(rubric_round) for _ in range(10)]
    conflicted = db.session.merge(
        ReviewAssignment(
            application_id=applications[0].id,
            reviewer_id=members[0].id,
            has_conflict=True,
            conflict_reason="Người thân làm việc tại đây",
        )
    )
    db.session.commit()
    client = client_for(app, secretariat)
    client.post(f"/secretariat/review/rounds/{rubric_round.id}/assign-evenly")
    active = db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.has_conflict.is_not(True))
    ).all()
    loads = [sum(1 for a in active if a.reviewer_id == m.id) for m in members]
    assert sum(loads) == 10
    assert max(loads) - min(loads) <= 1
    assert all(
        not (a.application_id == applications[0].id and a.reviewer_id == members[0].id) for a in active
    )
    assert conflicted.has_conflict is True


def test_open_review_needs_enough_reviewers(app, make, rubric_round, secretariat):
    application = make.endorsed(rubric_round)
    members = council(make, rubric_round, count=2)
    for member in members:
        services.assign_reviewer(application, member)
    db.session.commit()
    response = client_for(app, secretariat).post(
        f"/secretariat/review/applications/{application.id}/open-review", follow_redirects=True
    )
    assert "Cần phân công ít nhất 3 thành viên không có xung đột lợi ích (hiện có 2)." in response.text


def test_editing_criteria_after_the_first_submitted_score_is_refused(app, make, rubric_round, secretariat):
    application, _members, assignments = dossier_under_review(make, rubric_round, secretariat)
    client = client_for(app, secretariat)
    page = client.get(f"/secretariat/rounds/{rubric_round.id}/criteria").text
    assert "đã được khóa" not in page and 'id="criteria-frozen"' not in page
    submit_scores(assignments[0], scores_summing_to(80))
    assert 'id="criteria-frozen"' in client.get(f"/secretariat/rounds/{rubric_round.id}/criteria").text
    group = first_group(rubric_round)
    criterion = group.criteria[0]
    data = {
        "groups-0-id": str(group.id),
        "groups-0-code": group.code,
        "groups-0-name_vi": group.name_vi,
        "groups-0-name_en": group.name_en,
        "groups-0-criteria-0-id": str(criterion.id),
        "groups-0-criteria-0-code": criterion.code,
        "groups-0-criteria-0-name_vi": criterion.name_vi,
        "groups-0-criteria-0-name_en": criterion.name_en,
        "groups-0-criteria-0-max_points": "20",
    }
    response = client.post(
        f"/secretariat/rounds/{rubric_round.id}/criteria", data=data, follow_redirects=True
    )
    # The refusal itself, flashed, not only the banner the frozen page always carries.
    refusal = "Bộ tiêu chí đã được khóa: đã có thành viên Hội đồng nộp phiếu chấm điểm."
    assert f'<div class="alert alert-danger" role="alert">{refusal}</div>' in response.text
    db.session.expire_all()
    assert db.session.get(Criterion, criterion.id).max_points == Decimal("10")


def test_criteria_can_be_edited_before_scoring(app, make, rubric_round, secretariat):
    client = client_for(app, secretariat)
    group = first_group(rubric_round)
    criterion = group.criteria[0]
    data = {
        "groups-0-id": str(group.id),
        "groups-0-code": group.code,
        "groups-0-name_vi": group.name_vi,
        "groups-0-name_en": group.name_en,
        "groups-0-min_points": "15",
        "groups-0-criteria-0-id": str(criterion.id),
        "groups-0-criteria-0-code": criterion.code,
        "groups-0-criteria-0-name_vi": "Tăng trưởng doanh thu",
        "groups-0-criteria-0-name_en": "Revenue growth",
        "groups-0-criteria-0-max_points": "12",
        "groups-0-new_criterion-code": "A4",
        "groups-0-new_criterion-name_vi": "Đầu tư mới",
        "groups-0-new_criterion-name_en": "New investment",
        "groups-0-new_criterion-max_points": "3",
    }
    assert client.post(f"/secretariat/rounds/{rubric_round.id}/criteria", data=data).status_code == 302
    db.session.expire_all()
    group = db.session.get(CriterionGroup, group.id)
    assert group.min_points == Decimal("15")
    assert [(c.code, c.name_vi, c.max_points) for c in group.criteria][:1] == [
        ("A1", "Tăng trưởng doanh thu", 12)
    ]
    assert "A4" in [c.code for c in group.criteria]
    page = client.get(f"/secretariat/rounds/{rubric_round.id}/criteria").text
    assert "đã được khóa" not in page and 'id="criteria-frozen"' not in page


def test_criteria_assigned_to_members_total_is_the_sum_of_criterion_means(make, rubric_round, secretariat):
    application = make.endorsed(rubric_round)
    members = council(make, rubric_round)
    criteria = criteria_of(rubric_round.id)
    first_half, second_half = criteria[:6], criteria[6:]
    for criterion in first_half:
        db.session.add(CriterionAssignment(criterion_id=criterion.id, user_id=members[0].id))
        db.session.add(CriterionAssignment(criterion_id=criterion.id, user_id=members[1].id))
    for criterion in second_half:
        db.session.add(CriterionAssignment(criterion_id=criterion.id, user_id=members[2].id))
    db.session.commit()
    assignments = [services.assign_reviewer(application, m) for m in members]
    db.session.commit()
    fire(application, "open_review", secretariat)
    submit_scores(assignments[0], {c.code: "5" for c in first_half})  # 6 criteria x 5
    submit_scores(assignments[1], {c.code: "7" for c in first_half})  # 6 criteria x 7
    submit_scores(assignments[2], {"C1": "8", "C2": "9", "C3": "10", "D1": "4", "D2": "3", "D3": "5"})
    # Hand computation: first six criteria mean (5 + 7) / 2 = 6 each -> 36; the rest scored once: 39.
    assert dossier_result(application).total == Decimal("75.00")
    scores_of_member_0 = db.session.scalars(
        select(Score).where(Score.assignment_id == assignments[0].id)
    ).all()
    assert {s.criterion_id for s in scores_of_member_0} == {c.id for c in first_half}


def test_round_settings_are_editable(app, make, secretariat, rubric_round):
    client = client_for(app, secretariat)
    page = client.get(f"/secretariat/rounds/{rubric_round.id}").text
    assert rubric_round.title in page
    data = {
        "programme_id": rubric_round.programme_id,
        "year": 2030,
        "title": "Đợt 2030",
        "opens_on": "2030-03-01",
        "closes_on": "2030-02-01",
        "status": "open",
        "vetting_body": "secretariat",
        "vetting_working_days": 15,
        "max_supplement_requests": 1,
        "supplement_working_days": 10,
        "supplement_expiry": "remind",
        "reviewers_per_dossier": 5,
        "pass_threshold": 75,
        "top_n": 10,
        "spread_flag_points": 15,
        "certificate_validity_months": 24,
        "min_revenue_high_tech_vnd": "10.000.000.000",
        "min_revenue_other_vnd": "100.000.000.000",
        "min_exports_handicraft_usd": "1.000.000",
        "target_products_min": 25,
        "target_products_max": 30,
    }
    response = client.post(f"/secretariat/rounds/{rubric_round.id}", data=data)
    assert "Ngày kết thúc nhận hồ sơ không được trước ngày bắt đầu." in response.text
    assert 'value="Đợt 2030"' in response.text
    data["closes_on"] = "2030-09-15"
    assert client.post(f"/secretariat/rounds/{rubric_round.id}", data=data).status_code == 302
    db.session.expire_all()
    round_ = db.session.get(Round, rubric_round.id)
    assert (round_.reviewers_per_dossier, round_.pass_threshold, round_.certificate_validity_months) == (
        5,
        75,
        24,
    )
    assert round_.closes_on == date(2030, 9, 15)


def test_new_round_gets_the_default_rubric(app, make, secretariat):
    programme = make.programme()
    db.session.commit()
    client = client_for(app, secretariat)
    assert 'value="70"' in client.get("/secretariat/rounds/new").text
    data = {
        "programme_id": programme.id,
        "year": 2040,
        "title": "Xét chọn năm 2040",
        "opens_on": "2040-03-01",
        "closes_on": "2040-09-15",
        "status": "draft",
        "vetting_body": "unit",
        "vetting_working_days": 15,
        "max_supplement_requests": 1,
        "supplement_working_days": 10,
        "supplement_expiry": "remind",
        "reviewers_per_dossier": 3,
        "pass_threshold": 70,
        "top_n": 10,
        "spread_flag_points": 15,
        "certificate_validity_months": 36,
        "min_revenue_high_tech_vnd": "10000000000",
        "min_revenue_other_vnd": "100000000000",
        "min_exports_handicraft_usd": "1000000",
    }
    assert client.post("/secretariat/rounds/new", data=data).status_code == 302
    round_ = db.session.scalar(select(Round).where(Round.year == 2040))
    total = db.session.scalar(select(func.sum(Criterion.max_points)).where(Criterion.round_id == round_.id))
    assert total == 100
    assert len(criteria_of(round_.id)) == 12


def test_council_membership_and_criteria_assignment_pages(app, make, secretariat, rubric_round):
    member = make.user(Role.council_member)
    client = client_for(app, secretariat)
    response = client.post(
        f"/secretariat/rounds/{rubric_round.id}/council",
        data={"add-user_id": member.id, "add-title": "Phó Chủ tịch", "add-submit": "y"},
    )
    assert response.status_code == 302
    page = client.get(f"/secretariat/rounds/{rubric_round.id}/council").text
    assert member.full_name in page and "Phó Chủ tịch" in page
    first = criteria_of(rubric_round.id)[0]
    client.post(
        f"/secretariat/rounds/{rubric_round.id}/council",
        data={f"member_{member.id}": [str(first.id)], "submit": "y"},
    )
    assert db.session.scalars(select(CriterionAssignment.criterion_id)).all() == [first.id]


def test_other_roles_cannot_reach_the_board(login_as, rubric_round):
    for role in (Role.council_member, Role.unit_officer, Role.applicant):
        assert login_as(role).get(f"/secretariat/review/rounds/{rubric_round.id}/board").status_code == 403


def test_self_assessment_section_uses_the_rounds_criteria(app, make, rubric_round):
    application = make.application(round=rubric_round)
    db.session.execute(delete(SelfAssessment).where(SelfAssessment.application_id == application.id))
    db.session.commit()
    applicant = client_for(app, make.applicant_of(application))
    base = f"/applicant/applications/{application.id}"
    refused = applicant.post(f"{base}/submit", data={"declaration": "y"})
    assert "Phần tự đánh giá theo bộ tiêu chí chưa đầy đủ." in refused.text
    page = applicant.get(f"{base}/self-assessment").text
    assert "A1. Tăng trưởng (0–10)" in page
    data = {}
    for criterion in criteria_of(rubric_round.id):
        data[f"points_{criterion.id}"] = "5"
        data[f"justification_{criterion.id}"] = "Tự đánh giá"
    data[f"points_{criteria_of(rubric_round.id)[0].id}"] = "11"
    response = applicant.post(f"{base}/self-assessment", data=data)
    assert response.status_code == 200 and 'value="11"' in response.text
    data[f"points_{criteria_of(rubric_round.id)[0].id}"] = "9"
    assert applicant.post(f"{base}/self-assessment", data=data).status_code == 302
    submitted = applicant.post(f"{base}/submit", data={"declaration": "y"})
    assert submitted.status_code == 200 and 'id="receipt-code"' in submitted.text  # the slip
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == State.submitted


def test_a_withdrawn_assignment_time_is_recorded(make, rubric_round, secretariat):
    application = make.endorsed(rubric_round)
    member = council(make, rubric_round, count=1)[0]
    assignment = services.assign_reviewer(application, member)
    services.declare(assignment, True, "Là cổ đông của doanh nghiệp")
    db.session.commit()
    assert assignment.declared_at is not None
    with pytest.raises(services.ReviewError):
        services.assign_reviewer(application, member)


def test_council_dossier_shows_the_self_assessment_and_the_vetting_report(app, make, rubric_round):
    application = make.endorsed(rubric_round)
    member = council(make, rubric_round, count=1)[0]
    assignment = services.assign_reviewer(application, member)
    services.declare(assignment, False)
    db.session.commit()
    page = client_for(app, member).get(f"/council/assignments/{assignment.id}").text
    assert 'id="section-self-assessment"' in page and "A1. Tăng trưởng" in page
    assert 'id="section-vetting-report"' in page and "Đề nghị Hội đồng xem xét" in page


def first_group(round_) -> CriterionGroup:
    """The round's first criteria group (group A): by position, as the criteria page lists them."""
    return db.session.scalars(
        select(CriterionGroup).where(CriterionGroup.round_id == round_.id).order_by(CriterionGroup.position)
    ).first()
