"""The whole path in headless Chromium, as people would click it: an enterprise registers and submits,
the unit's vetting officer endorses, three council members declare and score, the secretariat assigns
reviewers, opens the review, concludes, publishes the results and records the city's decision, and an
anonymous visitor follows the URL the certificate's QR code carries to the public verify page.

Set up outside the browser, as an administrator would: the reference data, an open round with the
default rubric, and the accounts of the officer, the secretariat and the three council members.
Everything else goes through the pages, each person in their own browser context, each a 1366x768
laptop on which no public page may scroll sideways (the phone size is test_newcomer_layout_browser's).
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.cases.models import Application, State
from recognition.clock import local_today
from recognition.honours.models import Certificate, CertificateStatus
from recognition.honours.pdf import qr_png
from recognition.review.rubric import DEFAULT_RUBRIC, apply_default_rubric
from recognition.rounds.models import Round
from tests.browser.conftest import DESKTOP, PHONE, flag_sideways_scroll_on_public_pages, set_timeouts
from tests.browser.test_foundation_browser import path_is, watch_for_problems
from tests.browser.test_nomination_browser import (
    ENTERPRISE,
    PRODUCT,
    fill_figures_watching_eligibility,
    fill_product,
    fill_quality,
    give_commitment,
    register,
    start_nomination,
    submit_dossier,
    upload_documents,
)
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

OFFICER = ("canbo.kinhte@donganh.hanoi.gov.vn", "Lê Thị Thu")
SECRETARIAT = ("thuongtruc@congthuong.hanoi.gov.vn", "Trần Quốc Bảo")
# (email, name, title on the council, points per criterion in rubric order). The totals are 85, 80
# and 87; each criterion's three points sum to a multiple of 3, so every criterion mean is exact and
# the dossier's total (the sum of the criterion means) is 84, the mean of the members' totals.
MEMBERS = (
    ("ptchinh@hust.edu.vn", "GS. Phạm Thành Chính", "Chủ tịch Hội đồng",
     ["9", "8", "8", "9", "7", "6", "9", "9", "8", "4", "4", "4"]),
    ("nvan@neu.edu.vn", "PGS. Nguyễn Văn An", "Ủy viên",
     ["8,5", "8", "7,5", "8", "6", "6", "8", "8", "8", "4", "4", "4"]),
    ("hoangmai@vcci.com.vn", "TS. Hoàng Thị Mai", "Ủy viên",
     ["9,5", "8", "8,5", "10", "8", "6", "10", "7", "8", "4", "4", "4"]),
)  # fmt: skip
MEAN_TOTAL = "84"
CRITERIA = [
    (code, name_vi, points)
    for _g, _vi, _en, rows in DEFAULT_RUBRIC
    for code, name_vi, _e, points, *_guidance in rows
]
DECISION_NUMBER = "2468/QĐ-UBND"
SIGNER = "Phó Chủ tịch UBND Thành phố Nguyễn Mạnh Quyền"


def shoot(page: Page, artifacts_dir: Path, name: str) -> None:
    page.screenshot(path=str(artifacts_dir / f"path-{name}.png"), full_page=True)


def new_page(browser: Browser, base_url: str, viewport: dict = DESKTOP) -> tuple[Page, list[str]]:
    """A page in a fresh context (own cookies), on a 1366x768 laptop unless told otherwise, watched for
    script, console and HTTP errors, and for a public page that scrolls sideways."""
    context = browser.new_context(base_url=base_url, locale="vi-VN", viewport=viewport)
    flag_sideways_scroll_on_public_pages(context)
    set_timeouts(context)
    page = context.new_page()
    return page, watch_for_problems(page)


def log_in(page: Page, email: str, home: str) -> None:
    page.goto("/")
    page.locator("nav").get_by_role("link", name="Đăng nhập").click()
    page.wait_for_url(path_is("/login"))
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(path_is(home))
    expect(page.locator("nav")).to_contain_text(email)


def flash(page: Page, text: str) -> None:
    expect(page.locator(".alert-success, .alert-info").filter(has_text=text)).to_have_count(1)


# --- set-up an administrator does --------------------------------------------------------------------


def set_up_round_and_accounts(make, db) -> Round:
    round_ = make.round()
    apply_default_rubric(round_)
    db.session.commit()
    officer = make.user(Role.unit_officer, unit=make.unit("X-DONGANH"), email=OFFICER[0])
    officer.full_name = OFFICER[1]
    secretary = make.user(Role.secretariat, email=SECRETARIAT[0])
    secretary.full_name = SECRETARIAT[1]
    for email, name, _title, _points in MEMBERS:
        make.user(Role.council_member, email=email).full_name = name
    db.session.commit()
    return round_


# --- 1. the enterprise -------------------------------------------------------------------------------


def fill_quality_and_self_assessment(page: Page, base: str) -> None:
    """Section 3, then section 4, the self-assessment a round with criteria asks for."""
    fill_quality(page, base, then="self-assessment")
    expect(page.get_by_role("link", name=re.compile(r"^4\. Tự đánh giá"))).to_have_class(
        re.compile(r"\bactive\b")
    )
    for code, name, max_points in CRITERIA:
        points = page.get_by_label(re.compile(rf"^{code}\. {re.escape(name)} "))
        points.fill(str(max_points * 8 // 10))
        page.locator("fieldset", has=points).get_by_label("Giải trình").fill(f"Tự đánh giá tiêu chí {code}.")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(path_is(f"{base}/commitment"))
    expect(page.locator(".alert-success")).to_have_text("Đã lưu.")


def fill_every_section_and_submit(
    page: Page, db, application_id: int, tmp_path: Path, artifacts_dir: Path
) -> str:
    """The six sections of a nomination in a round with criteria, its documents, the submission;
    the receipt's code."""
    base = f"/applicant/applications/{application_id}"
    fill_product(page, base)
    fill_figures_watching_eligibility(page, db, base, application_id, artifacts_dir)
    fill_quality_and_self_assessment(page, base)
    give_commitment(page, base)
    upload_documents(page, db, base, application_id, tmp_path)
    return submit_dossier(page, base, sections=6)


