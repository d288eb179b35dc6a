"""Every list a form takes (repeated rows, multi-selects, one-per-line text) has a bound, refused with a
message that names it while what was typed stays in the form (the probe sent 900 supplement items)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict

from recognition.clock import local_today
from recognition.extensions import db
from recognition.honours.forms import DecisionForm
from recognition.nomination.forms import FiguresForm, QualityForm, SupplementAnswerForm
from recognition.review.models import Criterion
from recognition.rounds.forms import CriteriaForm, RoundForm, criterion_assignment_form
from recognition.rounds.models import Programme
from recognition.vetting.forms import SupplementRequestForm
from tests.conftest import fire
from tests.security import client_for


def posted(app, data: dict, build):
    """The form built from `data` as a POST, validated in English: (valid?, errors as text)."""
    with app.test_request_context(method="POST", data=MultiDict(data)), force_locale("en"):
        form = build()
        valid = form.validate()
        return valid, str(form.errors).lower()


def items(count: int, length: int = 20) -> dict:
    return {f"items-{i}": (f"Thiếu {i} " + "x" * length)[:length] for i in range(count)}


DEADLINE = {"deadline": "2031-01-15"}


def test_supplement_request_takes_up_to_thirty_items(app):
    assert posted(app, items(30) | DEADLINE, SupplementRequestForm)[0]
    valid, errors = posted(app, items(31) | DEADLINE, SupplementRequestForm)
    assert not valid and "at most 30" in errors


def test_each_supplement_item_is_at_most_500_characters(app):
    assert posted(app, items(1, 500) | DEADLINE, SupplementRequestForm)[0]
    valid, errors = posted(app, items(1, 501) | DEADLINE, SupplementRequestForm)
    assert not valid and "500" in errors


def test_900_items_through_http_are_refused_keeping_what_was_typed(app, make):
    application = make.application()
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    client = client_for(app, officer)
    client.get("/lang/en")
    data = items(900) | {
        "deadline": (local_today() + timedelta(days=20)).isoformat(),
        "version": application.version,
    }
    response = client.post(f"/unit/dossiers/{application.id}/supplement", data=data)
    assert response.status_code == 200
    assert "at most 30" in response.text.lower()
    assert "Thiếu 899" in response.text  # nothing typed is lost
    db.session.expire_all()
    assert application.supplement_requests == []


def test_supplement_answers_are_no_more_than_the_items(app):
    request_items = ["Báo cáo tài chính", "Giấy phép môi trường"]
    two = {"answers-0": "Đã bổ sung", "answers-1": "Đã bổ sung"}
    assert posted(app, two, lambda: SupplementAnswerForm(request_items))[0]
    many = {f"answers-{i}": "Đã bổ sung" for i in range(900)}
    valid, errors = posted(app, many, lambda: SupplementAnswerForm(request_items))
    assert not valid and "at most 2" in errors


def certification_rows(count: int) -> dict:
    data = {
        "technology_level": "advanced",
        "rnd_spending_vnd": "0",
        "environmental_compliance": "Có giấy phép",
    }
    for i in range(count):
        data[f"certifications-{i}-standard"] = f"ISO {9000 + i}"
    return data


def test_certifications_are_at_most_ten_rows_with_a_message(app):
    assert posted(app, certification_rows(10), QualityForm)[0]
    valid, errors = posted(app, certification_rows(11), QualityForm)
    assert not valid and "at most 10" in errors


def test_figures_are_exactly_the_two_years_asked(app):
    from recognition.nomination.services import figure_years

    def rows(years):
        data = {}
        for i, year in enumerate(years):
            data[f"years-{i}-year"] = str(year)
            for name in ("production_value_vnd", "revenue_vnd", "export_value_usd", "budget_contribution_vnd",
                         "employees", "average_wage_vnd"):  # fmt: skip
                data[f"years-{i}-{name}"] = "1"
        return data

    assert posted(app, rows(figure_years()), FiguresForm)[0]
    assert not posted(app, rows([*figure_years(), 2001]), FiguresForm)[0]
    assert not posted(app, rows(["²", figure_years()[1]]), FiguresForm)[0]  # not a 500 either
    assert not posted(app, rows([1999, 2000]), FiguresForm)[0]


def test_criteria_groups_and_rows_are_bounded(app):
    def groups(count: int, criteria: int = 1) -> dict:
        data = {}
        for g in range(count):
            data |= {
                f"groups-{g}-code": f"G{g}",
                f"groups-{g}-name_vi": "Nhóm",
                f"groups-{g}-name_en": "Group",
            }
            new = f"groups-{g}-new_criterion"
            data |= {
                f"{new}-code": "N",
                f"{new}-name_vi": "Mới",
                f"{new}-name_en": "New",
                f"{new}-max_points": "1",
            }
            for c in range(criteria):
                prefix = f"groups-{g}-criteria-{c}"
                data |= {
                    f"{prefix}-code": f"C{c}",
                    f"{prefix}-name_vi": "Tiêu chí",
                    f"{prefix}-name_en": "Criterion",
                    f"{prefix}-max_points": "1",
                }
        return data

    assert posted(app, groups(4, 3), CriteriaForm)[0]
    valid, errors = posted(app, groups(21), CriteriaForm)
    assert not valid and "at most 20" in errors
    valid, errors = posted(app, groups(1, 41), CriteriaForm)
    assert not valid and "at most 40" in errors


def _choice(id_: int) -> Criterion:
    return Criterion(id=id_, code=f"C{id_}", name_vi="Tiêu chí", name_en="")


class _Member:
    def __init__(self, user_id):
        self.user_id = user_id
        self.user = type("U", (), {"full_name": "Ủy viên"})()


def test_multi_selects_refuse_repeated_choices(app):
    criteria = [_choice(1), _choice(2)]
    ok = {"member_7": ["1", "2"]}
    assert posted(app, ok, lambda: criterion_assignment_form([_Member(7)], criteria, {}))[0]
    repeated = MultiDict([("member_7", "1")] * 900)
    valid, errors = posted(app, repeated, lambda: criterion_assignment_form([_Member(7)], criteria, {}))
    assert not valid and "more than once" in errors


def test_decision_checkboxes_refuse_repeated_dossiers(app, make):
    application = make.application()
    data = MultiDict(
        [("decision-application_ids", str(application.id))] * 500
        + [("decision-decision_number", "1/QĐ-UBND"), ("decision-decision_date", "2031-01-15")]
    )
    valid, errors = posted(app, data, lambda: DecisionForm([application], prefix="decision"))
    assert not valid and "more than once" in errors


@pytest.mark.parametrize(("lines", "ok"), [(20, True), (21, False)])
def test_legal_bases_are_at_most_twenty_lines(app, lines, ok):
    data = {
        "programme_id": "1", "year": "2031", "title": "Vòng", "opens_on": "2031-01-01",
        "closes_on": "2031-12-31", "status": "draft", "vetting_body": "unit", "vetting_working_days": "10",
        "max_supplement_requests": "1", "supplement_working_days": "10", "supplement_expiry": "remind",
        "reviewers_per_dossier": "3", "pass_threshold": "70", "top_n": "10", "spread_flag_points": "20",
        "certificate_validity_months": "36", "min_revenue_high_tech_vnd": "1", "min_revenue_other_vnd": "1",
        "min_exports_handicraft_usd": "1",
        "legal_bases": "\n".join(f"Quyết định {i}/QĐ-UBND" for i in range(lines)),
    }  # fmt: skip
    programme = Programme(id=1, name_vi="Chương trình", name_en="")
    valid, errors = posted(app, data, lambda: RoundForm([programme]))
    assert valid is ok, errors
    if not ok:
        assert "at most 20" in errors


def test_eleven_certification_rows_through_http_show_the_bound_and_keep_the_rows(app, make):
    application = make.application()
    applicant = client_for(app, make.applicant_of(application))
    applicant.get("/lang/en")
    response = applicant.post(
        f"/applicant/applications/{application.id}/quality", data=certification_rows(11)
    )
    assert response.status_code == 200
    assert "At most 10 entries are accepted here; 11 were sent." in response.text
    assert 'value="ISO 9010"' in response.text
