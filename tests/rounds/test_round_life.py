"""The round's life through HTTP: cloned from last year, its calendar shown to every role, and the
required documents edited per round (issue 15)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, select

from recognition import clock
from recognition.accounts.models import Role
from recognition.cases.models import Application, RecordChange, State
from recognition.extensions import db
from recognition.review.models import (
    CouncilMember,
    Criterion,
    CriterionAssignment,
    CriterionGroup,
)
from recognition.review.services import add_council_member
from recognition.rounds.models import Round, RoundStatus, SupplementExpiry, VettingBody
from recognition.rounds.services import ROUND_FIELDS
from tests.conftest import fire, login


def client_for(app, user, english=True):
    client = app.test_client()
    assert login(client, user).status_code == 302
    if english:
        client.get("/lang/en")
    return client


@pytest.fixture
def secretariat(make):
    return make.user(Role.secretariat)


def rubric(round_: Round) -> None:
    """A rubric of its own (not the default), with both languages, guidance and a group minimum."""
    groups = [
        ("E", "Hiệu quả kinh tế", "Economic results", Decimal("20"), [
            ("E1", "Doanh thu", "Revenue", Decimal("35"), "Hai năm gần nhất.", "Last two years."),
            ("E2", "Xuất khẩu", "Exports", Decimal("25.5"), "Kim ngạch.", "Export value."),
        ]),
        ("S", "Xã hội", "Society", None, [
            ("S1", "Việc làm", "Jobs", Decimal("39.5"), "", ""),
        ]),
    ]  # fmt: skip
    for position, (code, name_vi, name_en, minimum, criteria) in enumerate(groups):
        group = CriterionGroup(
            round_id=round_.id,
            code=code,
            name_vi=name_vi,
            name_en=name_en,
            position=position,
            min_points=minimum,
        )
        for index, (c_code, c_vi, c_en, points, guide_vi, guide_en) in enumerate(criteria):
            group.criteria.append(
                Criterion(
                    round_id=round_.id, code=c_code, name_vi=c_vi, name_en=c_en, max_points=points,
                    guidance_vi=guide_vi, guidance_en=guide_en, position=index,
                )
            )  # fmt: skip
        db.session.add(group)
    db.session.commit()


def rubric_of(round_id: int) -> list[tuple]:
    rows = db.session.execute(
        select(CriterionGroup, Criterion)
        .join(Criterion, Criterion.group_id == CriterionGroup.id)
        .where(CriterionGroup.round_id == round_id)
        .order_by(CriterionGroup.position, Criterion.position)
    ).all()
    return [
        (g.code, g.name_vi, g.name_en, g.position, g.min_points,
         c.code, c.name_vi, c.name_en, c.max_points, c.guidance_vi, c.guidance_en, c.position, c.round_id)
        for g, c in rows
    ]  # fmt: skip


@pytest.fixture
def last_year(make):
    """The 2025 round, with its settings, rubric, council, a dossier, a criterion assignment, results."""
    round_ = make.round(
        year=2025,
        opens_on=date(2025, 2, 28),
        closes_on=date(2025, 6, 30),
        review_starts_on=date(2025, 8, 4),
        review_ends_on=date(2025, 8, 29),
        results_planned_on=date(2025, 9, 15),
        decision_planned_on=date(2025, 10, 30),
        status=RoundStatus.closed,
        vetting_body=VettingBody.secretariat,
        legal_bases="Đề án 496/QĐ-UBND (2018)\nQuy chế 2023/QĐ-UBND (2023)\nKế hoạch 60/KH-UBND (2021)",
        required_documents=["registration_form", "financial_statements", "quality_certificates"],
        max_supplement_requests=2,
        vetting_working_days=20,
        supplement_working_days=7,
        supplement_expiry=SupplementExpiry.withdraw,
        reviewers_per_dossier=5,
        pass_threshold=75,
        top_n=8,
        spread_flag_points=12,
        certificate_validity_months=24,
        min_revenue_high_tech_vnd=12_000_000_000,
        min_revenue_other_vnd=90_000_000_000,
        min_exports_handicraft_usd=1_500_000,
        target_products_min=25,
        target_products_max=30,
        target_enterprises_min=20,
        target_enterprises_max=25,
        results_published_at=datetime(2025, 9, 16, 2, 0, tzinfo=UTC),
        comment_deadline=date(2025, 9, 30),
    )
    round_.title = "Xét chọn sản phẩm công nghiệp chủ lực năm 2025"
    rubric(round_)
    member = make.user(Role.council_member)
    add_council_member(round_, member, "Chủ tịch")
    db.session.add(CriterionAssignment(criterion_id=_criterion(round_, "E1"), user_id=member.id))
    make.application(round=round_)
    db.session.commit()
    return round_


def _criterion(round_: Round, code: str) -> int:
    return db.session.scalar(
        select(Criterion.id).where(Criterion.round_id == round_.id, Criterion.code == code)
    )


def test_clone_copies_rubric_settings_documents_and_legal_bases_and_moves_the_dates(
    app, secretariat, last_year
):
    client = client_for(app, secretariat)
    form = client.get(f"/secretariat/rounds/clone?source={last_year.id}").text
    assert 'value="2026"' in form  # next year proposed
    response = client.post("/secretariat/rounds/clone", data={"source_id": last_year.id, "year": 2026})
    clone = db.session.scalar(select(Round).where(Round.year == 2026))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/secretariat/rounds/{clone.id}")

    assert clone.title == "Xét chọn sản phẩm công nghiệp chủ lực năm 2026"
    assert clone.status == RoundStatus.draft
    # Dates move by one year (28/02 stays 28/02; the settings page shows them for editing).
    assert (clone.opens_on, clone.closes_on) == (date(2026, 2, 28), date(2026, 6, 30))
    assert (clone.review_starts_on, clone.review_ends_on) == (date(2026, 8, 4), date(2026, 8, 29))
    assert (clone.results_planned_on, clone.decision_planned_on) == (date(2026, 9, 15), date(2026, 10, 30))
    same = [n for n in ROUND_FIELDS if n not in ("year", "title") and not n.endswith("_on")]
    assert {n: getattr(clone, n) for n in same} == {n: getattr(last_year, n) for n in same}
    assert (clone.vetting_body, clone.supplement_expiry) == (
        VettingBody.secretariat,
        SupplementExpiry.withdraw,
    )
    assert clone.legal_basis_lines == last_year.legal_basis_lines and len(clone.legal_basis_lines) == 3
    assert clone.required_documents == ["registration_form", "financial_statements", "quality_certificates"]
    # The rubric is the source's, exactly, and only it (not the default rubric as well).
    copied = rubric_of(clone.id)
    assert [row[:-1] for row in copied] == [row[:-1] for row in rubric_of(last_year.id)]
    assert {row[-1] for row in copied} == {clone.id}
    assert db.session.scalar(select(func.count(Criterion.id)).where(Criterion.round_id == clone.id)) == 3
    # Not the council, its assignments, the dossiers or the results.
    assert (
        db.session.scalar(select(func.count(CouncilMember.id)).where(CouncilMember.round_id == clone.id)) == 0
    )
    assignments = (
        select(func.count())
        .select_from(CriterionAssignment)
        .join(Criterion, Criterion.id == CriterionAssignment.criterion_id)
        .where(Criterion.round_id == clone.id)
    )
    assert db.session.scalar(assignments) == 0
    assert db.session.scalar(select(func.count(Application.id)).where(Application.round_id == clone.id)) == 0
    assert (clone.results_published_at, clone.comment_deadline) == (None, None)
    # Audited in the new round's chain, by the secretariat, naming its source.
    change = db.session.scalar(
        select(RecordChange).where(RecordChange.subject_type == "rounds", RecordChange.subject_id == clone.id)
    )
    assert (change.action, change.actor_id, change.payload["cloned_from"]) == (
        "clone_round",
        secretariat.id,
        last_year.id,
    )
    assert change.payload["opens_on"] == "2026-02-28"

    settings = client.get(f"/secretariat/rounds/{clone.id}").text
    assert 'value="2026-08-04"' in settings and 'value="2026-02-28"' in settings


def test_clone_of_a_leap_day_lands_on_the_last_day_of_february(app, make, secretariat):
    source = make.round(year=2024, opens_on=date(2024, 2, 29), closes_on=date(2024, 6, 30))
    client = client_for(app, secretariat)
    client.post("/secretariat/rounds/clone", data={"source_id": source.id, "year": 2025, "title": "Đợt 2025"})
    clone = db.session.scalar(select(Round).where(Round.year == 2025))
    assert (clone.title, clone.opens_on, clone.closes_on) == (
        "Đợt 2025",
        date(2025, 2, 28),
        date(2025, 6, 30),
    )


def test_clone_refuses_a_year_the_programme_already_has(app, make, secretariat, last_year):
    make.round(year=2026)
    client = client_for(app, secretariat)
    response = client.post(
        "/secretariat/rounds/clone",
        data={"source_id": last_year.id, "year": 2026, "title": "Đợt gõ tay 2026"},
    )
    assert response.status_code == 200
    assert "This programme already has a round for that year." in response.text
    assert 'value="Đợt gõ tay 2026"' in response.text and 'value="2026"' in response.text
    assert f'<option selected value="{last_year.id}">' in response.text
    assert db.session.scalar(select(func.count(Round.id))) == 2


# The calendar: a round with every date set; 15 working days after Tuesday 30/06/2026 is 21/07/2026.
# The pages are in English, so the days are in the English format (issue 16).
CALENDAR = {
    "opens": "Mar 1, 2026",
    "closes": "Jun 30, 2026",
    "vetting": "by Jul 21, 2026",
    "review": "Aug 3, 2026 – Aug 28, 2026",
    "results": "Sep 15, 2026",
    "decision": "Oct 30, 2026",
    "certificate": "24 months from the city's decision.",
}


@pytest.fixture
def this_year(make):
    return make.round(
        year=2026,
        opens_on=date(2026, 3, 1),
        closes_on=date(2026, 6, 30),
        review_starts_on=date(2026, 8, 3),
        review_ends_on=date(2026, 8, 28),
        results_planned_on=date(2026, 9, 15),
        decision_planned_on=date(2026, 10, 30),
        vetting_working_days=15,
        certificate_validity_months=24,
    )


def calendar_of(html: str, round_id: int) -> dict[str, str]:
    """key -> the text of that step in the round's calendar (empty when the page has no calendar)."""
    section = re.search(rf'id="round-calendar-{round_id}".*?</section>', html, re.S)
    if section is None:
        return {}
    items = re.findall(r'data-key="(\w+)"[^>]*>(.*?)</li>', section.group(0), re.S)
    return {key: " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split()) for key, text in items}


def assert_calendar(html: str, round_: Round, expected: dict = CALENDAR) -> None:
    shown = calendar_of(html, round_.id)
    assert shown, "no calendar of the round on the page"
    for key, text in expected.items():
        assert text in shown[key], (key, shown[key])


def test_the_calendar_is_shown_to_every_role(app, make, secretariat, this_year):
    application = make.application(round=this_year)
    applicant = client_for(app, make.applicant_of(application))
    assert_calendar(applicant.get("/applicant/").text, this_year)
    assert_calendar(applicant.get(f"/applicant/applications/{application.id}").text, this_year)
    assert_calendar(client_for(app, make.officer_of(application)).get("/unit/").text, this_year)
    (reviewer,) = make.assign_reviewers(application, count=1)
    assert_calendar(client_for(app, reviewer).get("/council/").text, this_year)
    staff = client_for(app, secretariat)
    for page in ("", "/criteria", "/documents", "/council"):
        assert_calendar(staff.get(f"/secretariat/rounds/{this_year.id}{page}").text, this_year)
    assert_calendar(staff.get(f"/secretariat/review/rounds/{this_year.id}/board").text, this_year)
    public = app.test_client()
    public.get("/lang/en")
    home = public.get("/").text
    assert_calendar(home, this_year)
    assert "Nominations open" in home and "Review by the council" in home


def test_the_calendar_marks_what_is_past_current_and_planned(app, monkeypatch, this_year):
    monkeypatch.setattr(clock, "_now", lambda: datetime(2026, 7, 1, 3, 0, tzinfo=UTC))
    public = app.test_client()
    public.get("/lang/en")
    home = public.get("/").text
    phases = dict(re.findall(r'data-key="(\w+)" data-phase="(\w+)"', home))
    assert phases == {
        "opens": "past", "closes": "past", "vetting": "now", "review": "upcoming", "results": "upcoming",
        "decision": "upcoming", "certificate": "upcoming",
    }  # fmt: skip
    assert calendar_of(home, this_year.id)["review"].endswith("(planned)")


def test_the_calendar_in_vietnamese_uses_dd_mm_yyyy(app, this_year):
    page = app.test_client().get("/").text
    shown = calendar_of(page, this_year.id)
    assert "01/03/2026" in shown["opens"] and "03/08/2026 – 28/08/2026" in shown["review"]


def test_the_calendar_shows_the_comment_deadline_once_results_are_published(app, this_year):
    public = app.test_client()
    public.get("/lang/en")
    assert "comments" not in calendar_of(public.get("/").text, this_year.id)
    this_year.results_published_at = datetime(2026, 9, 16, 2, 0, tzinfo=UTC)
    this_year.comment_deadline = date(2026, 9, 30)
    db.session.commit()
    shown = calendar_of(public.get("/").text, this_year.id)
    assert shown["results"].endswith("Sep 16, 2026") and "planned" not in shown["results"]
    assert "by Sep 30, 2026" in shown["comments"]


def test_dates_not_yet_decided_are_to_be_announced(app, make):
    round_ = make.round(year=2031)
    public = app.test_client()
    public.get("/lang/en")
    shown = calendar_of(public.get("/").text, round_.id)
    assert shown["review"].endswith("to be announced") and shown["decision"].endswith("to be announced")


def test_the_public_home_shows_only_open_rounds_and_the_queue_the_chosen_round(app, make, this_year):
    draft = make.round(year=2027, status=RoundStatus.draft)
    old = make.round(year=2024, status=RoundStatus.closed)
    home = app.test_client().get("/").text
    assert (
        calendar_of(home, this_year.id) and not calendar_of(home, draft.id) and not calendar_of(home, old.id)
    )
    officer = client_for(app, make.user(Role.unit_officer))
    queue = officer.get(f"/unit/?round={old.id}").text
    assert calendar_of(queue, old.id) and not calendar_of(queue, this_year.id)


def test_review_dates_in_the_wrong_order_are_refused(app, secretariat, this_year):
    client = client_for(app, secretariat)
    data = {
        "programme_id": this_year.programme_id, "year": 2026, "title": "Đợt 2026",
        "opens_on": "2026-03-01", "closes_on": "2026-06-30",
        "review_starts_on": "2026-08-28", "review_ends_on": "2026-08-03",
        "status": "open", "vetting_body": "unit", "vetting_working_days": 15, "max_supplement_requests": 1,
        "supplement_working_days": 10, "supplement_expiry": "remind", "reviewers_per_dossier": 3,
        "pass_threshold": 70, "top_n": 10, "spread_flag_points": 15, "certificate_validity_months": 24,
        "min_revenue_high_tech_vnd": "10000000000", "min_revenue_other_vnd": "100000000000",
        "min_exports_handicraft_usd": "1000000",
    }  # fmt: skip
    response = client.post(f"/secretariat/rounds/{this_year.id}", data=data)
    assert "The review must not end before it starts." in response.text
    data["review_starts_on"], data["review_ends_on"] = "2026-08-10", "2026-08-21"
    assert client.post(f"/secretariat/rounds/{this_year.id}", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Round, this_year.id).review_starts_on == date(2026, 8, 10)


# Required documents per round.


def test_required_documents_are_ticked_per_round_and_audited(app, make, secretariat):
    round_ = make.round(year=2032)
    client = client_for(app, secretariat)
    page = client.get(f"/secretariat/rounds/{round_.id}/documents").text
    assert page.count("checked") == len(round_.required_documents)
    response = client.post(
        f"/secretariat/rounds/{round_.id}/documents",
        data={"kinds": ["product_description", "registration_form", "other"]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    round_ = db.session.get(Round, round_.id)
    assert round_.required_documents == ["registration_form", "product_description", "other"]
    change = db.session.scalar(select(RecordChange).where(RecordChange.action == "edit_required_documents"))
    assert change.payload["required_documents"][1] == ["registration_form", "product_description", "other"]
    assert change.actor_id == secretariat.id


def test_required_documents_refuse_an_empty_list_or_an_unknown_kind(app, make, secretariat):
    round_ = make.round(year=2033)
    before = list(round_.required_documents)
    client = client_for(app, secretariat)
    assert (
        "Tick at least one document."
        in client.post(f"/secretariat/rounds/{round_.id}/documents", data={}).text
    )
    response = client.post(f"/secretariat/rounds/{round_.id}/documents", data={"kinds": ["passport"]})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Round, round_.id).required_documents == before


def submit_over_http(client, application: Application):
    return client.post(f"/applicant/applications/{application.id}/submit", data={"declaration": "y"})


def test_an_added_requirement_binds_drafts_but_not_submitted_dossiers(app, make, secretariat):
    round_ = make.round(year=2034, required_documents=["registration_form"])
    draft = make.application(round=round_)
    submitted = make.application(round=round_)
    fire(submitted, "submit", make.applicant_of(submitted))
    staff = client_for(app, secretariat)
    staff.post(
        f"/secretariat/rounds/{round_.id}/documents",
        data={"kinds": ["registration_form", "financial_statements"]},
    )
    assert (
        "Dossiers already submitted in this round: 1."
        in staff.get(f"/secretariat/rounds/{round_.id}/documents").text
    )

    applicant = client_for(app, make.applicant_of(draft))
    response = submit_over_http(applicant, draft)
    assert "Audited financial statements is missing." in response.text
    db.session.expire_all()
    assert db.session.get(Application, draft.id).state == State.draft
    # The dossier submitted before the change goes on through vetting without the new document.
    submitted = db.session.get(Application, submitted.id)
    officer = make.officer_of(submitted)
    fire(submitted, "start_vetting", officer)
    fire(submitted, "endorse", officer)
    assert db.session.get(Application, submitted.id).state == State.endorsed


def test_a_removed_requirement_lets_a_draft_submit(app, make, secretariat):
    round_ = make.round(year=2035, required_documents=["registration_form"])
    draft = make.application(round=round_)
    round_.required_documents = ["registration_form", "intellectual_property"]
    db.session.commit()
    applicant = client_for(app, make.applicant_of(draft))
    assert "Intellectual property is missing." in submit_over_http(applicant, draft).text
    client_for(app, secretariat).post(
        f"/secretariat/rounds/{round_.id}/documents", data={"kinds": ["registration_form"]}
    )
    response = submit_over_http(applicant, draft)
    assert response.status_code == 200 and "Your dossier has been submitted." in response.text
    db.session.expire_all()
    assert db.session.get(Application, draft.id).state == State.submitted