def enterprise_submits(page: Page, db, tmp_path: Path, artifacts_dir: Path) -> tuple[int, str]:
    register(page)
    application_id = start_nomination(page)
    return application_id, fill_every_section_and_submit(page, db, application_id, tmp_path, artifacts_dir)


# --- 2. the vetting officer --------------------------------------------------------------------------


def officer_previews_a_document(page: Page) -> None:
    """No preview frame loads with the dossier; opening one "Xem trước" loads that PDF, inline."""
    frames = page.locator("#section-documents iframe")
    expect(frames.first).to_be_attached()
    assert page.locator("#section-documents iframe[src]").count() == 0
    with page.expect_response(lambda response: "inline" in response.url) as preview:
        page.locator("#section-documents summary").first.click()
    assert preview.value.headers["content-type"] == "application/pdf"
    expect(page.locator("#section-documents iframe[src]")).to_have_count(1)


def officer_endorses(page: Page, application_id: int, code: str) -> None:
    log_in(page, OFFICER[0], "/unit/")
    page.locator("#queue").get_by_role("link", name=code).click()
    dossier = f"/unit/dossiers/{application_id}"
    page.wait_for_url(path_is(dossier))
    expect(page.locator("#state")).to_have_text("Đã nộp")
    officer_previews_a_document(page)
    page.get_by_role("button", name="Bắt đầu thẩm định").click()
    page.wait_for_url(path_is(dossier))
    flash(page, "Đã bắt đầu thẩm định.")
    expect(page.locator("#state")).to_have_text("Đang thẩm định")

    page.locator("#actions").get_by_role("link", name="Đề nghị", exact=True).click()
    page.wait_for_url(path_is(f"{dossier}/endorse"))
    page.get_by_label("Ngày khảo sát thực tế").fill((local_today() - timedelta(days=2)).isoformat())
    page.get_by_label("Doanh nghiệp và sản phẩm đáp ứng điều kiện của đợt xét chọn").check()
    answers = page.get_by_role("radio", name="Có", exact=True)
    expect(answers).to_have_count(5)
    for answer in answers.all():
        answer.check()
    page.get_by_placeholder("Ghi chú").first.fill("Đã đối chiếu bản gốc giấy chứng nhận đăng ký doanh nghiệp")
    page.get_by_label("Ý kiến đề xuất").fill("Đề nghị Hội đồng xét chọn xem xét, công nhận sản phẩm.")
    page.get_by_role("button", name="Đề nghị Hội đồng xét chọn").click()
    page.wait_for_url(path_is(dossier))
    flash(page, "Hồ sơ đã được đề nghị lên Hội đồng.")
    expect(page.locator("#state")).to_have_text("Đã thẩm định đạt")


