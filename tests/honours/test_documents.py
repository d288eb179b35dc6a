"""The round's official documents (minutes, results notice, submission with the draft decision and
its annex) and the certificate, downloaded through HTTP and read back: the Decree 30 layout, the
dossiers' submitted names and figures, who may fetch them."""

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.cases.models import Application, State
from recognition.cli import PROGRAMMES
from recognition.clock import format_day, local_today
from recognition.extensions import db
from recognition.honours.models import Certificate
from recognition.review import services
from recognition.review.rubric import apply_default_rubric
from recognition.rounds.models import Programme
from tests.conftest import client_for, fire
from tests.documents import NATIONAL_HEADING, PLACE_DATE, docx_text, overprinted, pdf_text, text_runs
from tests.honours.test_honours import decide, publish_and_close_comments
from tests.review.builders import scores_summing_to, submit_scores

LEGAL_BASIS = "Quyết định 2023/QĐ-UBND ngày 07/04/2023 ban hành Quy chế hoạt động của Hội đồng"
ROUND_DOCUMENTS = ("minutes.pdf", "minutes.docx", "results-notice.pdf", "submission.pdf", "submission.docx")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def endorsed(make, round_, enterprise_name: str, product_name: str, revenue: int) -> Application:
    enterprise = make.enterprise(name=enterprise_name)
    return make.endorsed(round_, enterprise=enterprise, product_name=product_name, revenue_vnd=revenue)


@pytest.fixture
def secretariat(app, make):
    """The honours tests' secretariat (tests/honours/conftest.py), reading the pages in English."""
    return client_for(app, make.user(Role.secretariat), "en")


@pytest.fixture
def reviewed(app, make, secretariat):
    """A round of two dossiers scored per criterion by two members (a third declared a conflict on
    the second): the first recommended, the second not; the results published."""
    round_ = make.round(year=2031, reviewers_per_dossier=2, legal_bases=LEGAL_BASIS)
    apply_default_rubric(round_)
    chair, member, conflicted = (make.user(Role.council_member) for _ in range(3))
    services.add_council_member(round_, chair, "Chủ tịch Hội đồng")
    services.add_council_member(round_, member, "Ủy viên")
    services.add_council_member(round_, conflicted, "Ủy viên")
    db.session.commit()
    strong = endorsed(
        make, round_, "Công ty Cổ phần Dệt may Thăng Long", "Vải kỹ thuật chống cháy", 180_000_000_000
    )
    weak = endorsed(make, round_, "Công ty TNHH Nhựa Sóc Sơn", "Ống nhựa HDPE", 120_000_000_000)
    for application, totals in ((strong, (82, 78)), (weak, (50, 60))):
        assignments = [services.assign_reviewer(application, m) for m in (chair, member)]
        if application is weak:
            services.declare(
                services.assign_reviewer(application, conflicted), True, "Cổ đông của doanh nghiệp"
            )
        db.session.commit()
        fire(application, "open_review", make.user(Role.secretariat))
        for assignment, total in zip(assignments, totals, strict=True):
            submit_scores(assignment, scores_summing_to(total))
    assert secretariat.post(f"/secretariat/review/rounds/{round_.id}/conclude").status_code == 302
    db.session.expire_all()
    assert (strong.state, weak.state) == (State.recommended, State.not_recommended)
    deadline = local_today() + timedelta(days=10)
    published = secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/publish", data={"publish-comment_deadline": deadline}
    )
    assert published.status_code == 302
    # The enterprise renames itself afterwards: the documents keep the submitted name.
    strong.enterprise.name = "Tên mới sau khi nộp"
    db.session.commit()
    return round_, strong, weak, (chair, member, conflicted)


