"""Nomination, end to end in headless Chromium: an enterprise registers, fills every section over
several requests, sees the live eligibility check while typing the figures, uploads each required
document, submits, gets the receipt slip and finds the submission on the dossier's timeline."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader
from sqlalchemy import func, select

from recognition.cases.models import Application, ApplicationFigures, Document, State
from recognition.clock import local_today
from recognition.nomination.services import figure_years
from recognition.rounds.models import DEFAULT_REQUIRED_DOCUMENTS
from tests import files
from tests.browser.test_foundation_browser import confirm_and_log_in, path_is, watch_for_problems

pytestmark = pytest.mark.browser

ENTERPRISE = "Công ty Cổ phần Thiết bị điện Đông Anh"
PRODUCT = "Máy biến áp phân phối 22 kV"
PASSWORD = "mật khẩu đủ dài"
# The Vietnamese label of each required kind of document, as the upload form's select shows it.
DOCUMENT_LABELS = {
    "registration_form": "Đơn đăng ký",
    "business_registration": "Giấy chứng nhận đăng ký doanh nghiệp",
    "financial_statements": "Báo cáo tài chính đã kiểm toán",
    "quality_certificates": "Chứng nhận chất lượng, tiêu chuẩn",
    "intellectual_property": "Sở hữu trí tuệ",
    "environmental_compliance": "Tuân thủ quy định về môi trường",
    "product_description": "Thuyết minh sản phẩm",
}
FIGURES = {
    "Giá trị sản xuất (đồng)": "180.000.000.000",
    "Doanh thu (đồng)": "150.000.000.000",
    "Kim ngạch xuất khẩu (USD)": "2.500.000",
    "Nộp ngân sách nhà nước (đồng)": "12.000.000.000",
    "Số lao động": "450",
    "Thu nhập bình quân tháng (đồng)": "11.500.000",
}
REVENUE_RULE = "Sản phẩm này cần có doanh thu từ 100.000.000.000 đồng/năm trở lên."
LIVE_OK = "Các số liệu này đáp ứng điều kiện của đợt xét chọn."


def saved(db, model, application_id: int) -> int:
    """How many rows of `model` the live server has committed for the application."""
    db.session.rollback()  # end the test thread's transaction, so the server's commits are visible
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.application_id == application_id)
    )


def type_into(field: Locator, text: str) -> None:
    """Clear the field and type key by key, as a person does.

    The amount fields are <input type="number">, where Playwright's fill() refuses "150.000.000.000";
    typed keys are accepted (Chromium keeps the first dot only, and the server drops the separators).
    """
    field.clear()
    field.press_sequentially(text)


def register(page: Page) -> None:
    page.goto("/")
    page.locator("main").get_by_role("link", name="Đăng ký doanh nghiệp").click()
    page.wait_for_url(path_is("/register"))
    page.get_by_label("Tên doanh nghiệp").fill(ENTERPRISE)
    page.get_by_label("Mã số thuế").fill("0100101234")
    page.get_by_label("Địa chỉ trụ sở chính").fill("Tổ 5, xã Đông Anh, Hà Nội")
    page.get_by_label("Đơn vị hành chính").select_option(label="Xã Đông Anh")
    page.get_by_label("Ngành").select_option(label="Điện, điện tử")
    page.get_by_label("Họ và tên của bạn").fill("Phạm Văn Hùng")
    page.get_by_label("Thư điện tử").fill("hung@thietbidien.vn")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký", exact=True).click()
    confirm_and_log_in(page, "hung@thietbidien.vn", PASSWORD)
    expect(page.locator("h1")).to_have_text("Doanh nghiệp của tôi")


def start_nomination(page: Page) -> int:
    page.locator("main").get_by_role("link", name="Đăng ký sản phẩm").click()
    page.wait_for_url(path_is("/applicant/applications/new"))
    expect(page.get_by_label("Đợt xét chọn")).to_contain_text("Xét chọn sản phẩm công nghiệp chủ lực năm")
    page.get_by_label("Sản phẩm", exact=True).select_option(label="Sản phẩm mới")
    page.get_by_label("Tên sản phẩm mới").fill("Máy biến áp")
    page.get_by_role("button", name="Bắt đầu đăng ký").click()
    page.wait_for_url(re.compile(r"/applicant/applications/\d+/product$"))
    expect(page.locator(".alert-success")).to_have_text("Đã lưu bản nháp. Hãy điền từng mục rồi nộp hồ sơ.")
    return int(re.search(r"/applications/(\d+)/product", page.url).group(1))


def fill_product(page: Page, base: str) -> None:
    page.get_by_label("Tên sản phẩm", exact=True).fill(PRODUCT)
    expect(page.get_by_label("Ngành")).to_have_value(re.compile(r"\d+"))  # the enterprise's sector
    page.get_by_label("Loại sản phẩm").select_option(label="Sản phẩm công nghiệp khác")
    page.get_by_label("Mô tả").fill("Máy biến áp dầu ba pha, hiệu suất cao")
    type_into(page.get_by_label("Năm bắt đầu sản xuất"), "2012")
    page.get_by_label("Công suất sản xuất").fill("5.000 máy/năm")
    page.get_by_label("Thị trường chính").fill("Việt Nam, Lào, Campuchia")
    page.get_by_label("Mã HS (không bắt buộc)").fill("850423")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(path_is(f"{base}/figures"))
    expect(page.locator(".alert-success")).to_have_text("Đã lưu.")


def fill_figures_watching_eligibility(page: Page, db, base: str, application_id: int, artifacts_dir) -> None:
    """Type both years' figures; a revenue below the threshold is flagged live, then corrected."""
    box = page.locator("#eligibility")
    expect(box).to_contain_text("Chưa đủ điều kiện:")  # nothing saved yet: revenue counts as 0
    years = figure_years()
    for year in years:
        group = page.get_by_role("group", name=f"Năm {year}")
        for label, value in FIGURES.items():
            type_into(group.get_by_label(label, exact=True), value)
    expect(box).to_have_text(LIVE_OK)
    expect(box).to_have_class(re.compile(r"\balert-success\b"))

    latest_revenue = page.get_by_role("group", name=f"Năm {years[-1]}").get_by_label(
        "Doanh thu (đồng)", exact=True
    )
    with page.expect_response(lambda r: "/eligibility?" in r.url and "revenue_vnd=90.000" in r.url) as low:
        type_into(latest_revenue, "90.000.000.000")
    assert low.value.json() == {"eligible": False, "messages": [REVENUE_RULE]}
    expect(box.locator("li")).to_have_text(REVENUE_RULE)
    expect(box.locator("p")).to_have_text("Chưa đủ điều kiện:")
    expect(box).to_have_class(re.compile(r"\balert-warning\b"))
    assert urlsplit(page.url).path == f"{base}/figures"
    assert saved(db, ApplicationFigures, application_id) == 0  # checked while typing, nothing saved

    with page.expect_response(lambda r: "/eligibility?" in r.url and "revenue_vnd=150.000" in r.url):
        type_into(latest_revenue, "150.000.000.000")
    expect(box).to_have_text(LIVE_OK)
    expect(box).to_have_class(re.compile(r"\balert-success\b"))
    page.screenshot(path=str(artifacts_dir / "nomination-figures.png"), full_page=True)

    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(path_is(f"{base}/figures"))
    expect(page.locator(".alert-success").first).to_have_text("Đã lưu.")
    expect(box).to_have_text("Số liệu đã lưu đáp ứng điều kiện của đợt xét chọn.")
    assert saved(db, ApplicationFigures, application_id) == 2


