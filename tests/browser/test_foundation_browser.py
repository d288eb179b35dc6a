"""Foundation, end to end in headless Chromium: Vietnamese home page, enterprise registration,
one login and logout per demo role, and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from recognition.accounts.models import Enterprise, Role
from recognition.cli import DEMO_ACCOUNTS, seed_demo_data
from tests.conftest import confirmation_link

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "Demo@2026-browser"
ROLE_HOME_PATHS = {
    Role.applicant: "/applicant/",
    Role.unit_officer: "/unit/",
    Role.council_member: "/council/",
    Role.secretariat: "/secretariat/",
    Role.admin: "/admin/",
}


def path_is(expected: str):
    """A wait_for_url predicate: the URL's path equals `expected` (any host, port, query)."""
    return lambda url: urlsplit(url).path == expected


def confirm_and_log_in(page: Page, email: str, password: str) -> None:
    """After registering: the page names the address; open the link queued for it, confirm, log in."""
    expect(page.locator("#registration-sent")).to_contain_text(email)
    page.goto(confirmation_link(email))
    page.locator("#confirm-email").click()
    page.wait_for_url(path_is("/login"))
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("#submit").click()
    page.wait_for_url(path_is("/applicant/"))


def watch_for_problems(page: Page) -> list[str]:
    """Collect script errors, console errors (e.g. CSP violations) and failed responses.

    The browser's own /favicon.ico request is ignored (the app has no favicon); console
    "Failed to load resource" lines are left to the response listener, which names the URL.
    """
    problems: list[str] = []

    def on_console(msg) -> None:
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(f"console error: {msg.text}")

    def on_response(response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"HTTP {response.status} {response.url}")

    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", on_console)
    page.on("response", on_response)
    return problems


def test_home_in_vietnamese_and_enterprise_registers(browser_page: Page, reference, db, artifacts_dir):
    page = browser_page
    problems = watch_for_problems(page)
    name = "Công ty TNHH Cơ khí Chính xác Đông Anh"

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator(".navbar-brand")).to_have_text("Sản phẩm công nghiệp chủ lực")
    expect(page.locator("h1")).to_have_text("Sản phẩm công nghiệp chủ lực thành phố Hà Nội")

    page.locator("main").get_by_role("link", name="Đăng ký doanh nghiệp").click()
    page.wait_for_url(path_is("/register"))
    expect(page.locator("h1")).to_have_text("Đăng ký doanh nghiệp")

    page.fill("#enterprise_name", name)
    page.fill("#tax_code", "0109876532")
    page.fill("#address", "Số 12 đường Cao Lỗ, xã Đông Anh, Hà Nội")
    page.select_option("#unit_id", label="Xã Đông Anh")
    page.select_option("#sector_id", label="Cơ khí chế tạo")
    page.fill("#full_name", "Đỗ Thị Hương")
    page.fill("#email", "huong@cokhidonganh.vn")
    page.fill("#password", "mật khẩu an toàn")
    page.fill("#confirm", "mật khẩu an toàn")
    page.get_by_role("button", name="Đăng ký", exact=True).click()

    confirm_and_log_in(page, "huong@cokhidonganh.vn", "mật khẩu an toàn")
    expect(page.locator("h1")).to_have_text("Doanh nghiệp của tôi")
    expect(page.locator("main .card h2")).to_have_text(name)
    expect(page.locator("main")).to_contain_text("0109876532")
    expect(page.locator("nav")).to_contain_text("huong@cokhidonganh.vn")
    page.screenshot(path=str(artifacts_dir / "foundation-registered.png"), full_page=True)

    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.tax_code == "0109876532"))
    assert enterprise is not None and enterprise.name == name
    assert problems == []


def test_each_demo_role_logs_in_and_out_and_language_switches(browser_page: Page, db, artifacts_dir):
    seed_demo_data(DEMO_PASSWORD)
    db.session.commit()
    page = browser_page
    problems = watch_for_problems(page)

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.locator("#language-switch").get_by_role("link", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Hanoi key industrial products")
    page.screenshot(path=str(artifacts_dir / "foundation-english.png"), full_page=True)
    page.locator("#language-switch").get_by_role("link", name="VI").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Sản phẩm công nghiệp chủ lực thành phố Hà Nội")

    for email, _full_name, role in DEMO_ACCOUNTS:
        home = ROLE_HOME_PATHS[role]
        page.locator("nav").locator('a[href="/login"]').click()
        page.wait_for_url(path_is("/login"))
        page.fill("#email", email)
        page.fill("#password", DEMO_PASSWORD)
        page.locator("#submit").click()

        page.wait_for_url(path_is(home))
        assert urlsplit(page.url).path == home, (email, page.url)
        expect(page.locator("nav")).to_contain_text(email)

        page.locator("nav").get_by_role("button", name="Đăng xuất").click()
        page.wait_for_url(path_is("/"))
        expect(page.locator("nav").locator('a[href="/login"]')).to_be_visible()
        expect(page.locator("nav")).not_to_contain_text(email)

    assert problems == []
