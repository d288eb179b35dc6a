"""Tax codes (mã số thuế): ASCII digits only after NFKC folding, and the check digit must match, so a
look-alike of a registered code cannot register its twin."""

import pytest
from sqlalchemy import func, select

from recognition.accounts.models import AdministrativeUnit, Enterprise, Sector, is_valid_tax_code
from recognition.extensions import db

REGISTERED = "0100233488"  # a real-shaped code whose 10th digit is the check digit of the first nine


@pytest.fixture
def form_data(reference):
    unit_id = db.session.scalar(select(AdministrativeUnit.id).where(AdministrativeUnit.code == "P-CAUGIAY"))
    sector_id = db.session.scalar(select(Sector.id).where(Sector.code == "DMDG"))
    return {
        "enterprise_name": "Công ty TNHH Sinh đôi",
        "tax_code": REGISTERED,
        "address": "12 Trần Thái Tông, Cầu Giấy",
        "unit_id": str(unit_id),
        "sector_id": str(sector_id),
        "full_name": "Đỗ Thị Hạnh",
        "email": "hanh@sinhdoi.vn",
        "password": "a long password",
        "confirm": "a long password",
    }


def enterprises() -> int:
    return db.session.scalar(select(func.count()).select_from(Enterprise))


@pytest.mark.parametrize(
    "code",
    ["0100233488", "0314409058", "0314409058-002", "0100100079", "0100101234"],
)
def test_codes_with_a_matching_check_digit_are_valid(code):
    assert is_valid_tax_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "0100233480",  # wrong check digit
        "0109876543",  # the first nine give 10: no code can end them
        "0100000001",  # no sequence number
        "0314409058-000",  # no branch 000
        "010023348８",  # fullwidth eight: only ASCII digits count
        "١٠٠٢٣٣٤٨٨",  # Arabic-Indic digits
        "0100233488\n",
    ],
)
def test_codes_without_a_matching_check_digit_or_ascii_digits_are_invalid(code):
    assert not is_valid_tax_code(code)


@pytest.mark.parametrize("twin", ["010023348８", "０１００２３３４８８", " 0100233488 ", "0100233488\u00a0"])
def test_look_alike_of_a_registered_code_is_caught_as_the_duplicate(client, form_data, make, twin):
    make.enterprise(tax_code=REGISTERED)
    client.get("/lang/en")
    form_data["tax_code"] = twin
    response = client.post("/register", data=form_data)
    assert response.status_code == 200
    assert "An enterprise with this tax code is already registered." in response.text
    assert enterprises() == 1


def test_fullwidth_code_registers_as_ascii(client, form_data):
    form_data["tax_code"] = "０３１４４０９０５８－００２"
    client.post("/register", data=form_data)
    assert db.session.scalars(select(Enterprise.tax_code)).all() == ["0314409058-002"]


@pytest.mark.parametrize("bad", ["0100233480", "0101234567", "١٠٠٢٣٣٤٨٨"])
def test_registration_refuses_a_wrong_check_digit_or_foreign_digits(client, form_data, bad):
    client.get("/lang/en")
    form_data["tax_code"] = bad
    response = client.post("/register", data=form_data)
    assert response.status_code == 200
    assert "is-invalid" in response.text
    assert f'value="{bad}"' in response.text  # what was typed is kept
    assert enterprises() == 0


def test_wrong_check_digit_has_its_own_message(client, form_data):
    client.get("/lang/en")
    form_data["tax_code"] = "0100233480"
    response = client.post("/register", data=form_data)
    assert "check digit" in response.text


def test_the_model_stores_the_folded_code_and_refuses_a_bad_one(make):
    enterprise = make.enterprise(tax_code="０１００２３３４８８")
    assert enterprise.tax_code == REGISTERED
    with pytest.raises(ValueError):
        make.enterprise(tax_code="0100233480")


def test_factory_and_demo_codes_are_valid(make):
    from recognition.cli import DEMO_ENTERPRISE

    codes = [make.enterprise().tax_code for _ in range(25)]
    assert all(is_valid_tax_code(code) for code in codes), codes
    assert len(set(codes)) == len(codes)
    assert is_valid_tax_code(DEMO_ENTERPRISE["tax_code"])


def test_create_user_finds_the_enterprise_by_a_look_alike_code(app, make):
    make.enterprise(tax_code=REGISTERED)
    result = app.test_cli_runner().invoke(
        args=[
            "create-user", "--email", "moi@example.vn", "--name", "Người Mới", "--role", "applicant",
            "--tax-code", "０１００２３３４８８", "--password", "a long password",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
