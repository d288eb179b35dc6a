"""Issue 15's acceptance, in headless Chromium, on a fresh demo as `make run` loads it (`seed-demo`,
with one small past round instead of five, for time): the admin creates a unit officer and three
council members, each changes the initial password at first login; an enterprise registers and
nominates; the new officer vets it with one request to supplement, reads the answer and endorses; the
secretariat seats the new members, assigns them criteria (the demo's members, who have submitted
sheets, keep scoring every criterion), assigns three reviewers, one declares a conflict and "assign
evenly" replaces them; the members score their criteria; the secretariat concludes, publishes,
answers an objection, records the city's decision; every official document downloads and holds the
dossier's names and figures; the secretariat's view of the dossier shows the answer and the sheets.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from recognition import demo
from recognition.accounts.models import User
from recognition.cases.models import Application, State
from recognition.clock import local_today
from recognition.honours.models import Certificate, CertificateStatus
from recognition.review.models import Criterion, ReviewAssignment
from recognition.rounds.models import Programme, Round
from tests import files
from tests.browser.conftest import ARTIFACTS_DIR
from tests.browser.test_foundation_browser import path_is, watch_for_problems
from tests.browser.test_nomination_browser import (
    ENTERPRISE,
    PRODUCT,
    register,
)
from tests.browser.test_whole_path_browser import (
    CRITERIA,
    DECISION_NUMBER,
    SIGNER,
    fill_every_section_and_submit,
    flash,
    log_in,
    new_page,
    shoot,
)
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

ADMIN = "admin@demo.chuluc.vn"
SECRETARIAT = "secretariat@demo.chuluc.vn"
DEMO_MEMBER = ("council@demo.chuluc.vn", "Lê Minh Châu")  # seated on this year's council by the demo
OFFICER = ("nguyenthilan@donganh.hanoi.gov.vn", "Nguyễn Thị Lan")
# Created by the admin. The third declares a conflict and the demo member takes their place.
NEW_MEMBERS = (
    ("ptchinh@hust.edu.vn", "GS. Phạm Thành Chính"),
    ("nvan@neu.edu.vn", "PGS. Nguyễn Văn An"),
    ("hoangmai@vcci.com.vn", "TS. Hoàng Thị Mai"),
)
TAX_CODE = "0100101234"  # as register() types it
INITIAL_PASSWORD = "mật khẩu ban đầu 2026"
CODES = [code for code, _name, _max in CRITERIA]
MAX_POINTS = {code: max_points for code, _name, max_points in CRITERIA}
# Who scores which criterion: the first two split the rubric, the others score all of it (the demo's
# members who have submitted sheets keep scoring every criterion; one of them may replace the third).
SCORED_BY = {
    NEW_MEMBERS[0][0]: CODES[:8],
    NEW_MEMBERS[1][0]: CODES[4:],
    NEW_MEMBERS[2][0]: CODES,
    DEMO_MEMBER[0]: CODES,
}
# Everyone gives 80 % of each criterion's maximum, so every criterion mean, and the total, is exact.
TOTAL = sum(max_points * 8 // 10 for max_points in MAX_POINTS.values())
SUPPLEMENT_ITEM = "Báo cáo tài chính năm 2025 đã được kiểm toán"
SUPPLEMENT_ANSWER = "Đã bổ sung báo cáo tài chính năm 2025 có ý kiến kiểm toán chấp nhận toàn phần."
OBJECTION = "Đề nghị làm rõ số liệu xuất khẩu của sản phẩm."
OBJECTION_ANSWER = "Số liệu xuất khẩu đã được đối chiếu với tờ khai hải quan."


# --- the admin and first logins -----------------------------------------------------------------------


def admin_creates(page: Page, email: str, name: str, role: str, unit_code: str | None = None) -> None:
    page.goto("/admin/accounts/new")
    page.fill("#full_name", name)
    page.fill("#email", email)
    page.fill("#password", INITIAL_PASSWORD)
    page.locator(f'input[name="roles"][value="{role}"]').check()
    if unit_code:
        page.locator("#unit_codes").select_option(unit_code)
    page.locator("#submit").click()
    page.wait_for_url(re.compile(r"/admin/accounts/\d+$"))
    expect(page.locator(".alert-success")).to_contain_text(email)


def first_login(page: Page, email: str, home: str) -> None:
    """Log in with the admin's initial password; the app insists on a new one (TEST_PASSWORD)."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", INITIAL_PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url(path_is("/account/password"))
    page.fill("#current_password", INITIAL_PASSWORD)
    page.fill("#new_password", TEST_PASSWORD)
    page.fill("#confirm", TEST_PASSWORD)
    page.locator("#submit").click()
    page.wait_for_url(path_is(home))
    expect(page.locator("nav")).to_contain_text(email)


