"""Enterprise self-registration: the happy path, the confirmation link, every refusal, in both
languages; and that it never tells whether an e-mail has an account."""

import logging

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from recognition.accounts import models as account_models
from recognition.accounts import services as account_services
from recognition.accounts.models import AdministrativeUnit, Enterprise, Role, Sector, User
from recognition.cases.models import Notification
from recognition.extensions import db
from tests.conftest import confirm_and_log_in, confirmation_link, login

# Codes with a valid check digit, for registrations beside the form's own.
OTHER_CODES = ("0101234572", "0101234597", "0101234607", "0101234614")


@pytest.fixture
def form_data(reference):
    unit_id = db.session.scalar(select(AdministrativeUnit.id).where(AdministrativeUnit.code == "P-CAUGIAY"))
    sector_id = db.session.scalar(select(Sector.id).where(Sector.code == "DMDG"))
    return {
        "enterprise_name": "Công ty TNHH Dệt may Thăng Long",
        "tax_code": "0101234565",
        "address": "12 Trần Thái Tông, Cầu Giấy",
        "unit_id": str(unit_id),
        "sector_id": str(sector_id),
        "full_name": "Đỗ Thị Hạnh",
        "email": "hanh@detmay.vn",
        "password": "a long password",
        "confirm": "a long password",
    }


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_registration_creates_the_enterprise_and_an_unconfirmed_applicant(client, form_data):
    client.get("/lang/en")
    response = client.post("/register", data=form_data)
    assert response.status_code == 200
    assert "We have sent a link to hanh@detmay.vn to confirm the address." in response.text
    user = db.session.scalar(select(User).where(User.email == "hanh@detmay.vn"))
    assert user.roles == {Role.applicant} and user.email_confirmed_at is None
    assert db.session.get(Enterprise, next(iter(user.enterprise_ids))).tax_code == form_data["tax_code"]
    assert client.get("/applicant/").status_code == 302  # not logged in


def test_an_unconfirmed_account_cannot_log_in_until_the_link_is_opened(client, form_data):
    client.get("/lang/en")
    client.post("/register", data=form_data)
    refused = login(client, "hanh@detmay.vn", "a long password")
    assert refused.status_code == 200
    assert "Confirm your e-mail address first" in refused.text
    link = confirmation_link("hanh@detmay.vn")
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my address" in page.text
    assert db.session.scalar(select(User.email_confirmed_at)) is None  # GET changes nothing
    confirm_and_log_in(client, "hanh@detmay.vn", "a long password")
    assert "Công ty TNHH Dệt may Thăng Long" in client.get("/applicant/").text


def test_the_link_is_single_use_signed_and_expires(app, client, form_data, monkeypatch):
    client.get("/lang/en")
    client.post("/register", data=form_data)
    link = confirmation_link("hanh@detmay.vn")
    forged = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert "not valid" in client.post(forged).text
    assert db.session.scalar(select(User.email_confirmed_at)) is None
    later = account_services.CONFIRMATION_MAX_AGE + 60
    real_time = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real_time(self) + later)
    # The session cookie expires too (same signer), so the page falls back to Vietnamese.
    assert "Đường dẫn xác nhận này không hợp lệ" in client.post(link).text
    monkeypatch.undo()
    assert client.post(link).status_code == 302
    assert db.session.scalar(select(User.email_confirmed_at)) is not None
    assert "not valid" in client.post(link).text  # used once already


def test_outside_production_the_confirmation_link_is_logged(client, form_data, caplog):
    with caplog.at_level(logging.WARNING, logger="recognition"):
        client.post("/register", data=form_data)
    assert any(confirmation_link("hanh@detmay.vn") in record.getMessage() for record in caplog.records)


def test_a_taken_email_gets_exactly_the_answer_a_fresh_one_gets(client, form_data, make):
    owner = make.user(Role.admin, email="owner@detmay.vn")
    client.get("/lang/en")
    fresh = client.post("/register", data={**form_data, "email": "other@detmay.vn"})
    taken = client.post(
        "/register", data={**form_data, "tax_code": OTHER_CODES[0], "email": "OWNER@detmay.vn"}
    )
    assert taken.status_code == fresh.status_code == 200
    assert taken.text.replace("OWNER@detmay.vn", "X") == fresh.text.replace("other@detmay.vn", "X")
    assert count(Enterprise) == 1  # nothing made for the taken address
    notice = db.session.scalars(select(Notification).where(Notification.recipient_user_id == owner.id)).one()
    assert notice.event == "registration_attempt" and notice.application_id is None
    assert notice.payload["login_url"].endswith("/login")


