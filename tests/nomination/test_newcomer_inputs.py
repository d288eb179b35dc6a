"""What a newcomer trips on (issue 16), through HTTP: a nameless new product, links made of an empty
name, the registration's unit and tax code, a body over the upload limit, an expired certification."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from recognition import clock
from recognition.accounts.models import AdministrativeUnit, Enterprise, Role, Sector
from recognition.cases.models import Application, Certification, Document, Product
from recognition.extensions import db
from recognition.i18n import or_unnamed
from recognition.rounds.models import VettingBody
from tests.conftest import fire
from tests.security import client_for

MB = 1024 * 1024


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def english(client):
    client.get("/lang/en")
    return client


# --- a new product needs a name; a link never lacks text ---------------------------------------------


@pytest.mark.parametrize("name", ["", "   "])
def test_a_new_product_without_a_name_is_refused_keeping_the_choices(login_as, make, name):
    make.round()
    chosen = make.round()
    applicant = english(login_as(Role.applicant))
    response = applicant.post(
        "/applicant/applications/new", data={"round_id": chosen.id, "product_id": "0", "product_name": name}
    )
    assert response.status_code == 200
    assert "Name the new product." in response.text
    assert f'<option selected value="{chosen.id}">' in response.text
    assert (count(Application), count(Product)) == (0, 0)


def test_an_existing_product_needs_no_new_name(login_as, make):
    application = make.application()
    applicant = login_as(Role.applicant, enterprise=application.enterprise)
    response = applicant.post(
        "/applicant/applications/new",
        data={"round_id": make.round().id, "product_id": application.product_id, "product_name": ""},
    )
    assert response.status_code == 302
    assert count(Application) == 2


def test_a_nameless_draft_is_linked_by_a_visible_text(login_as, make):
    application = make.application(complete=False)
    application.product.name = ""
    db.session.commit()
    applicant = english(login_as(Role.applicant, enterprise=application.enterprise))
    home = applicant.get("/applicant/").text
    assert f'href="/applicant/applications/{application.id}">(no name)</a>' in home
    assert f'href="/applicant/applications/{application.id}"></a>' not in home


def test_or_unnamed_falls_back_to_the_code_then_to_no_name(app):
    with app.test_request_context():
        assert or_unnamed("Máy biến áp", "SCT-1") == "Máy biến áp"
        assert or_unnamed(" ", "SCT-260101-0001") == "SCT-260101-0001"
        assert or_unnamed(None, "") != ""


# --- registration: no unit chosen for the newcomer; the tax code's check digit -------------------------


@pytest.fixture
def registration(reference):
    return {
        "enterprise_name": "Công ty TNHH Cơ khí Sóc Sơn",
        "tax_code": "0101234565",
        "address": "Thôn Đông, xã Sóc Sơn",
        "unit_id": str(
            db.session.scalar(select(AdministrativeUnit.id).where(AdministrativeUnit.code == "X-DONGANH"))
        ),
        "sector_id": str(db.session.scalar(select(Sector.id).where(Sector.code == "CK"))),
        "full_name": "Ngô Văn Sơn",
        "email": "son@cokhisocson.vn",
        "password": "a long password",
        "confirm": "a long password",
    }


def test_registration_starts_with_no_unit_and_no_sector_chosen(client, reference):
    page = client.get("/register").text
    for field in ("unit_id", "sector_id"):
        select_html = page.split(f'id="{field}"', 1)[1].split("</select>", 1)[0]
        assert '<option selected value="">' in select_html
        assert select_html.count("selected") == 1


@pytest.mark.parametrize(
    ("field", "message"),
    [("unit_id", "Choose the administrative unit of the head office."), ("sector_id", "Choose the sector.")],
)
def test_registration_without_a_choice_is_refused_keeping_what_was_typed(
    client, registration, field, message
):
    english(client)
    response = client.post("/register", data={**registration, field: ""})
    assert response.status_code == 200
    assert message in response.text
    assert 'value="Công ty TNHH Cơ khí Sóc Sơn"' in response.text
    assert count(Enterprise) == 0


def test_registration_refuses_an_all_zero_tax_code(client, registration):
    english(client)
    response = client.post("/register", data={**registration, "tax_code": "0000000000"})
    assert "check digit" in response.text
    assert 'value="0000000000"' in response.text
    assert count(Enterprise) == 0


# --- a body over the upload limit --------------------------------------------------------------------


@pytest.fixture
def draft(app, make):
    application = make.application(complete=False)
    return application, english(client_for(app, make.applicant_of(application)))


def post_too_large(client, path: str, **headers):
    """A body declared far over MAX_CONTENT_LENGTH: refused before it is read."""
    return client.post(
        path,
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        headers=headers,
        environ_overrides={"CONTENT_LENGTH": str(1024 * MB)},
    )


def test_an_upload_over_the_limit_gets_the_documents_page_with_the_limit(app, draft):
    application, applicant = draft
    path = f"/applicant/applications/{application.id}/documents"
    response = post_too_large(applicant, path)
    assert response.status_code == 413
    limit = app.config["UPLOAD_MAX_BYTES"] // MB
    assert f"The file is larger than {limit} MB. Nothing was saved: choose a smaller file." in response.text
    assert 'enctype="multipart/form-data"' in response.text and 'name="file"' in response.text
    assert count(Document) == 0
    assert "Nothing was saved" not in applicant.get(path).text  # the message was shown once


def test_the_page_after_an_upload_over_the_limit_keeps_its_own_checks(app, make, draft):
    application, _applicant = draft
    path = f"/applicant/applications/{application.id}/documents"
    anonymous = post_too_large(app.test_client(), path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    stranger = client_for(app, make.user(Role.applicant))
    assert post_too_large(stranger, path).status_code == 404


def test_a_form_with_no_page_of_its_own_gets_the_limit_and_a_way_back(app, make):
    application = make.application()
    fire(application, "submit", make.applicant_of(application))
    officer = english(client_for(app, make.officer_of(application)))
    dossier = f"http://localhost/unit/dossiers/{application.id}"
    response = post_too_large(officer, f"/unit/dossiers/{application.id}/start", Referer=dossier)
    assert response.status_code == 413
    assert "The file is larger than" in response.text
    assert f'href="/unit/dossiers/{application.id}">Back to the page you came from</a>' in response.text
    elsewhere = post_too_large(
        officer, f"/unit/dossiers/{application.id}/start", Referer="https://evil.example/"
    )
    assert "Back to the page you came from" not in elsewhere.text


# --- an expired certification, by Hanoi's calendar ---------------------------------------------------


@pytest.fixture
def hanoi_morning_of_11_march(monkeypatch):
    """01:00 on 11/03/2026 in Hanoi: still 10/03 in UTC (and on a server kept in UTC)."""
    monkeypatch.setattr(clock, "_now", lambda: datetime(2026, 3, 10, 18, 0, tzinfo=UTC))


def test_a_certification_expires_the_day_after_its_date_in_hanoi(hanoi_morning_of_11_march):
    assert Certification(expires_on=date(2026, 3, 10)).has_expired()
    assert not Certification(expires_on=date(2026, 3, 11)).has_expired()
    assert not Certification(expires_on=None).has_expired()


def test_the_secretariat_sees_the_expired_certification_on_the_dossier_and_in_its_queue(
    app, make, hanoi_morning_of_11_march
):
    application = make.application(round=make.round(vetting_body=VettingBody.secretariat))
    application.certifications.append(
        Certification(standard="ISO 9001:2015", number="Q-1", expires_on=date(2026, 3, 10))
    )
    db.session.commit()
    fire(application, "submit", make.applicant_of(application))
    secretariat = client_for(app, make.user(Role.secretariat))
    dossier = secretariat.get(f"/secretariat/dossiers/{application.id}").text
    badge = dossier.split('class="badge bg-danger certification-expired">', 1)[1].split("</span>", 1)[0]
    assert "10/03/2026" in badge  # the day in Vietnamese, the default language
    queue = secretariat.get("/secretariat/vetting/").text
    row = queue.split(application.receipt_code, 1)[1].split("</tr>", 1)[0]
    assert "certification-expired" in row