# --- the enterprise ------------------------------------------------------------------------------------


def enterprise_submits(page: Page, db, round_: Round, tmp_path: Path) -> tuple[int, str]:
    """As tests/browser/test_whole_path_browser.py does, but into the demo's round, whose title the
    nomination test's start_nomination() does not expect."""
    register(page)
    page.locator("main").get_by_role("link", name="Đăng ký sản phẩm").click()
    page.wait_for_url(path_is("/applicant/applications/new"))
    expect(page.get_by_label("Đợt xét chọn")).to_contain_text(round_.title)
    page.get_by_label("Sản phẩm", exact=True).select_option(label="Sản phẩm mới")
    page.get_by_label("Tên sản phẩm mới").fill("Máy biến áp")
    page.get_by_role("button", name="Bắt đầu đăng ký").click()
    page.wait_for_url(re.compile(r"/applicant/applications/\d+/product$"))
    application_id = int(re.search(r"/applications/(\d+)/product", page.url).group(1))
    return application_id, fill_every_section_and_submit(page, db, application_id, tmp_path, ARTIFACTS_DIR)


# --- vetting with one supplement --------------------------------------------------------------------


def officer_requests_supplement(page: Page, application_id: int, code: str) -> None:
    page.goto("/unit/")
    page.locator("#queue").get_by_role("link", name=code).click()
    dossier = f"/unit/dossiers/{application_id}"
    page.wait_for_url(path_is(dossier))
    page.get_by_role("button", name="Bắt đầu thẩm định").click()
    page.wait_for_url(path_is(dossier))
    flash(page, "Đã bắt đầu thẩm định.")
    page.locator(f'#actions a[href="{dossier}/supplement"]').click()
    page.wait_for_url(path_is(f"{dossier}/supplement"))
    page.fill("#items-0", SUPPLEMENT_ITEM)
    page.fill("#deadline", (local_today() + timedelta(days=10)).isoformat())
    page.locator("#submit").click()
    page.wait_for_url(path_is(dossier))
    expect(page.locator("#section-supplements")).to_contain_text(SUPPLEMENT_ITEM)


def enterprise_answers(page: Page, application_id: int, tmp_path: Path) -> None:
    base = f"/applicant/applications/{application_id}"
    page.goto(f"{base}/documents")
    pdf = tmp_path / "bctc-2025-kiem-toan.pdf"
    pdf.write_bytes(files.pdf("financial statements 2025"))
    page.get_by_label("Loại tài liệu").select_option(label="Báo cáo tài chính đã kiểm toán")
    page.get_by_label("Tệp (PDF, JPEG, PNG, DOCX hoặc XLSX)").set_input_files(pdf)
    page.get_by_role("button", name="Tải lên").click()
    page.wait_for_url(path_is(f"{base}/documents"))
    expect(page.locator(".alert-success")).to_have_text("Đã tải tài liệu lên.")

    page.goto(base)
    page.locator(f'a[href="{base}/supplement"]').click()
    page.wait_for_url(path_is(f"{base}/supplement"))
    page.fill("#answers-0", SUPPLEMENT_ANSWER)
    page.locator("#submit").click()
    page.wait_for_url(path_is(base))
    expect(page.locator(".alert-success")).to_have_count(1)