def test_both_paths_cost_one_password_hash(client, form_data, make, monkeypatch):
    make.user(Role.admin, email="owner@detmay.vn")
    calls = []

    def counting(real):
        return lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs)

    for module in (account_models, account_services):
        monkeypatch.setattr(module, "generate_password_hash", counting(module.generate_password_hash))
    client.post("/register", data={**form_data, "email": "fresh@detmay.vn"})
    fresh, calls[:] = len(calls), []
    client.post("/register", data={**form_data, "tax_code": OTHER_CODES[0], "email": "owner@detmay.vn"})
    assert fresh == len(calls) == 1


def test_registrations_are_limited_per_client(app, client, form_data, monkeypatch, frozen_clock):
    monkeypatch.setitem(app.config, "REGISTRATIONS_PER_HOUR", 2)
    statuses = [
        client.post("/register", data={**form_data, "tax_code": code, "email": f"u{i}@detmay.vn"}).status_code
        for i, code in enumerate(OTHER_CODES[:3])
    ]
    assert statuses == [200, 200, 429]
    assert count(Enterprise) == 2
    other = client.post(
        "/register",
        data={**form_data, "tax_code": OTHER_CODES[3], "email": "u9@detmay.vn"},
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
    )
    assert other.status_code == 200 and count(Enterprise) == 3


def test_branch_tax_code_is_accepted(client, form_data):
    form_data["tax_code"] = "0101234565-001"
    assert client.post("/register", data=form_data).status_code == 200
    assert count(Enterprise) == 1


def test_form_offers_only_units_valid_today(client, form_data):
    html = client.get("/register").text
    assert "Xã Đông Anh" in html
    assert "Huyện Đông Anh" not in html  # dissolved on 30/06/2025


def assert_refused_keeping_fields(response, form_data, field_message, skip=()):
    assert response.status_code == 200
    assert field_message in response.text
    for name in ("enterprise_name", "address", "full_name", "email", "tax_code"):
        if name not in skip:
            assert f'value="{form_data[name]}"' in response.text, name
    assert 'value="a long password"' not in response.text  # passwords are never echoed
    assert count(Enterprise) == 0 or "tax_code" in skip or "email" in skip


@pytest.mark.parametrize("bad", ["012345678", "01234567890", "0123456789-01", "abcdefghij", "0123 456789"])
def test_malformed_tax_code_is_refused(client, form_data, bad):
    form_data["tax_code"] = bad
    response = client.post("/register", data=form_data)
    assert_refused_keeping_fields(
        response, form_data, "Mã số thuế gồm 10 chữ số, có thể kèm dấu gạch ngang và 3 chữ số."
    )
    assert count(User) == 0


def test_malformed_tax_code_message_in_english(client, form_data):
    client.get("/lang/en")
    form_data["tax_code"] = "123"
    response = client.post("/register", data=form_data)
    assert_refused_keeping_fields(
        response, form_data, "A tax code has 10 digits, optionally followed by a dash and 3 digits."
    )


def test_duplicate_tax_code_is_refused(client, form_data, make):
    make.enterprise(tax_code="0101234565")
    response = client.post("/register", data=form_data)
    assert_refused_keeping_fields(
        response, form_data, "Doanh nghiệp có mã số thuế này đã được đăng ký.", skip=("tax_code",)
    )
    assert count(User) == 0


def test_mismatched_passwords_are_refused(client, form_data):
    form_data["confirm"] = "another password"
    response = client.post("/register", data=form_data)
    assert_refused_keeping_fields(response, form_data, "Hai mật khẩu không khớp nhau.")
    assert count(User) == 0


def test_mismatched_passwords_message_in_english(client, form_data):
    client.get("/lang/en")
    form_data["confirm"] = "another password"
    assert "The passwords do not match." in client.post("/register", data=form_data).text


def test_missing_field_says_required_in_vietnamese(client, form_data):
    form_data["address"] = ""
    response = client.post("/register", data=form_data)
    assert "Trường này là bắt buộc." in response.text
    assert 'value="Công ty TNHH Dệt may Thăng Long"' in response.text


def test_unit_outside_the_list_is_refused(client, form_data):
    form_data["unit_id"] = "999999"
    response = client.post("/register", data=form_data)
    assert response.status_code == 200
    assert "Lựa chọn không hợp lệ." in response.text
    assert count(Enterprise) == 0