# --- 3. the secretariat: council, reviewers, review opened ----------------------------------------------


def secretariat_opens_review(page: Page, round_: Round, code: str) -> None:
    log_in(page, SECRETARIAT[0], "/secretariat/")
    page.locator("#rounds tr", has_text=round_.title).get_by_role("link", name="Hội đồng").click()
    page.wait_for_url(path_is(f"/secretariat/rounds/{round_.id}/council"))
    for email, name, title, _points in MEMBERS:
        page.get_by_label("Thành viên hội đồng").select_option(label=f"{name} ({email})")
        page.get_by_label("Chức danh trong Hội đồng (ví dụ: Chủ tịch, Ủy viên)").fill(title)
        page.get_by_role("button", name="Thêm vào Hội đồng").click()
        page.wait_for_url(path_is(f"/secretariat/rounds/{round_.id}/council"))
        flash(page, "Đã thêm vào Hội đồng.")
        expect(page.locator("#council")).to_contain_text(name)

    page.get_by_role("link", name="Thành viên chấm").click()
    assignments = f"/secretariat/review/rounds/{round_.id}/assignments"
    page.wait_for_url(path_is(assignments))
    page.get_by_role("button", name="Phân công đều").click()
    page.wait_for_url(path_is(assignments))
    flash(page, "Đã phân công 3 lượt.")
    row = page.locator("#assignments tbody tr", has_text=code)
    for _email, name, _title, _points in MEMBERS:
        expect(row).to_contain_text(f"{name} — chưa kê khai")
    row.get_by_role("button", name="Mở xét chọn").click()
    page.wait_for_url(path_is(assignments))
    flash(page, f"Đã mở xét chọn cho hồ sơ {code}.")
    expect(row).to_contain_text("Hội đồng đang xét chọn")


# --- 4. the council members ---------------------------------------------------------------------------


def member_scores(page: Page, email: str, points: list[str], code: str) -> None:
    log_in(page, email, "/council/")
    row = page.locator("#assignments tbody tr", has_text=code)
    row.get_by_role("link", name="Kê khai xung đột lợi ích").click()
    page.wait_for_url(re.compile(r"/council/assignments/\d+/declare$"))
    page.get_by_label("Tôi không có xung đột lợi ích với doanh nghiệp hoặc sản phẩm này").check()
    page.get_by_role("button", name="Ghi nhận kê khai").click()
    page.wait_for_url(re.compile(r"/council/assignments/\d+/score$"))
    flash(page, "Đã ghi nhận kê khai: không có xung đột lợi ích.")

    for (criterion, _name, _max), value in zip(CRITERIA, points, strict=True):
        fieldset = page.locator(f"#criterion-{criterion}")
        fieldset.get_by_label(re.compile(r"^Điểm \(0 đến")).fill(value)
        fieldset.get_by_label("Nhận xét").fill(f"Nhận xét về tiêu chí {criterion}.")
    page.get_by_role("button", name="Nộp phiếu chấm").click()
    page.wait_for_url(re.compile(r"/council/assignments/\d+(#panel)?$"))
    flash(page, "Phiếu chấm của bạn đã được nộp. Điểm của Hội đồng hiển thị dưới đây.")
    expect(page.locator("#panel")).to_be_visible()


