"""Issue 16, the public face of the comment period, in headless Chromium: a visitor finds the open
round and the results out for comment from the home page; an objector gets a reference, the
secretariat opens the attached file and answers, the objector reads the answer; the secretariat closes
the comment period early and records the city's decision the same day.

The state before each scene is set up through the factories; the browser does what the person does.
Pages are in English (the source language), so the new strings need no catalogue to be read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from recognition.accounts.models import Role
from recognition.clock import local_today
from recognition.rounds.models import Round
from tests import files
from tests.browser.test_foundation_browser import path_is, watch_for_problems
from tests.browser.test_whole_path_browser import flash, new_page, shoot
from tests.conftest import TEST_PASSWORD
from tests.honours.test_public_comments import english_day

pytestmark = pytest.mark.browser

LEGAL_BASIS = "Hướng dẫn số 1520/HD-SCT ngày 10/6/2019 của Sở Công Thương"
OBJECTION = "Doanh thu năm trước khai chưa đúng với báo cáo tài chính"
ANSWER = "Đã đối chiếu báo cáo tài chính có kiểm toán: số liệu khai đúng"
REASON = "Mọi doanh nghiệp trong danh sách đã xác nhận số liệu"


def published_round(make) -> tuple[Round, str]:
    """An open round with one recommended dossier, its results out for comment for a week."""
    round_ = make.round(reviewers_per_dossier=1, legal_bases=LEGAL_BASIS)
    application = make.recommended(round_)
    make.publish_results(round_, deadline_days_ago=-7)
    return round_, application.product_record.name


def in_english(page: Page) -> None:
    page.goto("/lang/en")
    page.wait_for_url(path_is("/"))


def secretariat_page(browser: Browser, base_url: str, make) -> tuple[Page, list[str]]:
    """A secretariat officer, logged in, in their own browser context."""
    officer = make.user(Role.secretariat)
    page, problems = new_page(browser, base_url)
    in_english(page)
    page.goto("/login")
    page.fill("#email", officer.email)
    page.fill("#password", TEST_PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url(path_is("/secretariat/"))
    return page, problems


def test_home_shows_the_open_round_and_leads_to_comments_and_registry(
    browser_page: Page, make, artifacts_dir: Path
):
    round_, product = published_round(make)
    page = browser_page
    problems = watch_for_problems(page)
    in_english(page)
    card = page.locator(f"#open-round-{round_.id}")
    expect(card).to_contain_text(f"{english_day(round_.opens_on)} to {english_day(round_.closes_on)}")
    expect(card).to_contain_text(LEGAL_BASIS)
    expect(card.locator('[data-part="contact"]')).to_contain_text("Sở Công Thương Hà Nội")
    shoot(page, artifacts_dir, "newcomer-public-home")
    page.locator("#results-for-comment").get_by_role(
        "link", name="Read the results, comment or object"
    ).click()
    page.wait_for_url(path_is(f"/results/{round_.id}"))
    expect(page.locator("#results")).to_contain_text(product)
    expect(page.locator("#text")).to_be_visible()
    page.goto("/")
    page.locator("#registry-link").get_by_role("link").click()
    page.wait_for_url(path_is("/registry"))
    assert problems == []


def test_objector_gets_a_reference_the_secretariat_opens_the_file_and_the_answer_reaches_the_objector(
    browser_page: Page, live_server: str, make, artifacts_dir: Path
):
    round_, product = published_round(make)
    content = files.pdf("bang-chung")
    visitor = browser_page
    in_english(visitor)
    visitor.goto(f"/results/{round_.id}")
    option = visitor.locator("#application_id option", has_text=product).get_attribute("value")
    visitor.locator("#application_id").select_option(option)
    visitor.fill("#name", "Trần Văn Bình")
    visitor.fill("#contact", "binh@example.vn")
    visitor.locator("#is_objection").check()
    visitor.fill("#text", OBJECTION)
    visitor.set_input_files(
        "#file", {"name": "bang-chung.pdf", "mimeType": "application/pdf", "buffer": content}
    )
    visitor.locator("#submit").click()
    expect(visitor.locator("#comment-reference")).to_have_text(re.compile(r"YK-\d{6}"))
    reference = visitor.locator("#comment-reference").inner_text().strip()
    secret = visitor.locator("#comment-secret").inner_text().strip()
    shoot(visitor, artifacts_dir, "newcomer-comment-received")

    staff, problems = secretariat_page(visitor.context.browser, live_server, make)
    staff.goto(f"/secretariat/honours/rounds/{round_.id}")
    objection = staff.locator("#objections .border-bottom", has_text=OBJECTION)
    expect(objection).to_contain_text(reference)
    with staff.expect_download() as download:
        objection.get_by_role("link", name="bang-chung.pdf").click()
    assert Path(download.value.path()).read_bytes() == content
    objection.locator('textarea[name="answer-answer"]').fill(ANSWER)
    objection.locator('input[name="answer-resolve"]').check()
    objection.get_by_role("button").click()
    flash(staff, "Answer saved.")
    assert problems == []

    visitor.get_by_role("link", name="Read the answer").click()
    expect(visitor.locator("#reference")).to_have_value(reference)
    visitor.fill("#lookup_secret", secret)
    visitor.locator("#submit").click()
    expect(visitor.locator("#answer-text")).to_have_text(ANSWER)
    expect(visitor.locator("#comment-answer")).to_contain_text("Resolved")
    shoot(visitor, artifacts_dir, "newcomer-comment-answer")


def test_secretariat_closes_the_comment_period_early_and_decides_the_same_day(
    browser_page: Page, live_server: str, make, artifacts_dir: Path
):
    round_, _product = published_round(make)
    staff, problems = secretariat_page(browser_page.context.browser, live_server, make)
    honours = f"/secretariat/honours/rounds/{round_.id}"
    staff.goto(honours)
    staff.locator("#close-comments summary").click()
    staff.fill("#close-reason", REASON)
    staff.get_by_role("button", name="Close the comment period now").click()
    staff.wait_for_url(path_is(honours))
    closed = f"Comments closed early on {english_day(local_today())}: {REASON}"
    expect(staff.locator("#comments-closed-early")).to_have_text(closed)
    staff.fill("#decision-decision_number", "2468/QĐ-UBND")
    staff.fill("#decision-decision_date", local_today().isoformat())
    staff.get_by_role("button", name="Record the decision and recognise").click()
    staff.wait_for_url(path_is(honours))
    flash(staff, "1 of 1 dossiers recognised.")
    shoot(staff, artifacts_dir, "newcomer-closed-early")
    assert problems == []

    visitor = browser_page
    in_english(visitor)
    visitor.goto(f"/results/{round_.id}")
    expect(visitor.locator("#comments-closed-early")).to_have_text(closed)
    expect(visitor.locator("#text")).to_have_count(0)