def officer_endorses_after_answer(page: Page, application_id: int) -> None:
    dossier = f"/unit/dossiers/{application_id}"
    page.goto(dossier)
    supplements = page.locator("#section-supplements")
    expect(supplements.locator(".supplement-answer")).to_have_text(SUPPLEMENT_ANSWER)
    expect(supplements).to_contain_text("bctc-2025-kiem-toan.pdf")
    page.locator("#actions").get_by_role("link", name="Đề nghị", exact=True).click()
    page.wait_for_url(path_is(f"{dossier}/endorse"))
    page.get_by_label("Ngày khảo sát thực tế").fill((local_today() - timedelta(days=1)).isoformat())
    page.get_by_label("Doanh nghiệp và sản phẩm đáp ứng điều kiện của đợt xét chọn").check()
    for answer in page.get_by_role("radio", name="Có", exact=True).all():
        answer.check()
    page.get_by_label("Ý kiến đề xuất").fill("Đề nghị Hội đồng xét chọn xem xét, công nhận sản phẩm.")
    page.get_by_role("button", name="Đề nghị Hội đồng xét chọn").click()
    page.wait_for_url(path_is(dossier))
    flash(page, "Hồ sơ đã được đề nghị lên Hội đồng.")
    expect(page.locator("#state")).to_have_text("Đã thẩm định đạt")


# --- the secretariat: council, criteria, reviewers ----------------------------------------------------


def member_ids(db) -> dict[str, int]:
    db.session.rollback()
    emails = [email for email, _name in (*NEW_MEMBERS, DEMO_MEMBER)]
    return dict(db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all())


def secretariat_seats_council_and_assigns_criteria(page: Page, db, round_: Round) -> None:
    council = f"/secretariat/rounds/{round_.id}/council"
    page.goto(council)
    for email, name in NEW_MEMBERS:
        page.locator("#add-user_id").select_option(label=f"{name} ({email})")
        page.fill("#add-title", "Ủy viên")
        page.locator("#add-submit").click()
        page.wait_for_url(path_is(council))
        expect(page.locator("#council")).to_contain_text(name)
    ids = member_ids(db)
    criterion_ids = criterion_ids_of(db, round_)
    for email, codes in SCORED_BY.items():
        page.locator(f"#member_{ids[email]}").select_option([str(criterion_ids[c]) for c in codes])
    page.locator('form:has(select[id^="member_"]) [type="submit"]').click()
    page.wait_for_url(path_is(council))
    for email, codes in SCORED_BY.items():
        selected = page.locator(f"#member_{ids[email]} option:checked")
        expect(selected).to_have_count(len(codes))
    shoot(page, ARTIFACTS_DIR, "real-01-criteria-assigned")


def criterion_ids_of(db, round_: Round) -> dict[str, int]:
    db.session.rollback()
    return dict(
        db.session.execute(select(Criterion.code, Criterion.id).where(Criterion.round_id == round_.id)).all()
    )


def secretariat_assigns_by_hand(page: Page, round_: Round, code: str) -> None:
    assignments = f"/secretariat/review/rounds/{round_.id}/assignments"
    page.goto(assignments)
    for _email, name in NEW_MEMBERS:
        row = page.locator("#assignments tbody tr", has_text=code)
        row.locator('select[name="user_id"]').select_option(label=name)
        row.locator('form:has(select[name="user_id"]) button').click()
        page.wait_for_url(path_is(assignments))
        expect(page.locator("#assignments tbody tr", has_text=code)).to_contain_text(name)


def member_declares_conflict(page: Page, code: str) -> None:
    row = page.locator("#assignments tbody tr", has_text=code)
    row.locator('a[href$="/declare"]').click()
    page.wait_for_url(re.compile(r"/council/assignments/\d+/declare$"))
    page.locator('input[name="conflict"][value="yes"]').check()
    page.fill("#reason", "Tôi là cổ đông của doanh nghiệp.")
    page.locator("#submit").click()
    page.wait_for_url(path_is("/council/"))
    expect(page.locator(".alert-success")).to_have_count(1)


def replacing_member(db, code: str) -> tuple[str, str]:
    """The member "assign evenly" put on the dossier in the conflicted member's place."""
    db.session.rollback()
    first_two = [email for email, _name in NEW_MEMBERS[:2]]
    return db.session.execute(
        select(User.email, User.full_name)
        .join(ReviewAssignment, ReviewAssignment.reviewer_id == User.id)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .where(
            Application.receipt_code == code,
            ReviewAssignment.has_conflict.is_not(True),
            User.email.not_in([*first_two, NEW_MEMBERS[2][0]]),
        )
    ).one()