def get_file(client, url: str, mimetype: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"].startswith("attachment;")
    if mimetype == "application/pdf":
        assert overprinted(text_runs(response.data)) == []
    return response.data


def assert_official_layout(text: str, *issuer: str) -> None:
    for line in (*NATIONAL_HEADING, *issuer):
        assert line in text, line
    assert PLACE_DATE.search(text), text[:400]


def test_minutes_hold_members_dossiers_score_sheets_means_and_conclusions(reviewed, secretariat):
    round_, strong, weak, (chair, member, conflicted) = reviewed
    for kind, read in (("pdf", pdf_text), ("docx", docx_text)):
        mimetype = "application/pdf" if kind == "pdf" else DOCX
        text = read(
            get_file(secretariat, f"/secretariat/honours/rounds/{round_.id}/minutes.{kind}", mimetype)
        )
        assert_official_layout(text, "UBND THÀNH PHỐ HÀ NỘI", "HỘI ĐỒNG XÉT CHỌN")
        assert "BIÊN BẢN HỌP HỘI ĐỒNG XÉT CHỌN" in text
        assert f"TV1 {chair.full_name} Chủ tịch Hội đồng" in text
        assert f"TV2 {member.full_name} Ủy viên" in text
        assert (
            f"Thành viên {conflicted.full_name} tự nhận có xung đột lợi ích với hồ sơ {weak.receipt_code}"
            in text
        )
        assert "Công ty Cổ phần Dệt may Thăng Long (MST" in text and "Tên mới sau khi nộp" not in text
        assert "Vải kỹ thuật chống cháy" in text and "Ống nhựa HDPE" in text
        assert f"180.000.000.000 ({local_today().year - 1})" in text
        # Each member's sheet, criterion by criterion (82 and 78 fill A1 with 10 each), then the mean.
        assert "A1. " in text and "Tổng điểm 100 82 78 80" in text and "Tổng điểm 100 50 60 55" in text
        assert "Điểm trung bình: 80/100" in text
        assert "Kết luận: Đề nghị được công nhận là sản phẩm công nghiệp chủ lực." in text
        assert "Kết luận: Không đề nghị." in text
        assert f"CHỦ TỊCH HỘI ĐỒNG {chair.full_name}" in text


def test_results_notice_lists_what_was_published_for_comment(reviewed, secretariat):
    round_, strong, weak, _members = reviewed
    text = pdf_text(
        get_file(
            secretariat, f"/secretariat/honours/rounds/{round_.id}/results-notice.pdf", "application/pdf"
        )
    )
    assert_official_layout(text, "UBND THÀNH PHỐ HÀ NỘI", "SỞ CÔNG THƯƠNG")
    assert f"Hà Nội, ngày {local_today():%d}" in text
    assert "THÔNG BÁO" in text and LEGAL_BASIS in text
    assert "1 sản phẩm của 1 doanh nghiệp" in text
    assert "Vải kỹ thuật chống cháy Công ty Cổ phần Dệt may Thăng Long" in text
    assert strong.enterprise_record.address in text
    assert "Ống nhựa HDPE" not in text and "Tên mới sau khi nộp" not in text
    assert f"/results/{round_.id}" in text and format_day(round_.comment_deadline) in text


def test_submission_carries_the_draft_decision_and_its_annex(reviewed, secretariat):
    round_, strong, _weak, _members = reviewed
    for kind, read in (("pdf", pdf_text), ("docx", docx_text)):
        mimetype = "application/pdf" if kind == "pdf" else DOCX
        text = read(
            get_file(secretariat, f"/secretariat/honours/rounds/{round_.id}/submission.{kind}", mimetype)
        )
        assert_official_layout(text, "SỞ CÔNG THƯƠNG", "ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI")
        assert "TỜ TRÌNH" in text and "Kính gửi: Ủy ban nhân dân thành phố Hà Nội." in text
        assert "Về việc phê duyệt kết quả xét chọn sản phẩm công nghiệp chủ lực năm 2031" in text
        assert "Sở Công Thương đã tiếp nhận 2 hồ sơ đăng ký" in text
        assert "DỰ THẢO" in text and "QUYẾT ĐỊNH" in text and "Số: /QĐ-UBND" in text
        assert "Điều 1. Phê duyệt danh sách 1 sản phẩm của 1 doanh nghiệp được công nhận là sản phẩm" in text
        assert "có giá trị 36 tháng" in text
        assert "PHỤ LỤC" in text and "DANH SÁCH SẢN PHẨM" in text
        record = strong.enterprise_record
        assert "Vải kỹ thuật chống cháy" in text and record.tax_code in text and record.address in text
        assert f"180.000.000.000 ({local_today().year - 1})" in text
        assert "Ống nhựa HDPE" not in text and "Tên mới sau khi nộp" not in text


def test_documents_wait_for_their_step_and_say_so(app, make, secretariat):
    round_ = make.round(year=2032)
    for name in ("minutes.pdf", "results-notice.pdf", "submission.docx"):
        response = secretariat.get(f"/secretariat/honours/rounds/{round_.id}/{name}", follow_redirects=True)
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert (
            "No dossier of this round has been reviewed yet." in response.text
            or "This document exists once results with a recommended dossier are published." in response.text
        )


def test_round_documents_are_the_secretariats_only(app, make, reviewed, client):
    round_ = reviewed[0]
    urls = [f"/secretariat/honours/rounds/{round_.id}/{name}" for name in ROUND_DOCUMENTS]
    for role in (Role.applicant, Role.unit_officer, Role.council_member, Role.admin):
        outsider = client_for(app, make.user(role))
        assert [outsider.get(url).status_code for url in urls] == [403] * len(urls), role
    assert all(client.get(url).headers["Location"].startswith("/login") for url in urls)
    secretariat = client_for(app, make.user(Role.secretariat))
    assert secretariat.get("/secretariat/honours/rounds/999999/minutes.pdf").status_code == 404
    assert secretariat.get(f"/secretariat/honours/rounds/{round_.id}/minutes.odt").status_code == 404


def test_round_pages_link_the_documents(reviewed, secretariat):
    round_ = reviewed[0]
    page = secretariat.get(f"/secretariat/honours/rounds/{round_.id}").text
    for name in ROUND_DOCUMENTS:
        assert f'href="/secretariat/honours/rounds/{round_.id}/{name}"' in page
    board = secretariat.get(f"/secretariat/review/rounds/{round_.id}/board").text
    assert f'href="/secretariat/honours/rounds/{round_.id}/minutes.pdf"' in board


# The certificate ---------------------------------------------------------------------------------------


def certificate_text(app, make, round_) -> str:
    application = make.recommended(round_, enterprise=make.enterprise(name="Công ty TNHH Cơ khí Đông Anh"))
    secretariat = client_for(app, make.user(Role.secretariat))
    publish_and_close_comments(secretariat, round_)
    decide(secretariat, round_, [application.id])
    certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == application.id))
    data = get_file(secretariat, f"/secretariat/honours/certificates/{certificate.id}.pdf", "application/pdf")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    return pdf_text(data)


