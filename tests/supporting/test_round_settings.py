"""The round settings that make the supporting-industries programme differ (issue 12): what the round
grants, the vetting report and the support offered, set by the secretariat through HTTP, kept by a
clone; a new round starts from its programme's default rubric; bad input is refused beside its field."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from recognition.accounts.models import Role
from recognition.cases.models import Application
from recognition.extensions import db
from recognition.review.models import Criterion, CriterionGroup
from recognition.review.rubric import DEFAULT_RUBRIC, PROGRAMME_RUBRICS, default_rubric_for
from recognition.rounds.models import Round, RoundOutcome, VettingReportKind
from tests.conftest import client_for, fire

SUPPORT_AREAS = ["standards", "supply_chain", "technology", "training", "trade_promotion"]


@pytest.fixture
def secretariat(app, make):
    return client_for(app, make.user(Role.secretariat), lang="en")


def round_data(programme_id: int, year: int = 2040, **overrides) -> dict:
    """Every field of the round form, as the secretariat would fill it for a supporting-industries round."""
    return {
        "programme_id": programme_id,
        "year": year,
        "title": f"Lựa chọn doanh nghiệp tham gia Chương trình phát triển công nghiệp hỗ trợ năm {year}",
        "opens_on": f"{year}-03-01",
        "closes_on": f"{year}-09-15",
        "status": "draft",
        "vetting_body": "unit",
        "outcome": "selection",
        "vetting_report": "survey",
        "support_areas": SUPPORT_AREAS,
        "vetting_working_days": 15,
        "max_supplement_requests": 1,
        "supplement_working_days": 10,
        "supplement_expiry": "remind",
        "reviewers_per_dossier": 3,
        "pass_threshold": 70,
        "top_n": 10,
        "spread_flag_points": 15,
        "certificate_validity_months": 36,
        "min_revenue_high_tech_vnd": "0",
        "min_revenue_other_vnd": "0",
        "min_exports_handicraft_usd": "0",
        **overrides,
    }


def ticked_support(page: str) -> set[str]:
    return set(re.findall(r'<input checked [^>]*name="support_areas" type="checkbox" value="(\w+)"', page))


def rubric_rows(round_id: int) -> list[tuple]:
    return [
        (g.code, g.name_vi, c.code, c.name_vi, c.name_en, c.max_points)
        for g, c in db.session.execute(
            select(CriterionGroup, Criterion)
            .join(Criterion, Criterion.group_id == CriterionGroup.id)
            .where(CriterionGroup.round_id == round_id)
            .order_by(CriterionGroup.position, Criterion.position)
        )
    ]


def test_the_secretariat_creates_a_supporting_industries_round_with_its_settings_and_rubric(
    make, secretariat
):
    programme = make.programme("CNHT")
    db.session.commit()
    form = secretariat.get("/secretariat/rounds/new").text
    assert 'name="outcome"' in form and 'name="vetting_report"' in form
    assert 'value="supply_chain"' in form  # the support areas offered as checkboxes

    response = secretariat.post("/secretariat/rounds/new", data=round_data(programme.id))
    assert response.status_code == 302, response.text
    round_ = db.session.scalar(select(Round).where(Round.year == 2040))
    assert (round_.programme_id, round_.outcome, round_.vetting_report) == (
        programme.id,
        RoundOutcome.selection,
        VettingReportKind.survey,
    )
    # Kept in the catalogue's order, whatever the order ticked.
    assert round_.support_areas == ["trade_promotion", "technology", "training", "standards", "supply_chain"]
    assert (round_.min_revenue_other_vnd, round_.min_revenue_high_tech_vnd) == (0, 0)

    # The supporting-industries rubric, not the key products' one: 100 points in four groups.
    rows = rubric_rows(round_.id)
    assert len(rows) == 12 and sum(row[-1] for row in rows) == 100
    assert [g for g in dict.fromkeys(row[1] for row in rows)] == [
        "Năng lực sản xuất và công nghệ",
        "Chất lượng và tiêu chuẩn quốc tế",
        "Liên kết chuỗi cung ứng với doanh nghiệp đa quốc gia",
        "Tăng trưởng, quản trị và nguồn nhân lực",
    ]
    assert ("C", "Liên kết chuỗi cung ứng với doanh nghiệp đa quốc gia", "C3", "Tỷ lệ nội địa hóa",
            "Localisation", 10) in rows  # fmt: skip
    assert "Thương hiệu" not in {row[3] for row in rows}

    # The settings page shows them chosen.
    page = secretariat.get(f"/secretariat/rounds/{round_.id}").text
    assert '<option selected value="selection">' in page
    assert '<option selected value="survey">' in page
    assert ticked_support(page) == set(SUPPORT_AREAS)


def test_a_key_products_round_keeps_its_rubric_and_settings(make, secretariat):
    programme = make.programme("CNCL")
    db.session.commit()
    data = round_data(programme.id, title="Xét chọn sản phẩm công nghiệp chủ lực năm 2040")
    for name in ("outcome", "vetting_report", "support_areas"):
        del data[name]  # a form posted without them: the defaults of a recognition
    assert secretariat.post("/secretariat/rounds/new", data=data).status_code == 302
    round_ = db.session.scalar(select(Round).where(Round.year == 2040))
    assert (round_.outcome, round_.vetting_report, round_.support_areas) == (
        RoundOutcome.certificate,
        VettingReportKind.checklist,
        [],
    )
    names = [row[3] for row in rubric_rows(round_.id)]
    assert names == [c.name_vi for g in DEFAULT_RUBRIC for c in g.criteria]


def test_the_rubric_of_a_programme_is_data():
    assert PROGRAMME_RUBRICS == {"CNHT": "supporting_industries"}
    assert default_rubric_for("CNHT") != DEFAULT_RUBRIC
    assert default_rubric_for("CNCL") == default_rubric_for("ANY") == DEFAULT_RUBRIC
    for code in ("CNHT", "CNCL"):
        total = sum(c.max_points for g in default_rubric_for(code) for c in g.criteria)
        assert total == 100
        assert all(
            c.name_en and c.guidance_vi and c.guidance_en
            for g in default_rubric_for(code)
            for c in g.criteria
        )


def test_a_clone_keeps_what_the_round_grants_its_report_and_its_support(make, secretariat):
    source = make.round(
        programme=make.programme("CNHT"),
        year=2030,
        opens_on=date(2030, 3, 1),
        closes_on=date(2030, 9, 15),
        outcome=RoundOutcome.selection,
        vetting_report=VettingReportKind.survey,
        support_areas=["technology", "standards"],
    )
    response = secretariat.post("/secretariat/rounds/clone", data={"source_id": source.id, "year": 2031})
    assert response.status_code == 302
    clone = db.session.scalar(select(Round).where(Round.year == 2031))
    assert (clone.programme_id, clone.outcome, clone.vetting_report, clone.support_areas) == (
        source.programme_id,
        RoundOutcome.selection,
        VettingReportKind.survey,
        ["technology", "standards"],
    )
    # Editing the clone's support leaves the source's list alone.
    edited = round_data(
        clone.programme_id, year=2031, title=clone.title, support_areas=["training"], status="draft"
    )
    assert secretariat.post(f"/secretariat/rounds/{clone.id}", data=edited).status_code == 302
    db.session.expire_all()
    assert (clone.support_areas, source.support_areas) == (["training"], ["technology", "standards"])


def test_a_selection_round_without_support_is_refused_keeping_what_was_typed(make, secretariat):
    programme = make.programme("CNHT")
    db.session.commit()
    data = round_data(programme.id, title="Đợt gõ tay 2040")
    del data["support_areas"]
    response = secretariat.post("/secretariat/rounds/new", data=data)
    assert response.status_code == 200
    assert "A round that selects enterprises for support must offer some support." in response.text
    assert 'value="Đợt gõ tay 2040"' in response.text
    assert '<option selected value="selection">' in response.text
    assert db.session.scalar(select(func.count(Round.id))) == 0


def test_an_unknown_outcome_or_report_is_refused(make, secretariat):
    programme = make.programme("CNHT")
    db.session.commit()
    response = secretariat.post(
        "/secretariat/rounds/new",
        data=round_data(programme.id, outcome="prize", vetting_report="essay", support_areas=["lottery"]),
    )
    assert response.status_code == 200
    assert response.text.count("Not a valid choice") >= 2
    assert db.session.scalar(select(func.count(Round.id))) == 0


def test_the_messages_are_in_vietnamese_by_default(app, make):
    programme = make.programme("CNHT")
    db.session.commit()
    client = client_for(app, make.user(Role.secretariat))  # the default language
    response = client.post(
        "/secretariat/rounds/new", data=round_data(programme.id, outcome="prize", year=1990)
    )
    assert response.status_code == 200
    assert "Lựa chọn không hợp lệ." in response.text and "Not a valid choice" not in response.text
    assert db.session.scalar(select(func.count(Round.id))) == 0


def test_what_a_round_grants_is_fixed_once_a_dossier_is_submitted(make, secretariat):
    round_ = make.round(
        programme=make.programme("CNHT"),
        year=2035,
        outcome=RoundOutcome.selection,
        vetting_report=VettingReportKind.survey,
        support_areas=["technology"],
    )
    application = make.application(round=round_)
    application.support_sought = ["technology"]
    fire(application, "submit", make.applicant_of(application))
    data = round_data(
        round_.programme_id,
        year=round_.year,
        title=round_.title,
        opens_on=round_.opens_on.isoformat(),
        closes_on=round_.closes_on.isoformat(),
        status="open",
        outcome="certificate",
        support_areas=["technology", "training"],
    )
    response = secretariat.post(f"/secretariat/rounds/{round_.id}", data=data)
    assert response.status_code == 200
    assert "Fixed: dossiers have already been submitted in this round" in response.text
    assert '<option selected value="certificate">' in response.text  # as typed
    assert ticked_support(response.text) == {"technology", "training"}
    db.session.expire_all()
    assert (round_.outcome, round_.support_areas) == (RoundOutcome.selection, ["technology"])
    # The support offered may still change (the nominations still to come ask about it).
    data["outcome"] = "selection"
    assert secretariat.post(f"/secretariat/rounds/{round_.id}", data=data).status_code == 302
    db.session.expire_all()
    assert round_.support_areas == ["technology", "training"]
    assert db.session.scalar(select(func.count(Application.id))) == 1


def test_an_applicant_sees_both_open_rounds_and_starts_a_nomination_in_either(app, make):
    key_products = make.round(programme=make.programme("CNCL"), title="Xét chọn sản phẩm chủ lực")
    supporting = make.round(
        programme=make.programme("CNHT"),
        title="Lựa chọn doanh nghiệp công nghiệp hỗ trợ",
        outcome=RoundOutcome.selection,
        vetting_report=VettingReportKind.survey,
        support_areas=["standards"],
    )
    client = client_for(app, make.user(Role.applicant), lang="en")
    home = client.get("/applicant/").text
    assert key_products.title in home and supporting.title in home
    new = client.get("/applicant/applications/new").text
    assert f'value="{key_products.id}"' in new and f'value="{supporting.id}"' in new
    for round_ in (supporting, key_products):
        response = client.post(
            "/applicant/applications/new",
            data={"round_id": round_.id, "product_id": 0, "product_name": f"Khuôn ép nhựa {round_.id}"},
        )
        assert response.status_code == 302, response.text
    rounds = set(db.session.scalars(select(Application.round_id)))
    assert rounds == {key_products.id, supporting.id}
