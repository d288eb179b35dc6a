"""`flask --app wsgi ...` commands: demo data, reference data, accounts."""

from __future__ import annotations

import click
from flask import Flask, current_app
from sqlalchemy import select

from recognition.accounts.models import AdministrativeUnit, Enterprise, Role, Sector, User
from recognition.accounts.reference import (
    HANOI_UNITS_CSV,
    UnitImportError,
    import_units,
    load_sectors,
)
from recognition.accounts.services import DuplicateError, create_user, grant_role
from recognition.cases.audit import verify_chains
from recognition.cases.workflow import mermaid_diagram
from recognition.extensions import db

DEMO_ENTERPRISE = {
    "name": "Công ty Cổ phần Cơ khí Đông Anh (demo)",
    "tax_code": "0100100079",
    "address": "Số 1 đường Cao Lỗ, xã Đông Anh, Hà Nội",
    "unit_code": "X-DONGANH",
    "sector_code": "CK",
}

# One account per role; the unit officer vets the demo enterprise's unit.
DEMO_ACCOUNTS = (
    ("applicant@demo.chuluc.vn", "Nguyễn Văn An", Role.applicant),
    ("officer@demo.chuluc.vn", "Trần Thị Bình", Role.unit_officer),
    ("council@demo.chuluc.vn", "Lê Minh Châu", Role.council_member),
    ("secretariat@demo.chuluc.vn", "Phạm Thu Dung", Role.secretariat),
    ("admin@demo.chuluc.vn", "Hoàng Quốc Em", Role.admin),
)


def seed_reference_data() -> None:
    with open(HANOI_UNITS_CSV, encoding="utf-8") as units_file:
        import_units(units_file.read())
    load_sectors()


def seed_demo_data(password: str) -> list[tuple[str, Role]]:
    """Reference data plus one account per role; returns the (email, role) pairs. Idempotent."""
    seed_reference_data()
    unit = db.session.scalar(
        select(AdministrativeUnit).where(AdministrativeUnit.code == DEMO_ENTERPRISE["unit_code"])
    )
    enterprise = db.session.scalar(
        select(Enterprise).where(Enterprise.tax_code == DEMO_ENTERPRISE["tax_code"])
    )
    if enterprise is None:
        sector = db.session.scalar(select(Sector).where(Sector.code == DEMO_ENTERPRISE["sector_code"]))
        enterprise = Enterprise(
            name=DEMO_ENTERPRISE["name"],
            tax_code=DEMO_ENTERPRISE["tax_code"],
            address=DEMO_ENTERPRISE["address"],
            unit=unit,
            sector=sector,
        )
        db.session.add(enterprise)
    for email, full_name, role in DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        user = create_user(email, password, full_name)
        grant_role(
            user,
            role,
            enterprise=enterprise if role == Role.applicant else None,
            unit=unit if role == Role.unit_officer else None,
        )
    db.session.flush()
    return [(email, role) for email, _name, role in DEMO_ACCOUNTS]


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load Hanoi's units, the sectors and one demo account per role, then print the logins."""
        password = current_app.config["DEMO_PASSWORD"]
        accounts = seed_demo_data(password)
        db.session.commit()
        click.echo(f"Demo accounts (password for all: {password})")
        for email, role in accounts:
            click.echo(f"  {role.value:<15} {email}")

    @app.cli.command("workflow-diagram")
    def workflow_diagram() -> None:
        """Print the application workflow as a Mermaid state diagram."""
        click.echo(mermaid_diagram(), nl=False)

    @app.cli.command("verify-audit")
    def verify_audit() -> None:
        """Recompute every application's audit hash chain; exit 1 and list the breaks if any."""
        breaks = verify_chains()
        for chain_break in breaks:
            click.echo(str(chain_break))
        if breaks:
            raise click.ClickException(f"{len(breaks)} break(s) in the audit trail")
        click.echo("audit trail intact")

    @app.cli.command("seed-reference")
    def seed_reference() -> None:
        """Load Hanoi's administrative units and the sectors (safe to run again)."""
        seed_reference_data()
        db.session.commit()
        click.echo("reference data loaded")

    @app.cli.command("import-units")
    @click.argument("csv_file", type=click.File(encoding="utf-8"))
    def import_units_command(csv_file) -> None:
        """Load or update administrative units from a CSV file (see README for the columns)."""
        try:
            count = import_units(csv_file.read())
        except UnitImportError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(f"{count} units loaded")

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", "full_name", required=True)
    @click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
    @click.option("--unit-code", help="for unit officers: the unit they vet")
    @click.option("--tax-code", help="for applicants: the enterprise they act for")
    @click.password_option()
    def create_user_command(email, full_name, role, unit_code, tax_code, password) -> None:
        """Create an account for a real deployment (the password is asked twice, not echoed)."""
        role = Role(role)
        unit = enterprise = None
        if role == Role.unit_officer:
            unit = db.session.scalar(select(AdministrativeUnit).where(AdministrativeUnit.code == unit_code))
            if unit is None:
                raise click.BadParameter("a unit officer needs an existing --unit-code")
        if role == Role.applicant:
            enterprise = db.session.scalar(select(Enterprise).where(Enterprise.tax_code == tax_code))
            if enterprise is None:
                raise click.BadParameter("an applicant needs an existing enterprise --tax-code")
        try:
            user = create_user(email, password, full_name)
        except DuplicateError as error:
            raise click.ClickException("an account with this e-mail already exists") from error
        grant_role(user, role, enterprise=enterprise, unit=unit)
        db.session.commit()
        click.echo(f"created {user.email} ({role.value})")