def test_certificate_takes_the_administrative_layout(app, make):
    round_ = make.round(year=2033, reviewers_per_dossier=1)
    text = certificate_text(app, make, round_)
    assert_official_layout(text, "ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI")
    assert f"Số: CNCL-2033-0001 Hà Nội, ngày {local_today():%d}" in text
    assert "GIẤY CHỨNG NHẬN" in text and "Công ty TNHH Cơ khí Đông Anh" in text
    assert "Được công nhận là sản phẩm công nghiệp chủ lực năm 2033" in text
    assert "TM. ỦY BAN NHÂN DÂN Phó Chủ tịch UBND TP" in text


def test_supporting_industries_certificate_never_says_key_industrial_product(app, make):
    """The defect: the certificate's wording was fixed to the key-industrial-products programme."""
    data = next(p for p in PROGRAMMES if p["code"] == "CNHT")
    programme = Programme(**data)
    db.session.add(programme)
    db.session.commit()
    round_ = make.round(
        year=2034, reviewers_per_dossier=1, programme=programme,
        title="Lựa chọn doanh nghiệp tham gia chương trình phát triển công nghiệp hỗ trợ năm 2034",
    )  # fmt: skip
    text = certificate_text(app, make, round_)
    assert "chủ lực" not in text.lower()
    assert f"{data['name_vi']} năm 2034" in text
    assert f"{data['outcome_vi']} năm 2034" in text
