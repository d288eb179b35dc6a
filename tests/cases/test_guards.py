"""Every guard's refusal, as a user reads it in Vietnamese and in English (days in each one's format)."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from recognition.accounts.models import Role
from recognition.cases import guards
from recognition.cases.errors import ActorNotAllowed, ConcurrentChange, InvalidTrigger
from recognition.cases.guards import StepContext
from recognition.cases.models import STATE_LABELS, ProductCategory, State
from recognition.cases.workflow import STEPS
from recognition.clock import format_day, local_today, utcnow
from recognition.extensions import db
from recognition.rounds.models import RoundStatus
from tests.conftest import fire

TODAY = local_today()


def ctx_for(application, **data) -> StepContext:
    return StepContext(application=application, actor=None, data=data, today=TODAY, now=utcnow())


def closed_round(make):
    return make.application(
        round=make.round(year=2026, opens_on=date(2026, 6, 1), closes_on=date(2026, 9, 15))
    )


def round_in_status(make, status):
    return make.application(round=make.round(year=2031, status=status))


def future_round(make):
    return make.application(round=make.round(year=2032, opens_on=TODAY + timedelta(days=3)))


def without_document(make):
    application = make.application()
    for document in application.documents:
        if document.kind == "financial_statements":
            db.session.delete(document)
    db.session.commit()
    db.session.refresh(application)
    return application


def with_supplement_used(make):
    application = make.application()
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    fire(application, "request_supplement", officer)
    return application


def under_review_with_missing_score(make):
    application = make.application()
    reviewers = make.assign_reviewers(application, scores=[80, 80, 80])
    from recognition.review.models import ReviewAssignment

    for assignment in db.session.scalars(db.select(ReviewAssignment)):
        if assignment.reviewer_id == reviewers[0].id:
            assignment.submitted_at = assignment.total_score = None  # not submitted: no total
    reviewers[0].full_name = "Lê Minh Châu"
    db.session.commit()
    return application


def with_open_objection(make):
    from datetime import UTC, datetime

    from recognition.honours.models import Objection

    application = make.application()
    db.session.add(
        Objection(
            application_id=application.id,
            name="Nguyễn Văn Bình",
            contact="binh@example.vn",
            text="Phản đối",
            created_at=datetime(2026, 11, 20, 3, 0, tzinfo=UTC),
        )
    )
    db.session.commit()
    return application


def criterion_without_scorer(make):
    """A round whose criteria are assigned to members: the only reviewer scores all but D3."""
    from recognition.review.models import CriterionAssignment
    from recognition.review.rubric import apply_default_rubric
    from recognition.review.scoring import criteria_of

    round_ = make.round()
    apply_default_rubric(round_)
    db.session.commit()
    application = make.application(round=round_)
    reviewer = make.assign_reviewers(application, count=1)[0]
    db.session.add_all(
        CriterionAssignment(criterion_id=c.id, user_id=reviewer.id)
        for c in criteria_of(round_.id)
        if c.code != "D3"
    )
    db.session.commit()
    return application


def low_scores(make):
    application = make.application()
    make.assign_reviewers(application, scores=[50, 60, 55])
    return application


def published_until(days: int):
    def build(make):
        application = make.application()
        make.publish_results(application.round, deadline_days_ago=-days)
        return application

    return build


# (guard, build the application, form data, English message, Vietnamese message)
CASES = [
    (guards.round_is_open, closed_round, {}, "Round 2026 closed on Sep 15, 2026.",
     "Đợt xét chọn năm 2026 đã kết thúc nhận hồ sơ ngày 15/09/2026."),
    (guards.round_is_open, lambda make: round_in_status(make, RoundStatus.draft), {},
     "Round 2031 is not open for nominations.", "Đợt xét chọn năm 2031 chưa mở nhận hồ sơ."),
    (guards.round_is_open, future_round, {},
     f"Round 2032 opens on {format_day(TODAY + timedelta(days=3), 'en')}.",
     f"Đợt xét chọn năm 2032 bắt đầu nhận hồ sơ từ ngày {(TODAY + timedelta(days=3)):%d/%m/%Y}."),
    (guards.nomination_complete, without_document, {}, "Audited financial statements is missing.",
     "Còn thiếu: Báo cáo tài chính đã kiểm toán."),
    (guards.eligibility_met, lambda make: make.application(revenue_vnd=99_000_000_000), {},
     "This product needs revenue of at least 100.000.000.000 VND a year.",
     "Sản phẩm này cần có doanh thu từ 100.000.000.000 đồng/năm trở lên."),
    (guards.eligibility_met,
     lambda make: make.application(category=ProductCategory.high_tech, revenue_vnd=9_000_000_000), {},
     "A high-tech product needs revenue of at least 10.000.000.000 VND a year.",
     "Sản phẩm công nghệ cao cần có doanh thu từ 10.000.000.000 đồng/năm trở lên."),
    (guards.eligibility_met,
     lambda make: make.application(category=ProductCategory.handicraft, export_value_usd=900_000), {},
     "A handicraft product needs exports of at least 1.000.000 USD a year.",
     "Sản phẩm thủ công mỹ nghệ cần có kim ngạch xuất khẩu từ 1.000.000 USD/năm trở lên."),
    (guards.declaration_ticked, lambda make: make.application(), {"declaration": False},
     "Tick the declaration that the information is true.",
     "Hãy đánh dấu cam kết rằng thông tin kê khai là đúng sự thật."),
    (guards.supplement_items_listed, lambda make: make.application(),
     {"items": [], "deadline": TODAY + timedelta(days=10)},
     "List at least one missing item, each with a description.",
     "Hãy nêu ít nhất một nội dung cần bổ sung, kèm mô tả."),
    (guards.supplement_items_listed, lambda make: make.application(), {"items": ["Hồ sơ"], "deadline": TODAY},
     "Set a reply deadline after today.", "Hãy đặt thời hạn bổ sung sau ngày hôm nay."),
    (guards.supplement_limit_not_reached, with_supplement_used, {},
     "This round allows at most 1 request(s) to supplement a dossier.",
     "Đợt xét chọn này chỉ cho phép yêu cầu bổ sung hồ sơ tối đa 1 lần."),
    (guards.every_item_answered, with_supplement_used, {"answers": ["  "]},
     "Answer every item of the request to supplement.", "Hãy trả lời tất cả các nội dung yêu cầu bổ sung."),
    (guards.vetting_checklist_complete, lambda make: make.application(), {},
     "Enter the date of the site visit.", "Hãy nhập ngày khảo sát thực tế."),
    (guards.vetting_checklist_complete, lambda make: make.application(),
     {"site_visit_date": TODAY + timedelta(days=1)},
     "The date of the site visit cannot be in the future.",
     "Ngày khảo sát thực tế không được sau ngày hôm nay."),
    (guards.supplement_deadline_passed, with_supplement_used, {},
     "The reply deadline has not passed yet.", "Thời hạn bổ sung hồ sơ chưa kết thúc."),
    (guards.reason_given, lambda make: make.application(), {"reason": " "},
     "Give the reason.", "Hãy nêu lý do."),
    (guards.enough_reviewers_without_conflict, lambda make: make.application(), {},
     "At least 3 reviewers without a conflict of interest must be assigned (now 0).",
     "Cần phân công ít nhất 3 thành viên không có xung đột lợi ích (hiện có 0)."),
    (guards.every_criterion_has_a_scorer, criterion_without_scorer, {},
     "No reviewer of this dossier without a conflict of interest is assigned to score: D3. Budget "
     "contribution. Assign a member who scores them, or assign these criteria to a reviewer on the council "
     "page.",
     "Chưa có thành viên nào (không có xung đột lợi ích) được phân công chấm hồ sơ này được giao chấm các "
     "tiêu chí: D3. Đóng góp ngân sách. Đề nghị phân công thành viên chấm các tiêu chí này, hoặc giao các "
     "tiêu chí này cho một thành viên đã được phân công tại trang Hội đồng."),
    (guards.all_scores_submitted, under_review_with_missing_score, {},
     "Scores are missing from: Lê Minh Châu.", "Còn thiếu phiếu chấm điểm của: Lê Minh Châu."),
    (guards.override_has_reason, low_scores, {"outcome": "recommended"},
     "An outcome other than the rules give needs a written reason.",
     "Kết luận khác với kết quả theo quy định cần có lý do bằng văn bản."),
    (guards.comment_period_over, lambda make: make.application(), {},
     "The council's results have not been published for comment.",
     "Kết quả của Hội đồng chưa được công bố để lấy ý kiến."),
    (guards.comment_period_over, published_until(2), {},
     f"The comment period runs until {format_day(TODAY + timedelta(days=2), 'en')}.",
     f"Thời gian lấy ý kiến kéo dài đến hết ngày {(TODAY + timedelta(days=2)):%d/%m/%Y}."),
    (guards.objections_resolved, with_open_objection, {},
     "The objection from Nguyễn Văn Bình received on Nov 20, 2026 is not resolved.",
     "Ý kiến phản đối của Nguyễn Văn Bình nhận ngày 20/11/2026 chưa được giải quyết."),
    (guards.decision_recorded, lambda make: make.application(), {"decision_date": TODAY},
     "Enter the number of the city's decision.", "Hãy nhập số quyết định của Ủy ban nhân dân Thành phố."),
    (guards.decision_recorded, lambda make: make.application(),
     {"decision_number": "12/QĐ-UBND", "decision_date": TODAY + timedelta(days=1)},
     "Enter the date of the city's decision (not in the future).",
     "Hãy nhập ngày ban hành quyết định của Thành phố (không sau ngày hôm nay)."),
]  # fmt: skip


@pytest.mark.parametrize(("guard", "build", "data", "english", "vietnamese"), CASES)
def test_guard_message_in_both_languages(make, guard, build, data, english, vietnamese):
    refusals = guard(ctx_for(build(make), **data))
    assert refusals, "the guard should refuse"
    with force_locale("en"):
        assert str(refusals[0]) == english
    with force_locale("vi"):
        assert str(refusals[0]) == vietnamese


@pytest.mark.parametrize(
    "guard",
    [guards.round_is_open, guards.nomination_complete, guards.eligibility_met],
)
def test_guards_pass_on_a_complete_eligible_nomination(make, guard):
    assert guard(ctx_for(make.application())) == []


def test_every_guard_has_a_message_case():
    used = {guard for step in STEPS for guard in step.guards}
    covered = {case[0] for case in CASES}
    assert used - covered == set()


def test_compliance_commitment_missing(make):
    application = make.application(complete=False)
    codes = [r.code for r in guards.eligibility_met(ctx_for(application))]
    assert "compliance_commitment" in codes
    with force_locale("vi"):
        messages = [str(r) for r in guards.eligibility_met(ctx_for(application))]
    assert "Chưa có cam kết tuân thủ quy định (môi trường, chất lượng, sở hữu trí tuệ)." in messages


def test_start_up_product_has_no_figure_rule(make):
    application = make.application(category=ProductCategory.start_up, revenue_vnd=0, export_value_usd=0)
    assert guards.eligibility_met(ctx_for(application)) == []


def test_workflow_error_messages_in_both_languages(make):
    make.user(Role.admin)
    cases = [
        (ActorNotAllowed(), "You may not take this step on this dossier.",
         "Bạn không được thực hiện bước này đối với hồ sơ này."),
        (InvalidTrigger("endorse", STATE_LABELS[State.draft]),
         "This step is not possible while the dossier is 'Draft'.",
         "Không thể thực hiện bước này khi hồ sơ đang ở trạng thái 'Bản nháp'."),
        (ConcurrentChange(),
         "Someone else acted on this dossier first. Reload the page to see its current state.",
         "Người khác đã xử lý hồ sơ này trước bạn. Hãy tải lại trang để xem trạng thái hiện tại."),
    ]  # fmt: skip
    for error, english, vietnamese in cases:
        with force_locale("en"):
            assert error.messages == [english]
        with force_locale("vi"):
            assert error.messages == [vietnamese]


def test_a_datetime_or_a_bare_string_is_refused_not_crashed(make):
    from datetime import datetime

    application = make.application()
    codes = [
        r.code
        for r in guards.supplement_items_listed(ctx_for(application, items="abc", deadline=datetime.now()))
    ]
    assert codes == ["items", "deadline"]
    codes = [
        r.code
        for r in guards.decision_recorded(
            ctx_for(application, decision_number="1", decision_date=datetime.now())
        )
    ]
    assert codes == ["decision_date"]
