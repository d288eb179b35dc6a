"""What a newcomer trips on while nominating (issue 16), each as a person meets it in Chromium: a new
product with no name, a tax code whose check digit is wrong and a unit never chosen, a file over the
upload limit, and a certification that has expired before the dossier is vetted.

State is set up through the factories; the browser does only what the person does for the defect."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from recognition.accounts.models import Enterprise, Role
from recognition.cases.models import Application, Certification, Document
from recognition.clock import local_today
from tests import files
from tests.browser.test_foundation_browser import path_is, watch_for_problems
from tests.browser.test_whole_path_browser import log_in, new_page
from tests.conftest import fire

pytestmark = pytest.mark.browser

MB = 1024 * 1024


def rows(db, model) -> int:
    db.session.rollback()  # see what the live server committed
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_product_without_a_name_is_refused_and_no_link_is_left_blank(browser_page: Page, make, db):
    round_ = make.round()
    applicant = make.user(Role.applicant)
    nameless = make.application(round=make.round(), enterprise=applicant.memberships[0].enterprise)
    nameless.product.name = ""  # a draft started before the name was required
    db.session.commit()
    page = browser_page
    problems = watch_for_problems(page)
    log_in(page, applicant.email, "/applicant/")

    page.locator("main").get_by_role("link", name="Đăng ký sản phẩm").click()
    page.get_by_label("Đợt xét chọn").select_option(label=round_.title)
    page.get_by_label("Sản phẩm", exact=True).select_option(label="Sản phẩm mới")
    page.get_by_label("Tên sản phẩm mới").fill("   ")
    page.get_by_role("button", name="Bắt đầu đăng ký").click()

    expect(page.locator("#product_name ~ .invalid-feedback")).to_have_text("Hãy nhập tên sản phẩm mới.")
    assert path_is("/applicant/applications/new")(page.url)
    expect(page.get_by_label("Đợt xét chọn")).to_have_value(str(round_.id))
    expect(page.get_by_label("Sản phẩm", exact=True)).to_have_value("0")
    assert rows(db, Application) == 1

    page.locator("nav").get_by_role("link", name="Doanh nghiệp").click()
    link = page.locator("#applications tbody a")
    expect(link).to_have_count(1)
    expect(link).to_have_text(re.compile(r"\S"))
    link.click()
    page.wait_for_url(path_is(f"/applicant/applications/{nameless.id}"))
    assert problems == []


def test_registration_checks_the_tax_code_and_preselects_no_unit(browser_page: Page, reference, db):
    page = browser_page
    page.goto("/register")
    unit = page.get_by_label("Đơn vị hành chính")
    expect(unit).to_have_value("")
    expect(unit.locator("option:checked")).to_have_text(re.compile(r"\S"))  # "Choose…", not a unit

    page.get_by_label("Tên doanh nghiệp").fill("Công ty TNHH Cơ khí Sóc Sơn")
    page.get_by_label("Mã số thuế").fill("0000000000")
    page.get_by_label("Địa chỉ trụ sở chính").fill("Thôn Đông, xã Sóc Sơn, Hà Nội")
    page.get_by_label("Ngành").select_option(label="Cơ khí chế tạo")
    page.get_by_label("Họ và tên của bạn").fill("Ngô Văn Sơn")
    page.get_by_label("Thư điện tử").fill("son@cokhisocson.vn")
    page.get_by_label("Mật khẩu", exact=True).fill("mật khẩu đủ dài")
    page.get_by_label("Nhập lại mật khẩu").fill("mật khẩu đủ dài")
    page.get_by_role("button", name="Đăng ký", exact=True).click()

    tax_code = page.get_by_label("Mã số thuế")
    expect(tax_code).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#tax_code ~ .invalid-feedback")).to_contain_text("Chữ số kiểm tra (chữ số thứ 10)")
    expect(tax_code).to_have_value("0000000000")
    expect(unit).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#unit_id ~ .invalid-feedback")).to_have_text(re.compile(r"\S"))
    expect(page.get_by_label("Tên doanh nghiệp")).to_have_value("Công ty TNHH Cơ khí Sóc Sơn")
    assert rows(db, Enterprise) == 0


def test_an_upload_over_the_limit_keeps_the_page_and_states_the_limit(
    browser_page: Page, app, make, db, monkeypatch, tmp_path: Path
):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1 * MB)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1 * MB + 64 * 1024)
    application = make.application(complete=False)
    applicant = make.applicant_of(application)
    page = browser_page
    log_in(page, applicant.email, "/applicant/")
    documents = f"/applicant/applications/{application.id}/documents"
    page.goto(documents)

    big = tmp_path / "bao-cao-tai-chinh.pdf"
    big.write_bytes(files.pdf("big") + b"\n%" + b"0" * (2 * MB))
    page.get_by_label("Loại tài liệu").select_option(label="Báo cáo tài chính đã kiểm toán")
    page.get_by_label("Tệp (PDF, JPEG, PNG, DOCX hoặc XLSX)").set_input_files(big)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Tải lên").click()
    assert answer.value.status == 413
    expect(page.locator(".alert-danger")).to_contain_text("Tệp lớn hơn 1 MB.")
    assert path_is(documents)(page.url)
    assert rows(db, Document) == 0

    small = tmp_path / "bao-cao.pdf"
    small.write_bytes(files.pdf("small"))
    page.get_by_label("Loại tài liệu").select_option(label="Báo cáo tài chính đã kiểm toán")
    page.get_by_label("Tệp (PDF, JPEG, PNG, DOCX hoặc XLSX)").set_input_files(small)
    page.get_by_role("button", name="Tải lên").click()
    expect(page.locator(".alert-success")).to_have_text("Đã tải tài liệu lên.")
    assert rows(db, Document) == 1


def test_an_expired_certification_is_flagged_to_the_vetting_body_and_the_enterprise(
    browser_page: Page, live_server, make, db
):
    application = make.application()
    lapsed_on = local_today() - timedelta(days=1)
    application.certifications += [
        Certification(standard="ISO 9001:2015", number="QMS-118", expires_on=lapsed_on),
        Certification(standard="ISO 14001:2015", number="EMS-007", expires_on=local_today()),
    ]
    db.session.commit()
    applicant = make.applicant_of(application)
    fire(application, "submit", applicant)
    fresh = make.application(enterprise=application.enterprise)
    fire(fresh, "submit", applicant)
    officer = make.officer_of(application)

    # The badges' words are new (merged from /tmp/i18n/nominate.tsv); the day is dd/mm/yyyy either way.
    page = browser_page
    log_in(page, officer.email, "/unit/")
    expired_row = page.locator("#queue tbody tr", has_text=application.receipt_code)
    expect(expired_row.locator(".certification-expired")).to_be_visible()
    expect(page.locator("#queue tbody tr", has_text=fresh.receipt_code).locator(".badge")).to_have_count(0)
    expired_row.get_by_role("link", name=application.receipt_code).click()
    page.wait_for_url(path_is(f"/unit/dossiers/{application.id}"))
    quality = page.locator("#section-quality")
    expect(quality.locator("li", has_text="ISO 9001:2015").locator(".certification-expired")).to_contain_text(
        f"{lapsed_on:%d/%m/%Y}"
    )
    expect(quality.locator("li", has_text="ISO 14001:2015")).to_contain_text(
        f"Hiệu lực đến {local_today():%d/%m/%Y}"
    )
    expect(quality.locator("li", has_text="ISO 14001:2015").locator(".badge")).to_have_count(0)

    enterprise_page, problems = new_page(page.context.browser, live_server)
    log_in(enterprise_page, applicant.email, "/applicant/")
    enterprise_page.goto(f"/applicant/applications/{application.id}")
    badge = enterprise_page.locator("#section-quality .certification-expired")
    expect(badge).to_contain_text(f"{lapsed_on:%d/%m/%Y}")
    assert problems == []