def fill_quality(page: Page, base: str, then: str = "commitment") -> None:
    """Section 3; saving it moves on to `then` (the self-assessment, in a round with criteria)."""
    page.get_by_role("link", name="3. Chất lượng và công nghệ").click()
    page.wait_for_url(path_is(f"{base}/quality"))
    page.get_by_label("Tiêu chuẩn (ví dụ ISO 9001:2015)").first.fill("ISO 9001:2015")
    page.get_by_label("Số chứng chỉ").first.fill("VN-QMS-2024-118")
    page.get_by_label("Hiệu lực đến").first.fill("2027-06-30")
    page.get_by_label("Trình độ công nghệ").select_option(label="Hiện đại (tự động hóa một phần)")
    type_into(page.get_by_label("Chi cho nghiên cứu và phát triển năm trước (đồng)"), "3.200.000.000")
    page.get_by_label("Tuân thủ quy định về môi trường").fill("Giấy phép môi trường số 12/GPMT-UBND")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(path_is(f"{base}/{then}"))
    expect(page.locator(".alert-success")).to_have_text("Đã lưu.")


def give_commitment(page: Page, base: str) -> None:
    page.get_by_label("Chúng tôi cam kết chấp hành pháp luật về bảo vệ môi trường.").check()
    page.get_by_label("Chúng tôi cam kết chấp hành pháp luật về chất lượng sản phẩm, tiêu chuẩn.").check()
    page.get_by_label("Chúng tôi cam kết chấp hành pháp luật về sở hữu trí tuệ.").check()
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(path_is(f"{base}/documents"))
    expect(page.locator(".alert-success")).to_have_text("Đã lưu.")


