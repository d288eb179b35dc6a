"""Reference data in both languages: what the app ships (the default rubric, the programmes) shows in
the visitor's language; what the secretariat typed only in Vietnamese shows as typed."""

import re

import pytest
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.extensions import db
from recognition.review import services
from recognition.review.models import Criterion, CriterionGroup
from recognition.review.rubric import apply_default_rubric
from tests.conftest import fire
from tests.review.builders import client_for, council

GROWTH_EN = "Growth of revenue and production value over the last two years."
GROWTH_VI = "Tốc độ tăng doanh thu, giá trị sản xuất hai năm gần nhất."


@pytest.fixture
def rubric_round(make):
    """The review package's round (tests/review/conftest.py), with one reviewer a dossier."""
    round_ = make.round(reviewers_per_dossier=1)
    apply_default_rubric(round_)
    db.session.commit()
    return round_


def under_review(make, round_):
    """A dossier of the round under review, one member assigned and declared free of conflicts."""
    application = make.endorsed(round_)
    (member,) = council(make, round_, count=1)
    assignment = services.assign_reviewer(application, member)
    services.declare(assignment, False)
    db.session.commit()
    fire(application, "open_review", make.user(Role.secretariat))
    return application, member, assignment


def fieldset(html: str, code: str) -> str:
    match = re.search(rf'<fieldset[^>]*id="criterion-{code}">(.*?)</fieldset>', html, re.S)
    assert match, f"no fieldset for {code}"
    return match.group(1)


@pytest.mark.parametrize(
    ("lang", "name", "guidance", "other_guidance"),
    [("en", "A1. Growth", GROWTH_EN, GROWTH_VI), ("vi", "A1. Tăng trưởng", GROWTH_VI, GROWTH_EN)],
)
def test_scoring_page_shows_the_rubric_in_the_visitors_language(
    app, make, rubric_round, lang, name, guidance, other_guidance
):
    _application, member, assignment = under_review(make, rubric_round)
    page = client_for(app, member, lang).get(f"/council/assignments/{assignment.id}/score").text
    a1 = fieldset(page, "A1")
    assert name in a1 and guidance in a1 and other_guidance not in a1


def editor_data(group: CriterionGroup, **new) -> dict:
    data = {
        "groups-0-id": str(group.id),
        "groups-0-code": group.code,
        "groups-0-name_vi": group.name_vi,
        "groups-0-name_en": group.name_en,
    }
    for i, criterion in enumerate(group.criteria):
        prefix = f"groups-0-criteria-{i}"
        data |= {
            f"{prefix}-id": str(criterion.id),
            f"{prefix}-code": criterion.code,
            f"{prefix}-name_vi": criterion.name_vi,
            f"{prefix}-name_en": criterion.name_en,
            f"{prefix}-max_points": str(criterion.max_points),
            f"{prefix}-guidance_vi": criterion.guidance_vi,
            f"{prefix}-guidance_en": criterion.guidance_en,
        }
    data |= {f"groups-0-new_criterion-{key}": value for key, value in new.items()}
    return data


def first_group(round_) -> CriterionGroup:
    return db.session.scalar(
        select(CriterionGroup).where(CriterionGroup.round_id == round_.id).order_by(CriterionGroup.position)
    )


def test_criteria_editor_shows_and_keeps_the_english_guidance(app, make, rubric_round):
    secretariat = client_for(app, make.user(Role.secretariat), "en")
    page = secretariat.get(f"/secretariat/rounds/{rubric_round.id}/criteria").text
    assert re.search(r'name="groups-0-criteria-0-guidance_en"[^>]*>\s*' + re.escape(GROWTH_EN), page)
    assert re.search(r'name="groups-0-criteria-0-guidance_vi"[^>]*>\s*' + re.escape(GROWTH_VI), page)
    data = editor_data(first_group(rubric_round))
    data["groups-0-criteria-0-guidance_en"] = "Revenue growth, two years."
    assert secretariat.post(f"/secretariat/rounds/{rubric_round.id}/criteria", data=data).status_code == 302
    db.session.expire_all()
    assert first_group(rubric_round).criteria[0].guidance_en == "Revenue growth, two years."


def test_a_criterion_typed_only_in_vietnamese_shows_as_typed_in_english(app, make, rubric_round):
    secretariat = client_for(app, make.user(Role.secretariat), "en")
    data = editor_data(
        first_group(rubric_round),
        code="A4",
        name_vi="Đầu tư đổi mới công nghệ",
        name_en="",
        max_points="2",
        guidance_vi="Giá trị đầu tư máy móc mới.",
        guidance_en="",
    )
    response = secretariat.post(f"/secretariat/rounds/{rubric_round.id}/criteria", data=data)
    assert response.status_code == 302, response.text
    assert db.session.scalar(
        select(Criterion).where(Criterion.code == "A4", Criterion.round_id == rubric_round.id)
    )
    _application, member, assignment = under_review(make, rubric_round)
    page = client_for(app, member, "en").get(f"/council/assignments/{assignment.id}/score").text
    a4 = fieldset(page, "A4")
    assert "A4. Đầu tư đổi mới công nghệ" in a4 and "Giá trị đầu tư máy móc mới." in a4


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_board_names_the_groups_in_the_visitors_language_or_as_typed(app, make, rubric_round, lang):
    groups = db.session.scalars(
        select(CriterionGroup)
        .where(CriterionGroup.round_id == rubric_round.id)
        .order_by(CriterionGroup.position)
    ).all()
    groups[1].name_en = ""  # typed by the secretariat in Vietnamese only
    db.session.commit()
    page = (
        client_for(app, make.user(Role.secretariat), lang)
        .get(f"/secretariat/review/rounds/{rubric_round.id}/board")
        .text
    )
    first = "Economic value and scale" if lang == "en" else "Giá trị kinh tế và quy mô"
    assert f'title="{first}">A</th>' in page
    assert 'title="Năng lực cạnh tranh và thị trường">B</th>' in page


@pytest.mark.parametrize(
    ("lang", "programme", "criterion"),
    [
        ("en", "Key industrial products", "A1 Growth"),
        ("vi", "Sản phẩm công nghiệp chủ lực", "A1 Tăng trưởng"),
    ],
)
def test_secretariat_pages_name_programme_and_criteria_in_the_visitors_language(
    app, make, rubric_round, lang, programme, criterion
):
    member = make.user(Role.council_member)
    services.add_council_member(rubric_round, member)
    db.session.commit()
    secretariat = client_for(app, make.user(Role.secretariat), lang)
    settings = secretariat.get(f"/secretariat/rounds/{rubric_round.id}").text
    assert re.search(rf'<option selected value="{rubric_round.programme_id}">{programme}</option>', settings)
    council = secretariat.get(f"/secretariat/rounds/{rubric_round.id}/council").text
    assert f">{criterion}</option>" in council
    assert f"<td>{programme}</td>" in secretariat.get("/secretariat/").text


@pytest.mark.parametrize(
    ("lang", "programme", "other"),
    [
        ("en", "Key industrial products", "Sản phẩm công nghiệp chủ lực"),
        ("vi", "Sản phẩm công nghiệp chủ lực", "Key industrial"),
    ],
)
def test_public_results_name_the_programme_in_the_visitors_language(app, make, lang, programme, other):
    round_ = make.round()
    make.publish_results(round_)
    client = app.test_client()
    client.get(f"/lang/{lang}")
    page = client.get(f"/results/{round_.id}").text
    assert f'<p class="mb-1" id="programme">{programme}</p>' in page
    assert other not in page