# --- 5 and 6. the secretariat: conclusion, publication, the city's decision ----------------------------


def secretariat_concludes(page: Page, round_: Round, application_id: int, code: str) -> None:
    page.get_by_role("link", name="Bảng tổng hợp điểm").click()
    board = f"/secretariat/review/rounds/{round_.id}/board"
    page.wait_for_url(path_is(board))
    row = page.locator(f"#dossier-{application_id}")
    for _email, name, _title, _points in MEMBERS:
        expect(row).to_contain_text(name)
    expect(row.locator("td.fw-bold")).to_have_text(re.compile(rf"^{MEAN_TOTAL}(\.0+)?$"))
    row.locator("summary", has_text="Kết luận").click()
    expect(row.get_by_label("Kết quả")).to_have_value("")  # as the rules give
    row.get_by_role("button", name="Kết luận", exact=True).click()
    page.wait_for_url(path_is(board))
    flash(page, f"Đã kết luận hồ sơ {code}.")
    expect(page.locator(f"#dossier-{application_id}")).to_contain_text("Được Hội đồng đề nghị")


def secretariat_publishes_and_recognises(page: Page, db, round_: Round, code: str) -> str:
    page.get_by_role("link", name="Công nhận, tôn vinh").click()
    honours = f"/secretariat/honours/rounds/{round_.id}"
    page.wait_for_url(path_is(honours))
    page.get_by_label("Nhận ý kiến đến hết ngày").fill((local_today() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Công bố kết quả để lấy ý kiến").click()
    page.wait_for_url(path_is(honours))
    flash(page, "Đã công bố kết quả để lấy ý kiến.")
    expect(page.locator("#publication")).to_contain_text(ENTERPRISE)

    # The comment period lasts days and the test cannot wait: move its deadline to yesterday directly
    # in the database, as if the period had run out, then reload the page as the secretary would.
    db.session.rollback()
    db.session.get(Round, round_.id).comment_deadline = local_today() - timedelta(days=1)
    db.session.commit()
    page.reload()

    decision = page.locator("#decision")
    choice = decision.get_by_role("checkbox", name=f"{code} · {ENTERPRISE} · {PRODUCT}")
    expect(choice, "the recommended dossier is offered as a ticked checkbox").to_be_checked()
    decision.get_by_label("Số quyết định").fill(DECISION_NUMBER)
    decision.get_by_label("Ngày quyết định").fill(local_today().isoformat())
    decision.get_by_label("Người ký").fill(SIGNER)
    decision.get_by_role("button", name="Ghi nhận quyết định và công nhận").click()
    page.wait_for_url(path_is(honours))  # redirected back to the page after the decision
    flash(page, "Đã công nhận 1 trên 1 hồ sơ.")
    flash(page, f"{code}: đã được công nhận.")
    certificate_row = page.locator("#certificates tbody tr", has_text=PRODUCT)
    expect(certificate_row).to_contain_text("Còn hiệu lực")
    serial = certificate_row.locator("td").first.get_by_role("link").inner_text().strip()
    assert re.fullmatch(rf"CNCL-{round_.year}-0001", serial), serial
    return serial


def verify_url_carried_by_certificate(page: Page, serial: str, tmp_path: Path, base_url: str) -> str:
    """Download the certificate through the page; the URL printed under the QR code, which must be the
    one the QR code encodes (regenerated with segno and compared pixel by pixel: no QR decoder needed),
    on the server the browser is talking to."""
    with page.expect_download() as download_info:
        page.locator("#certificates").get_by_role("link", name=serial).click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename == f"{serial}.pdf"
    pdf_path = tmp_path / download.suggested_filename
    download.save_as(pdf_path)

    reader = PdfReader(pdf_path)
    text = "\n".join(p.extract_text() for p in reader.pages)
    printed = re.search(r"https?://\S+/verify/\S+", text)
    assert printed, text
    url = printed.group(0)
    assert url == f"{base_url}/verify/{serial}"
    [qr] = reader.pages[0].images
    expected = Image.open(io.BytesIO(qr_png(url))).convert("L")
    embedded = qr.image.convert("L")
    assert embedded.size == expected.size
    assert ImageChops.difference(embedded, expected).getbbox() is None, "the QR code carries another URL"
    return url


# --- the whole path -----------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366x768", "390x844"])
def test_whole_path_from_registration_to_public_verification(
    browser_page: Page, live_server, make, reference, db, artifacts_dir, tmp_path, viewport
):
    size = f"{viewport['width']}x{viewport['height']}"
    round_ = set_up_round_and_accounts(make, db)
    browser = browser_page.context.browser
    problems: dict[str, list[str]] = {}

    # 1. The enterprise registers, fills every section, uploads the documents and submits.
    enterprise = browser_page
    enterprise.set_viewport_size(viewport)
    flag_sideways_scroll_on_public_pages(enterprise.context)
    problems["enterprise"] = watch_for_problems(enterprise)
    application_id, code = enterprise_submits(enterprise, db, tmp_path, artifacts_dir)
    shoot(enterprise, artifacts_dir, f"01-submitted-{size}")

    # 2. The officer of Xã Đông Anh opens it from the queue, starts vetting and endorses.
    officer, problems["officer"] = new_page(browser, live_server, viewport)
    officer_endorses(officer, application_id, code)
    shoot(officer, artifacts_dir, f"02-endorsed-{size}")
    officer.context.close()

    # 3. The secretariat names the council, assigns the reviewers evenly and opens the review.
    secretariat, problems["secretariat"] = new_page(browser, live_server, viewport)
    secretariat_opens_review(secretariat, round_, code)
    shoot(secretariat, artifacts_dir, f"03-review-opened-{size}")

    # 4. Each council member declares no conflict and scores all twelve criteria.
    for email, _name, _title, points in MEMBERS:
        member, problems[email] = new_page(browser, live_server, viewport)
        member_scores(member, email, points, code)
        if email == MEMBERS[-1][0]:
            for _e, other, _t, _p in MEMBERS:
                expect(member.locator("#panel")).to_contain_text(other)
            shoot(member, artifacts_dir, f"04-scored-{size}")
        member.context.close()

    # 5. The secretariat concludes on the review board, as the rules give.
    secretariat_concludes(secretariat, round_, application_id, code)
    shoot(secretariat, artifacts_dir, f"05-concluded-{size}")

    # 6. It publishes the results for comment and, the period over, records the city's decision.
    serial = secretariat_publishes_and_recognises(secretariat, db, round_, code)
    shoot(secretariat, artifacts_dir, f"06-recognised-{size}")
    url = verify_url_carried_by_certificate(secretariat, serial, tmp_path, live_server)

    # 7. Anyone who scans the QR code sees that the certificate is valid.
    visitor, problems["visitor"] = new_page(browser, live_server, viewport)
    visitor.goto(url)
    expect(visitor.locator("h1")).to_have_text("Xác thực giấy chứng nhận")
    expect(visitor.locator("#certificate-status")).to_have_text("Còn hiệu lực")
    main = visitor.locator("main")
    for text in (serial, PRODUCT, ENTERPRISE, DECISION_NUMBER):
        expect(main).to_contain_text(text)
    expect(visitor.locator("nav").get_by_role("link", name="Đăng nhập")).to_be_visible()
    shoot(visitor, artifacts_dir, f"07-verified-{size}")

    db.session.rollback()
    application = db.session.get(Application, application_id)
    assert application.state == State.recognised
    certificate = db.session.scalars(select(Certificate).where(Certificate.serial == serial)).one()
    assert certificate.status == CertificateStatus.valid and certificate.application_id == application_id
    assert {actor: found for actor, found in problems.items() if found} == {}
