"""Enterprise self-registration: the happy path and every refusal, in both languages."""

import pytest
from sqlalchemy import func, select

from recognition.accounts.models import AdministrativeUnit, Enterprise, Role, Sector, User
from recognition.extensions import db


@pytest.fixture
def form_data(reference):
    unit_id = db.session.scalar(select(AdministrativeUnit.id).where(AdministrativeUnit.code == "P-CAUGIAY"))
    sector_id = db.session.scalar(select(Sector.id).where(Sector.code == "DMDG"))
    return {
        "enterprise_name": "Công ty TNHH Dệt may Thăng Long",
        "tax_code": "0101234567",
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


def test_registration_creates_the_enterprise_and_its_applicant(client, form_data):
    response = client.post("/register", data=form_data)
    assert response.status_code == 302
    assert response.location == "/applicant/"
    home = client.get("/applicant/").text
    assert "Công ty TNHH Dệt may Thăng Long" in home
    user = db.session.scalar(select(User).where(User.email == "hanh@detmay.vn"))
    assert user.roles == {Role.applicant}
    assert db.session.get(Enterprise, next(iter(user.enterprise_ids))).tax_code == "0101234567"


def test_branch_tax_code_is_accepted(client, form_data):
    form_data["tax_code"] = "0101234567-001"
    assert client.post("/register", data=form_data).status_code == 302


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
    make.enterprise(tax_code="0101234567")
    response = client.post("/register", data=form_data)
    assert_refused_keeping_fields(
        response, form_data, "Doanh nghiệp có mã số thuế này đã được đăng ký.", skip=("tax_code",)
    )
    assert count(User) == 0


def test_duplicate_email_in_another_case_is_refused(client, form_data, make):
    make.user(Role.admin, email="hanh@detmay.vn")
    form_data["email"] = "HANH@DetMay.VN"
    response = client.post("/register", data=form_data)
    assert_refused_keeping_fields(
        response, form_data, "Đã có tài khoản dùng thư điện tử này.", skip=("email",)
    )
    assert count(Enterprise) == 0


def test_duplicate_email_message_in_english(client, form_data, make):
    make.user(Role.admin, email="hanh@detmay.vn")
    client.get("/lang/en")
    response = client.post("/register", data=form_data)
    assert "An account with this e-mail already exists." in response.text


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
