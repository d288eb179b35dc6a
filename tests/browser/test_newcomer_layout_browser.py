"""What a newcomer trips on (issue 16): absolute links that name another server than the one in the
browser, a top bar that wraps on a laptop, pages wider than a phone.

The state is set up through the services (a round with a recognised certificate and published
results, a submitted dossier in the officer's queue); the browser only looks, at 1366x768 and 390x844,
and screenshots every page into test-artifacts/.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from recognition.accounts.models import Role, User
from recognition.accounts.services import grant_role
from recognition.cases.models import Application
from recognition.clock import local_today
from recognition.honours.models import Certificate
from recognition.honours.pdf import qr_png
from recognition.honours.services import recognise_many
from tests.browser.conftest import DESKTOP, PHONE, scrolls_sideways
from tests.browser.test_whole_path_browser import new_page
from tests.conftest import TEST_PASSWORD, fire

pytestmark = pytest.mark.browser


@dataclass
class World:
    round_id: int
    certificate: Certificate
    submitted: Application
    applicant: User
    officer: User
    council_member: User
    secretariat: User
    admin: User


def recognised_round(make, db) -> World:
    """A round whose results are published and whose first dossier is recognised, and a second
    dossier just submitted (a receipt slip, a line in the officer's queue)."""
    round_ = make.round(reviewers_per_dossier=1)
    application = make.application(round=round_)
    officer = make.officer_of(application)
    secretariat = make.user(Role.secretariat)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    fire(application, "endorse", officer)
    [member] = make.assign_reviewers(application, scores=[85], count=1)
    fire(application, "open_review", secretariat)
    fire(application, "conclude_review", secretariat)
    make.publish_results(round_)
    [outcome] = recognise_many(
        [application.id], "1234/QĐ-UBND", local_today(), "Phó Chủ tịch UBND", secretariat
    )
    assert outcome.refusals == []
    submitted = make.application(round=round_, enterprise=make.enterprise())
    applicant = make.applicant_of(submitted)
    fire(submitted, "submit", applicant)
    certificate = db.session.scalars(select(Certificate)).one()
    return World(
        round_.id, certificate, submitted, applicant, officer, member, secretariat, make.user(Role.admin)
    )


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("nav")).to_contain_text(email)
    page.wait_for_load_state()  # the style sheets too, before anything is measured


def pdf_text(page: Page, path: str) -> tuple[str, PdfReader]:
    response = page.request.get(path)
    assert response.ok and response.headers["content-type"] == "application/pdf", path
    reader = PdfReader(io.BytesIO(response.body()))
    return "\n".join(p.extract_text() for p in reader.pages), reader


def shoot(page: Page, artifacts_dir: Path, name: str) -> None:
    size = page.viewport_size
    page.screenshot(
        path=str(artifacts_dir / f"layout-{size['width']}x{size['height']}-{name}.png"), full_page=True
    )


def test_certificate_qr_code_and_receipt_slip_name_the_server_in_the_browser(
    browser_page: Page, live_server, make, db
):
    """No PUBLIC_BASE_URL in development: the links name the address the request came to."""
    world = recognised_round(make, db)
    browser = browser_page.context.browser
    serial = world.certificate.serial

    secretariat = browser_page
    sign_in(secretariat, world.secretariat.email)
    text, reader = pdf_text(secretariat, f"/secretariat/honours/certificates/{world.certificate.id}.pdf")
    url = f"{live_server}/verify/{serial}"
    assert re.findall(r"https?://\S+/verify/\S+", text) == [url]
    [qr] = reader.pages[0].images  # the QR code of exactly this URL, drawn again and compared pixel by pixel
    expected = Image.open(io.BytesIO(qr_png(url))).convert("L")
    assert ImageChops.difference(qr.image.convert("L"), expected).getbbox() is None, (
        "the QR code carries another URL"
    )

    applicant, _problems = new_page(browser, live_server)
    sign_in(applicant, world.applicant.email)
    code = world.submitted.receipt_code
    text, _reader = pdf_text(applicant, f"/applicant/applications/{world.submitted.id}/receipt.pdf")
    tracking = f"{live_server}/track?code={code}"
    assert tracking in text, text

    applicant.goto(tracking)  # the address on the slip opens the tracking form with the code filled in
    expect(applicant.get_by_label("Mã hồ sơ")).to_have_value(code)
    applicant.goto(url)
    expect(applicant.locator("#certificate-status")).to_have_text("Còn hiệu lực")


def top_bar_problems(page: Page) -> list[str]:
    """The top bar's items that leave its single line: wrapped inside, or pushed onto another row."""
    return page.evaluate(
        """() => {
          const brand = document.querySelector("nav .navbar-brand").getBoundingClientRect();
          const middle = brand.top + brand.height / 2;
          return [...document.querySelectorAll("nav .nav-item")].filter(item => {
            const box = item.getBoundingClientRect();
            return box.height > brand.height + 1 || Math.abs(box.top + box.height / 2 - middle) > 8;
          }).map(item => item.textContent.trim().replace(/\\s+/g, " "));
        }"""
    )


def test_top_bar_holds_one_line_at_1366_and_queues_fit_a_phone(
    browser_page: Page, live_server, make, db, artifacts_dir
):
    world = recognised_round(make, db)
    both = make.user(Role.secretariat, email="thuongtruc.quantri@congthuong.hanoi.gov.vn")
    grant_role(both, Role.admin)
    db.session.commit()
    board = f"/secretariat/review/rounds/{world.round_id}/board"
    queues = {
        world.applicant: ["/applicant/"],
        world.officer: ["/unit/"],
        world.council_member: ["/council/"],
        world.secretariat: ["/secretariat/", "/secretariat/dossiers/", board],
        world.admin: ["/admin/accounts"],
        both: ["/secretariat/"],
    }
    page = browser_page
    for user, paths in queues.items():
        page.context.clear_cookies()
        page.set_viewport_size(DESKTOP)
        sign_in(page, user.email)
        assert top_bar_problems(page) == [], (user.email, page.url)
        for path in paths:
            for size in (DESKTOP, PHONE):
                page.set_viewport_size(size)
                page.goto(path)
                expect(page.locator("main table").first).to_be_visible()
                assert not scrolls_sideways(page), f"{path} scrolls sideways at {size['width']} px"
                for table in page.locator("main table").all():  # a wide table scrolls inside its own box
                    expect(table.locator("xpath=..")).to_have_class(re.compile(r"\btable-responsive\b"))
                shoot(page, artifacts_dir, path.strip("/").replace("/", "-"))
    page.set_viewport_size(DESKTOP)
    page.goto("/secretariat/")
    shoot(page, artifacts_dir, "top-bar-secretariat-and-admin")


def test_public_pages_fit_a_laptop_and_a_phone(browser_page: Page, live_server, make, db, artifacts_dir):
    world = recognised_round(make, db)
    pages = {
        "home": "/",
        "registry": "/registry",
        "product": f"/registry/{world.certificate.product_id}",
        "verify": f"/verify/{world.certificate.serial}",
        "track": f"/track?code={world.submitted.receipt_code}",
        "results": f"/results/{world.round_id}",
        "register": "/register",
        "login": "/login",
    }
    page = browser_page
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        for name, path in pages.items():
            response = page.goto(path)
            assert response.ok, path
            assert not scrolls_sideways(page), f"{path} scrolls sideways at {size['width']} px"
            shoot(page, artifacts_dir, name)
            if size is DESKTOP:
                assert top_bar_problems(page) == [], path