def upload_documents(page: Page, db, base: str, application_id: int, tmp_path: Path) -> None:
    required = page.locator("#required-documents")
    for kind, label in DOCUMENT_LABELS.items():
        expect(required).to_contain_text(f"{label} — còn thiếu")
        pdf = tmp_path / f"{kind}.pdf"
        pdf.write_bytes(files.pdf(kind))
        page.get_by_label("Loại tài liệu").select_option(label=label)
        page.get_by_label("Tệp (PDF, JPEG, PNG, DOCX hoặc XLSX)").set_input_files(pdf)
        page.get_by_role("button", name="Tải lên").click()
        page.wait_for_url(path_is(f"{base}/documents"))
        expect(page.locator(".alert-success")).to_have_text("Đã tải tài liệu lên.")
        expect(required).to_contain_text(f"{label} — đã nhận")
        expect(page.locator("#documents")).to_contain_text(f"{kind}.pdf")
    expect(required).not_to_contain_text("còn thiếu")
    assert saved(db, Document, application_id) == len(DEFAULT_REQUIRED_DOCUMENTS)


def submit_dossier(page: Page, base: str, sections: int) -> str:
    """From the last tab: every section complete, tick the declaration, submit; the receipt code."""
    page.get_by_role("link", name=f"{sections + 1}. Nộp hồ sơ").click()
    page.wait_for_url(path_is(f"{base}/submit"))
    expect(page.get_by_role("progressbar")).to_have_attribute("value", str(sections))
    expect(page.get_by_role("progressbar")).to_have_attribute("max", str(sections))
    page.get_by_label(
        "Chúng tôi cam đoan các thông tin và tài liệu trong hồ sơ là đúng sự thật và đầy đủ."
    ).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    # The slip is the answer to the submission itself: the lookup secret is kept nowhere to redirect to.
    expect(page.locator(".alert-success")).to_have_text("Hồ sơ của bạn đã được nộp.")
    expect(page.locator("#lookup-secret")).to_be_visible()
    return page.locator("#receipt-code").inner_text().strip()


def test_enterprise_nominates_a_product_and_gets_a_receipt(
    browser_page: Page, make, reference, db, artifacts_dir, tmp_path
):
    assert sorted(DOCUMENT_LABELS) == sorted(DEFAULT_REQUIRED_DOCUMENTS)
    make.round()
    db.session.commit()
    page = browser_page
    problems = watch_for_problems(page)

    register(page)
    application_id = start_nomination(page)
    base = f"/applicant/applications/{application_id}"
    fill_product(page, base)
    fill_figures_watching_eligibility(page, db, base, application_id, artifacts_dir)
    fill_quality(page, base)
    give_commitment(page, base)
    upload_documents(page, db, base, application_id, tmp_path)

    code = submit_dossier(page, base, sections=5)
    receipt = page.locator("#receipt")
    expect(receipt.locator("h1")).to_have_text("Giấy tiếp nhận hồ sơ")
    assert re.fullmatch(rf"SCT-{local_today():%y%m%d}-\d{{4}}", code), code
    secret = page.locator("#lookup-secret").inner_text().strip()
    assert len(secret) == 6, secret
    expect(receipt).to_contain_text(ENTERPRISE)
    expect(receipt).to_contain_text(PRODUCT)
    expect(receipt).to_contain_text("Ủy ban nhân dân Xã Đông Anh")
    for kind, label in DOCUMENT_LABELS.items():
        expect(receipt).to_contain_text(f"{label}: {kind}.pdf")
    page.screenshot(path=str(artifacts_dir / "nomination-receipt.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("#receipt-pdf").click()
    assert download.value.suggested_filename == f"{code}.pdf"
    pdf_path = tmp_path / "slip.pdf"
    download.value.save_as(pdf_path)
    assert secret in "".join(p.extract_text() for p in PdfReader(pdf_path).pages)

    receipt.get_by_role("link", name="Tổng quan hồ sơ").click()
    page.wait_for_url(path_is(base))
    expect(page.locator("#state")).to_have_text("Đã nộp")
    expect(page.locator("main")).to_contain_text(code)
    timeline = page.locator("#timeline")
    expect(timeline.locator("li")).to_have_count(1)
    expect(timeline.locator("li").first).to_contain_text("Đã nộp hồ sơ")
    expect(timeline.locator("li").first).to_contain_text("Trạng thái: Đã nộp")

    db.session.rollback()
    application = db.session.get(Application, application_id)
    assert application.state == State.submitted and application.receipt_code == code
    assert problems == []