def secretariat_replaces_and_opens_review(page: Page, db, round_: Round, code: str) -> tuple[str, str]:
    assignments = f"/secretariat/review/rounds/{round_.id}/assignments"
    page.goto(assignments)
    row = page.locator("#assignments tbody tr", has_text=code)
    expect(row).to_contain_text(f"{NEW_MEMBERS[2][1]} —")
    page.locator(f'form[action="/secretariat/review/rounds/{round_.id}/assign-evenly"] button').click()
    page.wait_for_url(path_is(assignments))
    expect(page.locator(".alert-success, .alert-info")).to_have_count(1)
    row = page.locator("#assignments tbody tr", has_text=code)
    replacement = replacing_member(db, code)
    expect(row.locator("li", has_text=f"{replacement[1]} —")).to_have_count(1)
    expect(row.locator(".badge.bg-danger")).to_have_count(1)  # the conflict stays on record
    shoot(page, ARTIFACTS_DIR, "real-02-conflict-replaced")
    row.locator('form[action$="/open-review"] button').click()
    page.wait_for_url(path_is(assignments))
    flash(page, f"Đã mở xét chọn cho hồ sơ {code}.")
    return replacement


def member_scores_assigned(page: Page, email: str, code: str) -> None:
    """Declare no conflict, then score the criteria assigned to this member, and only those."""
    row = page.locator("#assignments tbody tr", has_text=code)
    row.locator('a[href$="/declare"]').click()
    page.wait_for_url(re.compile(r"/council/assignments/\d+/declare$"))
    page.locator('input[name="conflict"][value="no"]').check()
    page.locator("#submit").click()
    page.wait_for_url(re.compile(r"/council/assignments/\d+/score$"))
    fieldsets = page.locator('fieldset[id^="criterion-"]')
    scored = SCORED_BY.get(email, CODES)
    expect(fieldsets).to_have_count(len(scored))
    for criterion in scored:
        fieldset = page.locator(f"#criterion-{criterion}")
        fieldset.locator('input[name$="points"], input[type="text"]').first.fill(
            str(MAX_POINTS[criterion] * 8 // 10)
        )
        fieldset.locator("textarea").fill(f"Nhận xét về tiêu chí {criterion}.")
    page.locator('#scoring [name="submit"]').click()
    page.wait_for_url(re.compile(r"/council/assignments/\d+(#panel)?$"))
    expect(page.locator("#panel")).to_be_visible()


# --- conclusion, publication, objection, decision ---------------------------------------------------


def secretariat_concludes(page: Page, round_: Round, application_id: int, code: str) -> None:
    board = f"/secretariat/review/rounds/{round_.id}/board"
    page.goto(board)
    row = page.locator(f"#dossier-{application_id}")
    expect(row.locator("td.fw-bold")).to_have_text(re.compile(rf"^{TOTAL}([.,]0+)?$"))
    row.locator("summary").first.click()
    row.get_by_role("button", name="Kết luận", exact=True).click()
    page.wait_for_url(path_is(board))
    flash(page, f"Đã kết luận hồ sơ {code}.")
    shoot(page, ARTIFACTS_DIR, "real-04-concluded")


def secretariat_publishes(page: Page, round_: Round) -> None:
    honours = f"/secretariat/honours/rounds/{round_.id}"
    page.goto(honours)
    page.get_by_label("Nhận ý kiến đến hết ngày").fill((local_today() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Công bố kết quả để lấy ý kiến").click()
    page.wait_for_url(path_is(honours))
    flash(page, "Đã công bố kết quả để lấy ý kiến.")
    expect(page.locator("#publication")).to_contain_text(ENTERPRISE)


def public_objects(page: Page, round_: Round) -> None:
    page.goto(f"/results/{round_.id}")
    expect(page.locator("#results")).to_contain_text(PRODUCT)
    ours = page.locator("#application_id option", has_text=PRODUCT).get_attribute("value")
    page.locator("#application_id").select_option(ours)
    page.fill("#name", "Trần Văn Bình")
    page.fill("#contact", "binh@example.vn")
    page.locator("#is_objection").check()
    page.fill("#text", OBJECTION)
    page.locator("#submit").click()
    page.wait_for_url(path_is(f"/results/{round_.id}"))
    expect(page.locator(".alert-success")).to_have_count(1)
    shoot(page, ARTIFACTS_DIR, "real-05-objection")


def secretariat_answers_and_recognises(page: Page, db, round_: Round, code: str) -> str:
    honours = f"/secretariat/honours/rounds/{round_.id}"
    page.goto(honours)
    objection = page.locator("#objections .border-bottom", has_text=OBJECTION)
    objection.locator('textarea[name="answer-answer"]').fill(OBJECTION_ANSWER)
    objection.locator('input[name="answer-resolve"]').check()
    objection.locator("button").click()
    page.wait_for_url(path_is(honours))
    objection = page.locator("#objections .border-bottom", has_text=OBJECTION)
    expect(objection).to_contain_text(OBJECTION_ANSWER)
    expect(objection.locator(".badge.bg-success")).to_have_count(1)

    # The comment period cannot be waited for: its deadline moves to yesterday in the database.
    db.session.rollback()
    db.session.get(Round, round_.id).comment_deadline = local_today() - timedelta(days=1)
    db.session.commit()
    page.reload()
    decision = page.locator("#decision")
    expect(decision.get_by_role("checkbox", name=f"{code} · {ENTERPRISE} · {PRODUCT}")).to_be_checked()
    decision.get_by_label("Số quyết định").fill(DECISION_NUMBER)
    decision.get_by_label("Ngày quyết định").fill(local_today().isoformat())
    decision.get_by_label("Người ký").fill(SIGNER)
    decision.get_by_role("button", name="Ghi nhận quyết định và công nhận").click()
    page.wait_for_url(path_is(honours))
    flash(page, f"{code}: đã được công nhận.")
    row = page.locator("#certificates tbody tr", has_text=PRODUCT)
    expect(row).to_contain_text("Còn hiệu lực")
    shoot(page, ARTIFACTS_DIR, "real-06-recognised")
    return row.locator("td").first.get_by_role("link").inner_text().strip()


# --- the official documents ---------------------------------------------------------------------------


def document_text(page: Page, url: str) -> str:
    """Fetch with the page's cookies; the text of the PDF or DOCX."""
    response = page.context.request.get(url)
    assert response.status == 200, (url, response.status)
    body = response.body()
    if body.startswith(b"%PDF"):
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    document = DocxDocument(io.BytesIO(body))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def check_documents(page: Page, round_: Round, application_id: int, code: str, serial: str) -> None:
    honours = f"/secretariat/honours/rounds/{round_.id}"
    page.goto(honours)
    links = page.locator("#official-documents a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    expected = {
        f"{honours}/minutes.pdf",
        f"{honours}/minutes.docx",
        f"{honours}/results-notice.pdf",
        f"{honours}/submission.pdf",
        f"{honours}/submission.docx",
    }
    assert expected <= set(hrefs), hrefs
    for url in sorted(expected):
        text = flat(document_text(page, url))
        for needle in (ENTERPRISE, PRODUCT):
            assert needle in text, (url, needle, text[:3000])
        if "submission" in url:  # the annex lists the tax code; the report counts the objection
            assert TAX_CODE in text, (url, TAX_CODE, text[:3000])
            assert "đã nhận 1 ý kiến phản ánh, đã giải quyết 1" in text, (url, text[:3000])
        else:  # the dossier's total score
            assert re.search(rf"\b{TOTAL}([.,]0+)?\b", text), (url, TOTAL, text[:3000])
        if "minutes" in url:
            assert code in text, (url, code, text[:3000])

    certificate = page.locator("#certificates").get_by_role("link", name=serial).get_attribute("href")
    text = flat(document_text(page, certificate))
    for needle in (ENTERPRISE, PRODUCT, serial, DECISION_NUMBER):
        assert needle in text, ("certificate", needle, text)


def check_supplement_slip(page: Page, code: str) -> None:
    """The request to supplement (form 02), from the link on the officer's dossier page."""
    link = page.locator('#actions a[href*="supplement-request.pdf"]')
    expect(link).to_have_count(1)
    text = flat(document_text(page, link.get_attribute("href")))
    for needle in (ENTERPRISE, PRODUCT, SUPPLEMENT_ITEM, code):
        assert needle in text, ("supplement slip", needle, text)


def check_receipt(page: Page, application_id: int, code: str) -> None:
    """The enterprise's receipt slip, downloaded from its dossier."""
    text = flat(document_text(page, f"/applicant/applications/{application_id}/receipt.pdf"))
    for needle in (ENTERPRISE, PRODUCT, code):
        assert needle in text, ("receipt", needle, text)


def test_a_real_round_on_a_fresh_demo(
    browser_page: Page, live_server, app, db, artifacts_dir, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", live_server)
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", TEST_PASSWORD)
    monkeypatch.setattr(demo, "PAST_ROUNDS", (demo.PastRound(2025, 4, 3, 2),))
    seeded = app.test_cli_runner().invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "this year's dossiers loaded" in seeded.output
    round_ = db.session.scalars(
        select(Round).join(Round.programme).where(Round.year == local_today().year, Programme.code == "CNCL")
    ).one()
    browser: Browser = browser_page.context.browser
    problems: dict[str, list[str]] = {}

    # 1. The admin creates the officer of Xã Đông Anh and three council members.
    admin, problems["admin"] = new_page(browser, live_server)
    log_in(admin, ADMIN, "/admin/")
    admin_creates(admin, *OFFICER, role="unit_officer", unit_code="X-DONGANH")
    for email, name in NEW_MEMBERS:
        admin_creates(admin, email, name, role="council_member")
    admin.context.close()

    # 2. A new enterprise registers, confirms its address, nominates and submits.
    enterprise = browser_page
    problems["enterprise"] = watch_for_problems(enterprise)
    application_id, code = enterprise_submits(enterprise, db, round_, tmp_path)
    check_receipt(enterprise, application_id, code)

    # 3. The new officer changes the initial password, vets with one supplement and endorses.
    officer, problems["officer"] = new_page(browser, live_server)
    first_login(officer, OFFICER[0], "/unit/")
    officer_requests_supplement(officer, application_id, code)
    enterprise_answers(enterprise, application_id, tmp_path)
    officer_endorses_after_answer(officer, application_id)
    shoot(officer, artifacts_dir, "real-00-endorsed")
    check_supplement_slip(officer, code)
    officer.context.close()

    # 4. The secretariat seats the council and assigns criteria, then three reviewers by hand; the
    # third declares a conflict and "assign evenly" puts the demo member in their place.
    secretariat, problems["secretariat"] = new_page(browser, live_server)
    log_in(secretariat, SECRETARIAT, "/secretariat/")
    secretariat_seats_council_and_assigns_criteria(secretariat, db, round_)
    secretariat_assigns_by_hand(secretariat, round_, code)
    members: dict[str, Page] = {}
    for email, _name in NEW_MEMBERS:
        members[email], problems[email] = new_page(browser, live_server)
        first_login(members[email], email, "/council/")
    member_declares_conflict(members[NEW_MEMBERS[2][0]], code)
    replacement = secretariat_replaces_and_opens_review(secretariat, db, round_, code)

    # 5. The three active members score their criteria.
    members[replacement[0]], problems[replacement[0]] = new_page(browser, live_server)
    log_in(members[replacement[0]], replacement[0], "/council/")
    for email in (NEW_MEMBERS[0][0], NEW_MEMBERS[1][0], replacement[0]):
        members[email].goto("/council/")
        member_scores_assigned(members[email], email, code)
    shoot(members[replacement[0]], artifacts_dir, "real-03-scored")

    # 6. Conclusion, publication, an objection answered, the city's decision and the certificate.
    secretariat_concludes(secretariat, round_, application_id, code)
    secretariat_publishes(secretariat, round_)
    visitor, problems["visitor"] = new_page(browser, live_server)
    public_objects(visitor, round_)
    serial = secretariat_answers_and_recognises(secretariat, db, round_, code)

    # 7. Every official document downloads and holds the dossier's names and figures.
    check_documents(secretariat, round_, application_id, code, serial)

    # 8. The secretariat's view of the dossier: the supplement answer and the score sheets.
    secretariat.goto(f"/secretariat/dossiers/{application_id}")
    expect(secretariat.locator("#section-supplements .supplement-answer")).to_have_text(SUPPLEMENT_ANSWER)
    panel = secretariat.locator("#panel")
    for name in (NEW_MEMBERS[0][1], NEW_MEMBERS[1][1], replacement[1]):
        expect(panel).to_contain_text(name)
    shoot(secretariat, artifacts_dir, "real-07-secretariat-dossier")

    db.session.rollback()
    assert db.session.get(Application, application_id).state == State.recognised
    certificate = db.session.scalars(select(Certificate).where(Certificate.serial == serial)).one()
    assert certificate.status == CertificateStatus.valid
    assert {actor: found for actor, found in problems.items() if found} == {}
