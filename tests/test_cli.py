"""The flask commands: demo data, units import, account creation, the development server."""

import subprocess
from pathlib import Path

from sqlalchemy import func, select

from recognition import cli
from recognition.accounts.models import AdministrativeUnit, Role, Sector, UnitLevel, User
from recognition.extensions import db
from tests.conftest import login


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_loads_units_sectors_and_one_account_per_role(app, client):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--no-history"])
    assert result.exit_code == 0, result.output
    assert "Demo@2026" in result.output
    for role in Role:
        assert role.value in result.output
    districts = db.session.scalars(
        select(AdministrativeUnit).where(AdministrativeUnit.level.in_([UnitLevel.district, UnitLevel.town]))
    ).all()
    assert len(districts) == 30
    assert all(str(u.valid_to) == "2025-06-30" for u in districts)
    assert count(Sector) == 8
    users = db.session.scalars(select(User)).all()
    assert sorted(r.value for u in users for r in u.roles) == sorted(r.value for r in Role)
    assert login(client, "officer@demo.chuluc.vn", "Demo@2026").location == "/unit/"


def test_seed_demo_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-demo", "--no-history"])
    before = (count(User), count(AdministrativeUnit), count(Sector))
    result = runner.invoke(args=["seed-demo", "--no-history"])
    assert result.exit_code == 0
    assert (count(User), count(AdministrativeUnit), count(Sector)) == before


def test_new_wards_name_their_old_districts(app):
    app.test_cli_runner().invoke(args=["seed-demo", "--no-history"])
    ward = db.session.scalar(select(AdministrativeUnit).where(AdministrativeUnit.code == "P-HOANKIEM"))
    # Resolution 1656/NQ-UBTVQH15 art. 1.1: Hoàn Kiếm's wards and part of Điện Biên (quận Ba Đình).
    assert sorted(p.name for p in ward.predecessors) == ["Quận Ba Đình", "Quận Hoàn Kiếm"]
    assert ward.parent.name == "Thành phố Hà Nội"


def test_import_units_from_csv(app, tmp_path, reference):
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(
        "code,name,level,parent_code,valid_from,valid_to,predecessor_codes\n"
        "X-BAVI,Xã Ba Vì,commune,01,2025-07-01,,271\n"
        "P-HOANKIEM,Phường Hoàn Kiếm (sửa),ward,01,2025-07-01,,002\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["import-units", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "2 units loaded" in result.output
    names = set(db.session.scalars(select(AdministrativeUnit.name)))
    assert {"Xã Ba Vì", "Phường Hoàn Kiếm (sửa)"} <= names
    assert "Phường Hoàn Kiếm" not in names


def test_import_units_reports_the_bad_line_and_loads_nothing(app, tmp_path, reference):
    before = count(AdministrativeUnit)
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(
        "code,name,level,parent_code,valid_from,valid_to,predecessor_codes\n"
        "X-NEW1,Xã Mới,commune,01,2025-07-01,,\n"
        "X-NEW2,Xã Mới 2,commune,01,01/07/2025,,\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["import-units", str(csv_file)])
    assert result.exit_code != 0
    assert "line 3" in result.output
    assert count(AdministrativeUnit) == before


def test_create_user_for_a_unit_officer(app, reference, client):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "--email",
            "Can.Bo@HaDong.gov.vn",
            "--name",
            "Vũ Văn Giang",
            "--role",
            "unit_officer",
            "--unit-code",
            "P-HADONG",
        ],
        input="a long password\na long password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "can.bo@hadong.gov.vn"))
    assert user.roles == {Role.unit_officer}
    assert login(client, "can.bo@hadong.gov.vn", "a long password").location == "/unit/"


def test_create_user_refuses_an_officer_without_a_unit(app, reference):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", "x@y.vn", "--name", "X", "--role", "unit_officer"],
        input="a long password\na long password\n",
    )
    assert result.exit_code != 0
    assert count(User) == 0


def test_seed_demo_opens_this_years_round_of_both_programmes(app):
    from recognition.clock import local_today
    from recognition.review.models import Criterion
    from recognition.rounds.models import Programme, Round, RoundStatus

    app.test_cli_runner().invoke(args=["seed-demo", "--no-history"])
    app.test_cli_runner().invoke(args=["seed-demo", "--no-history"])
    assert sorted(db.session.scalars(select(Programme.code))) == ["CNCL", "CNHT"]
    rounds = {r.programme.code: r for r in db.session.scalars(select(Round))}
    assert sorted(rounds) == ["CNCL", "CNHT"]
    assert {(r.year, r.status) for r in rounds.values()} == {(local_today().year, RoundStatus.open)}
    key_products, supporting = rounds["CNCL"], rounds["CNHT"]
    assert key_products.target_products_min == 25
    assert "496/QĐ-UBND" in key_products.legal_basis_lines[0]
    assert (key_products.outcome, key_products.vetting_report, key_products.support_areas) == (
        "certificate",
        "checklist",
        [],
    )
    # The supporting-industries round: selection for support after a unit's survey, open to any firm.
    assert (supporting.outcome, supporting.vetting_report, supporting.vetting_body) == (
        "selection",
        "survey",
        "unit",
    )
    assert set(supporting.support_areas) == {
        "standards", "supply_chain", "technology", "training", "trade_promotion",
    }  # fmt: skip
    assert supporting.required_documents == [
        "registration_form", "business_registration", "quality_certificates", "product_description",
    ]  # fmt: skip
    assert (
        supporting.min_revenue_high_tech_vnd,
        supporting.min_revenue_other_vnd,
        supporting.min_exports_handicraft_usd,
    ) == (0, 0, 0)
    assert "111/2015/NĐ-CP" in supporting.legal_basis_lines[0]
    criteria = db.session.scalars(select(Criterion).where(Criterion.round_id == supporting.id)).all()
    assert sum(c.max_points for c in criteria) == 100
    assert "Tỷ lệ nội địa hóa" in {c.name_vi for c in criteria}
    key_criteria = db.session.scalars(select(Criterion.name_vi).where(Criterion.round_id == key_products.id))
    assert "Thương hiệu" in set(key_criteria)


def test_make_run_serves_on_the_port_asked_for_and_prints_the_logins_last(app, monkeypatch):
    """`make run PORT=8080`: migrate, seed without the logins, then serve, which prints them last."""
    root = Path(__file__).resolve().parents[1]
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8080"], cwd=root, capture_output=True, text=True, check=True
    )
    steps = [line for line in dry_run.stdout.splitlines() if "flask" in line]
    assert steps[-3:] == [
        ".venv/bin/flask --app wsgi db upgrade",
        ".venv/bin/flask --app wsgi seed-demo --no-logins",
        ".venv/bin/flask --app wsgi serve --host 127.0.0.1 --port 8080",
    ]

    class Server:
        server_port = 8080
        serve_forever = server_close = staticmethod(lambda: None)

    monkeypatch.setattr(cli, "make_server", lambda host, port, app, threaded: Server())
    runner = app.test_cli_runner()
    seeded = runner.invoke(args=["seed-demo", "--no-history", "--no-logins"])
    assert seeded.exit_code == 0 and "Demo accounts" not in seeded.output
    served = runner.invoke(args=["serve", "--port", "8080"])
    assert served.exit_code == 0, served.output
    lines = served.output.splitlines()
    assert lines[0].startswith("Serving http://127.0.0.1:8080/")
    assert lines[1] == "Demo accounts (password for all: Demo@2026)"
    assert [line.split()[-1] for line in lines[2:]] == [email for email, _name, _role in cli.DEMO_ACCOUNTS]
