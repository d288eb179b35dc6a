"""Issue 16, through HTTP: every refusal of a form comes on the first submit, beside its field, and
what was typed stays in the fields. The browser side is tests/browser/test_newcomer_validation_browser.py."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest

from recognition import clock
from recognition.accounts.models import Role
from recognition.cases.models import Application, State
from recognition.clock import local_today
from recognition.extensions import db
from recognition.honours.models import Objection
from tests.conftest import fire, login


def english_client(app, user):
    client = app.test_client()
    client.get("/lang/en")
    assert login(client, user).status_code == 302
    return client


def field_errors(html: str, field_id: str) -> list[str]:
    """The messages the form macro shows under the input with this id (before the next field)."""
    match = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*>', html)
    assert match, f"no input #{field_id}"
    block = re.split(r"<input|<label|<select|<textarea|</form>", html[match.end() :], maxsplit=1)[0]
    return [html_lib.unescape(m) for m in re.findall(r'class="invalid-feedback">([^<]*)<', block)]


def input_value(html: str, field_id: str) -> str | None:
    match = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*>', html)
    assert match, f"no input #{field_id}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else None


def state_of(application: Application) -> State:
    db.session.expire_all()
    return db.session.get(Application, application.id).state


@pytest.fixture
def vetting(app, make):
    application = make.application()
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    return application, english_client(app, officer)


def test_a_request_without_items_and_with_a_past_deadline_shows_both_at_once(vetting):
    application, officer = vetting
    past = (local_today() - timedelta(days=1)).isoformat()
    response = officer.post(
        f"/unit/dossiers/{application.id}/supplement",
        data={"items-0": "", "deadline": past, "version": application.version},
    )
    assert response.status_code == 200
    assert "List at least one missing item, each with a description." in response.text
    assert field_errors(response.text, "deadline") == ["Set a reply deadline after today."]
    assert input_value(response.text, "deadline") == past
    assert state_of(application) == State.vetting


def test_the_deadline_check_follows_hanoi_not_the_server(vetting, monkeypatch):
    """At 23:30 UTC it is already the next day in Hanoi: "tomorrow" by UTC is today there, refused."""
    application, officer = vetting
    utc_evening = clock.utcnow().replace(hour=23, minute=30)
    monkeypatch.setattr(clock, "_now", lambda: utc_evening)
    hanoi_today = local_today()
    assert hanoi_today == utc_evening.date() + timedelta(days=1)
    response = officer.post(
        f"/unit/dossiers/{application.id}/supplement",
        data={
            "items-0": "Giấy phép môi trường",
            "deadline": hanoi_today.isoformat(),
            "version": application.version,
        },
    )
    assert field_errors(response.text, "deadline") == ["Set a reply deadline after today."]


def test_a_site_visit_in_the_future_is_refused_at_the_field(vetting):
    application, officer = vetting
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    data = {
        "version": application.version, "site_visit_date": tomorrow, "eligibility_confirmed": "y",
        "business_registration_valid": "yes", "no_tax_arrears": "yes", "social_insurance_paid": "yes",
        "environmental_compliance": "yes", "no_violations": "yes", "recommendation": "Đề nghị xem xét",
    }  # fmt: skip
    response = officer.post(f"/unit/dossiers/{application.id}/endorse", data=data)
    assert response.status_code == 200
    assert field_errors(response.text, "site_visit_date") == [
        "The date of the site visit cannot be in the future."
    ]
    assert input_value(response.text, "site_visit_date") == tomorrow
    assert "Đề nghị xem xét" in response.text
    assert state_of(application) == State.vetting
    data["site_visit_date"] = local_today().isoformat()  # today is a day that has come
    assert officer.post(f"/unit/dossiers/{application.id}/endorse", data=data).status_code == 302
    assert state_of(application) == State.endorsed


DECISION = {"decision-decision_number": "2468/QĐ-UBND", "decision-decision_signer": "Phó Chủ tịch UBND TP"}


def test_a_decision_refused_by_a_guard_keeps_the_number_date_and_signer(app, make):
    round_ = make.round(reviewers_per_dossier=1)
    blocked, free = make.recommended(round_), make.recommended(round_)
    make.publish_results(round_)
    db.session.add(Objection(application_id=blocked.id, name="Lê Văn Cường", contact="cuong@example.vn",
                             text="Số liệu doanh thu chưa chính xác"))  # fmt: skip
    db.session.commit()
    secretariat = english_client(app, make.user(Role.secretariat))
    today = local_today().isoformat()
    response = secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/recognise",
        data={**DECISION, "decision-decision_date": today, "decision-application_ids": [blocked.id, free.id]},
    )
    assert response.status_code == 200
    assert "1 of 2 dossiers recognised." in response.text
    assert "The objection from Lê Văn Cường" in response.text
    assert input_value(response.text, "decision-decision_number") == "2468/QĐ-UBND"
    assert input_value(response.text, "decision-decision_date") == today
    assert input_value(response.text, "decision-decision_signer") == "Phó Chủ tịch UBND TP"
    assert (state_of(blocked), state_of(free)) == (State.recommended, State.recognised)


def test_a_decision_dated_tomorrow_is_refused_at_the_field(app, make):
    round_ = make.round(reviewers_per_dossier=1)
    application = make.recommended(round_)
    make.publish_results(round_)
    secretariat = english_client(app, make.user(Role.secretariat))
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/recognise",
        data={**DECISION, "decision-decision_date": tomorrow, "decision-application_ids": [application.id]},
    )
    assert response.status_code == 200
    assert field_errors(response.text, "decision-decision_date") == [
        "Enter the date of the city's decision (not in the future)."
    ]
    assert input_value(response.text, "decision-decision_number") == "2468/QĐ-UBND"
    assert state_of(application) == State.recommended


def test_a_negative_threshold_of_a_round_says_it_must_not_be_negative(app, make):
    round_ = make.round(year=2040)
    secretariat = english_client(app, make.user(Role.secretariat))
    data = {
        "programme_id": round_.programme_id, "year": 2040, "title": round_.title,
        "opens_on": round_.opens_on.isoformat(), "closes_on": round_.closes_on.isoformat(),
        "status": "open", "vetting_body": "unit", "vetting_working_days": 15, "max_supplement_requests": 1,
        "supplement_working_days": 10, "supplement_expiry": "remind", "reviewers_per_dossier": 3,
        "pass_threshold": 70, "top_n": 10, "spread_flag_points": 15, "certificate_validity_months": 36,
        "min_revenue_high_tech_vnd": "10.000.000.000", "min_revenue_other_vnd": "-100.000.000.000",
        "min_exports_handicraft_usd": "1.000.000",
    }  # fmt: skip
    response = secretariat.post(f"/secretariat/rounds/{round_.id}", data=data)
    assert response.status_code == 200
    assert field_errors(response.text, "min_revenue_other_vnd") == ["Must not be negative."]
    assert input_value(response.text, "min_revenue_other_vnd") == "-100.000.000.000"
