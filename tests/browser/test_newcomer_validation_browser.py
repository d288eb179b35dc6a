"""What a newcomer types wrong, in headless Chromium (issue 16): each refusal comes on the first submit,
beside the field, in the visitor's language, and every value typed is still in its field.

The state each test needs is built through the factories; the browser only opens the form, types and
submits. The pages are in English, so the messages are the app's source texts.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from recognition.accounts.models import Role, User
from recognition.cases.models import Application, State
from recognition.clock import local_today
from recognition.extensions import db
from recognition.review.models import ReviewAssignment
from recognition.review.rubric import apply_default_rubric
from tests.browser.test_foundation_browser import path_is
from tests.conftest import TEST_PASSWORD, fire

pytestmark = pytest.mark.browser


def log_in(page: Page, user: User) -> None:
    """Switch to English, then log in through the form (ids, not labels: they do not change)."""
    page.goto("/lang/en")
    page.goto("/login")
    page.fill("#email", user.email)
    page.fill("#password", TEST_PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url(lambda url: "/login" not in url)


def field_error(page: Page, field_id: str):
    """The message shown under one field (the form macro's invalid-feedback beside the input)."""
    return page.locator(f"#{field_id} ~ .invalid-feedback")


def state_of(application_id: int) -> State:
    db.session.rollback()  # see what the live server committed
    return db.session.get(Application, application_id).state


def vetting(make) -> tuple[Application, User]:
    application = make.application()
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    return application, officer


def test_a_site_visit_in_the_future_is_refused_and_the_report_kept(browser_page: Page, make):
    application, officer = vetting(make)
    page = browser_page
    log_in(page, officer)
    page.goto(f"/unit/dossiers/{application.id}/endorse")
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    page.fill("#site_visit_date", tomorrow)
    page.check("#eligibility_confirmed")
    for check in ("business_registration_valid", "no_tax_arrears", "social_insurance_paid",
                  "environmental_compliance", "no_violations"):  # fmt: skip
        page.check(f"#{check}-0")
    page.fill("#no_tax_arrears_note", "Xác nhận của cơ quan thuế số 15")
    page.fill("#recommendation", "Đề nghị Hội đồng xem xét")
    page.get_by_role("button", name="Endorse the dossier").click()

    expect(field_error(page, "site_visit_date")).to_have_text(
        "The date of the site visit cannot be in the future."
    )
    expect(page.locator("#site_visit_date")).to_have_value(tomorrow)
    expect(page.locator("#eligibility_confirmed")).to_be_checked()
    expect(page.locator("#no_violations-0")).to_be_checked()
    expect(page.locator("#no_tax_arrears_note")).to_have_value("Xác nhận của cơ quan thuế số 15")
    expect(page.locator("#recommendation")).to_have_value("Đề nghị Hội đồng xem xét")
    assert state_of(application.id) == State.vetting


@pytest.mark.parametrize("days", [0, -3], ids=["today", "past"])
def test_a_supplement_deadline_not_after_today_is_refused_beside_the_field(browser_page: Page, make, days):
    application, officer = vetting(make)
    page = browser_page
    log_in(page, officer)
    page.goto(f"/unit/dossiers/{application.id}/supplement")
    deadline = (local_today() + timedelta(days=days)).isoformat()
    page.fill("#items-0", "Báo cáo tài chính năm 2025 đã kiểm toán")
    page.fill("#deadline", deadline)
    page.get_by_role("button", name="Send the request to supplement").click()

    expect(field_error(page, "deadline")).to_have_text("Set a reply deadline after today.")
    expect(page.locator("#deadline")).to_have_value(deadline)
    expect(page.locator("#items-0")).to_have_value("Báo cáo tài chính năm 2025 đã kiểm toán")
    assert state_of(application.id) == State.vetting


def recommended(make) -> Application:
    """A recommended dossier whose round's comment period ended yesterday: ready for the decision."""
    application = make.recommended(make.round(reviewers_per_dossier=1))
    make.publish_results(application.round)
    return application


def test_a_decision_dated_in_the_future_is_refused_and_the_decision_kept(browser_page: Page, make):
    application = recommended(make)
    page = browser_page
    log_in(page, make.user(Role.secretariat))
    page.goto(f"/secretariat/honours/rounds/{application.round_id}")
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    page.fill("#decision-decision_number", "2468/QĐ-UBND")
    page.fill("#decision-decision_date", tomorrow)
    page.fill("#decision-decision_signer", "Phó Chủ tịch UBND Thành phố")
    page.get_by_role("button", name="Record the decision and recognise").click()

    expect(field_error(page, "decision-decision_date")).to_have_text(
        "Enter the date of the city's decision (not in the future)."
    )
    expect(page.locator("#decision-decision_number")).to_have_value("2468/QĐ-UBND")
    expect(page.locator("#decision-decision_date")).to_have_value(tomorrow)
    expect(page.locator("#decision-decision_signer")).to_have_value("Phó Chủ tịch UBND Thành phố")
    expect(page.locator("#decision input[type=checkbox]")).to_be_checked()
    assert state_of(application.id) == State.recommended


# Every criterion of the default rubric with a valid score, but three typed wrong at once.
GOOD = {"A1": "9", "A2": "8", "A3": "8", "B1": "7,5", "B2": "6", "B3": "6",
        "C1": "9", "C2": "8", "C3": "8", "D1": "4", "D2": "4", "D3": "4"}  # fmt: skip
WRONG = {"A1": ("11", "Between 0 and 10 points."), "B2": ("bảy", "Enter a number."),
         "C3": ("7.555", "Use at most two decimal places.")}  # fmt: skip


def test_every_wrong_score_is_refused_on_the_first_submit_and_all_kept(browser_page: Page, make, db):
    round_ = make.round(reviewers_per_dossier=1)
    apply_default_rubric(round_)
    db.session.commit()
    application = make.application(round=round_)
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    fire(application, "endorse", officer)
    (member,) = make.assign_reviewers(application, count=1)
    fire(application, "open_review", make.user(Role.secretariat))
    assignment = db.session.query(ReviewAssignment).filter_by(reviewer_id=member.id).one()

    page = browser_page
    log_in(page, member)
    page.goto(f"/council/assignments/{assignment.id}/score")
    typed = GOOD | {code: value for code, (value, _message) in WRONG.items()}
    for code, value in typed.items():
        fieldset = page.locator(f"#criterion-{code}")
        fieldset.locator("input").fill(value)
        fieldset.locator("textarea").fill(f"Nhận xét {code}")
    page.get_by_role("button", name="Submit scores").click()

    expect(page.locator("#score-errors")).to_be_visible()
    for code, (_value, message) in WRONG.items():
        expect(page.locator(f"#criterion-{code} .invalid-feedback")).to_have_text(message)
    expect(page.locator(".invalid-feedback")).to_have_count(len(WRONG))
    for code, value in typed.items():
        expect(page.locator(f"#criterion-{code} input")).to_have_value(value)
        expect(page.locator(f"#criterion-{code} textarea")).to_have_value(f"Nhận xét {code}")
    db.session.rollback()
    assert db.session.get(ReviewAssignment, assignment.id).submitted_at is None


def test_a_negative_amount_says_it_must_not_be_negative(browser_page: Page, make):
    application = make.application(complete=False)
    page = browser_page
    log_in(page, make.applicant_of(application))
    page.goto(f"/applicant/applications/{application.id}/figures")
    for row in (0, 1):
        for field, value in (("production_value_vnd", "180.000.000.000"), ("revenue_vnd", "150.000.000.000"),
                             ("export_value_usd", "0"), ("budget_contribution_vnd", "12.000.000.000"),
                             ("employees", "450"), ("average_wage_vnd", "11.500.000")):  # fmt: skip
            page.fill(f"#years-{row}-{field}", value)
    page.fill("#years-1-revenue_vnd", "-150.000.000.000")
    page.get_by_role("button", name="Save").click()

    expect(field_error(page, "years-1-revenue_vnd")).to_have_text("Must not be negative.")
    expect(page.locator("#years-1-revenue_vnd")).to_have_value("-150.000.000.000")
    expect(page.locator("#years-0-revenue_vnd")).to_have_value("150.000.000.000")
    expect(page.locator(".invalid-feedback")).to_have_count(1)
    assert path_is(f"/applicant/applications/{application.id}/figures")(page.url)
