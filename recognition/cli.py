"""`flask --app wsgi ...` commands: demo data, reference data, accounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TextIO

import click
from flask import Flask, current_app
from sqlalchemy import select
from werkzeug.serving import make_server

from recognition.accounts.models import AdministrativeUnit, Enterprise, Role, Sector, User, normalise_tax_code
from recognition.accounts.reference import (
    HANOI_UNITS_CSV,
    UnitImportError,
    import_units,
    load_sectors,
)
from recognition.accounts.services import DuplicateError, create_user, grant_role
from recognition.cases.audit import verify_anchor_export, verify_chains
from recognition.cases.sweep import sweep
from recognition.cases.workflow import mermaid_diagram
from recognition.clock import local_today
from recognition.demo import EXTRA_COUNCIL, seed_demo_rounds
from recognition.extensions import db
from recognition.notifications.jobs import run_worker
from recognition.notifications.outbox import drain
from recognition.reports.support_models import SupportKind
from recognition.review.rubric import apply_default_rubric
from recognition.review.services import add_council_member
from recognition.rounds.models import (
    DocumentKind,
    Programme,
    Round,
    RoundOutcome,
    RoundStatus,
    VettingBody,
    VettingReportKind,
)
from recognition.supporting.demo import seed_demo_register
from recognition.supporting.reference import load_supporting_sectors

DEMO_ENTERPRISE = {
    "name": "Công ty Cổ phần Cơ khí Đông Anh (demo)",
    "tax_code": "0100100079",
    "address": "Số 1 đường Cao Lỗ, xã Đông Anh, Hà Nội",
    "unit_code": "X-DONGANH",
    "sector_code": "CK",
}

DEMO_SECRETARIAT = "secretariat@demo.chuluc.vn"
# One account per role; the unit officer vets the demo enterprise's unit.
DEMO_ACCOUNTS = (
    ("applicant@demo.chuluc.vn", "Nguyễn Văn An", Role.applicant),
    ("officer@demo.chuluc.vn", "Trần Thị Bình", Role.unit_officer),
    ("council@demo.chuluc.vn", "Lê Minh Châu", Role.council_member),
    (DEMO_SECRETARIAT, "Phạm Thu Dung", Role.secretariat),
    ("admin@demo.chuluc.vn", "Hoàng Quốc Em", Role.admin),
)


def seed_reference_data() -> None:
    with open(HANOI_UNITS_CSV, encoding="utf-8") as units_file:
        import_units(units_file.read())
    load_sectors()
    load_supporting_sectors()


PROGRAMMES = (
    {
        "code": "CNCL",
        "name_vi": "Sản phẩm công nghiệp chủ lực thành phố Hà Nội",
        "name_en": "Hanoi key industrial products",
        "outcome_vi": "Được công nhận là sản phẩm công nghiệp chủ lực",
        "outcome_en": "Recognised as a key industrial product",
    },
    {
        "code": "CNHT",
        "name_vi": "Chương trình phát triển công nghiệp hỗ trợ (Kế hoạch 35/KH-UBND)",
        "name_en": "Supporting industries programme (Plan 35/KH-UBND)",
        "outcome_vi": "Được lựa chọn tham gia chương trình hỗ trợ",
        "outcome_en": "Selected for the supporting-industries programme",
        "target_firms": 920,
        "target_certified_firms": 300,
        "target_output_share_percent": Decimal("16"),
        "target_index_growth_percent": Decimal("11"),
    },
)

DEMO_ROUND_LEGAL_BASES = "\n".join(
    (
        "Quyết định 496/QĐ-UBND ngày 26/01/2018 phê duyệt Đề án phát triển sản phẩm công nghiệp chủ lực",
        "Quyết định 2022/QĐ-UBND ngày 07/04/2023 sửa đổi, bổ sung Đề án",
        "Quyết định 2023/QĐ-UBND ngày 07/04/2023 ban hành Quy chế hoạt động của Hội đồng",
        "Hướng dẫn 1520/HD-SCT năm 2019 của Sở Công Thương",
    )
)


SUPPORTING_ROUND_LEGAL_BASES = "\n".join(
    (
        "Nghị định 111/2015/NĐ-CP ngày 03/11/2015 của Chính phủ về phát triển công nghiệp hỗ trợ",
        "Quyết định 10/2017/QĐ-TTg ngày 03/4/2017 ban hành Quy chế quản lý và thực hiện"
        " Chương trình phát triển công nghiệp hỗ trợ",
        "Kế hoạch 35/KH-UBND ngày 27/01/2022 của UBND Thành phố về phát triển công nghiệp hỗ trợ",
    )
)


def _round_settings(year: int) -> dict[str, dict]:
    """This year's open round of each programme, vetted by the units: the key-products recognition,
    and the supporting-industries selection for support (surveyed; no revenue floor: any firm applies)."""
    return {
        "CNCL": dict(
            title=f"Xét chọn sản phẩm công nghiệp chủ lực thành phố Hà Nội năm {year}",
            legal_bases=DEMO_ROUND_LEGAL_BASES,
            target_products_min=25,
            target_products_max=30,
            target_enterprises_min=20,
            target_enterprises_max=25,
        ),
        "CNHT": dict(
            title=f"Lựa chọn doanh nghiệp tham gia Chương trình phát triển công nghiệp hỗ trợ năm {year}",
            legal_bases=SUPPORTING_ROUND_LEGAL_BASES,
            outcome=RoundOutcome.selection,
            vetting_report=VettingReportKind.survey,
            support_areas=[
                kind.value
                for kind in (
                    SupportKind.trade_promotion,
                    SupportKind.technology,
                    SupportKind.training,
                    SupportKind.standards,
                    SupportKind.supply_chain,
                )
            ],
            required_documents=[
                kind.value
                for kind in (
                    DocumentKind.registration_form,
                    DocumentKind.business_registration,
                    DocumentKind.quality_certificates,
                    DocumentKind.product_description,
                )
            ],
            min_revenue_high_tech_vnd=0,
            min_revenue_other_vnd=0,
            min_exports_handicraft_usd=0,
        ),
    }


def seed_programmes_and_rounds(today: date) -> dict[str, Round]:
    """Both programmes, and this year's open round of each (programme code -> round), with its
    programme's default rubric."""
    programmes = {}
    for fields in PROGRAMMES:
        programme = db.session.scalar(select(Programme).where(Programme.code == fields["code"]))
        if programme is None:
            programme = Programme(**fields)
            db.session.add(programme)
        programmes[fields["code"]] = programme
    db.session.flush()
    rounds = {}
    for code, settings in _round_settings(today.year).items():
        round_ = db.session.scalar(
            select(Round).where(Round.programme_id == programmes[code].id, Round.year == today.year)
        )
        if round_ is None:
            round_ = Round(
                programme=programmes[code],
                year=today.year,
                opens_on=date(today.year, 1, 1),
                closes_on=date(today.year, 12, 31),
                status=RoundStatus.open,
                vetting_body=VettingBody.unit,
                **settings,
            )
            db.session.add(round_)
            db.session.flush()
            apply_default_rubric(round_)
        rounds[code] = round_
    db.session.flush()
    return rounds


def seed_programmes_and_round(today: date) -> Round:
    """Both programmes and this year's rounds; the key-products round, which the demo's history and
    council build on."""
    return seed_programmes_and_rounds(today)["CNCL"]


def seed_demo_data(password: str) -> list[tuple[str, Role]]:
    """Reference data, the programmes and this year's round of each, one account per role (the demo
    council member sits on both rounds). Idempotent."""
    seed_reference_data()
    rounds = seed_programmes_and_rounds(local_today())
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
        if role == Role.council_member:
            db.session.flush()
            for round_ in rounds.values():
                add_council_member(round_, user, "Ủy viên")
    db.session.flush()
    return [(email, role) for email, _name, role in DEMO_ACCOUNTS]


def echo_demo_logins(password: str) -> None:
    """The demo accounts the database holds, with their shared password (nothing when it holds none)."""
    emails = [email for email, _name, _role in DEMO_ACCOUNTS] + [email for email, _n, _t in EXTRA_COUNCIL]
    present = set(db.session.scalars(select(User.email).where(User.email.in_(emails))))
    accounts = [(email, role) for email, _name, role in DEMO_ACCOUNTS if email in present]
    if not accounts:
        return
    click.echo(f"Demo accounts (password for all: {password})")
    for email, role in accounts:
        click.echo(f"  {role.value:<15} {email}")
    others = [email for email, _name, _title in EXTRA_COUNCIL if email in present]
    if others:
        click.echo(f"  more council members: {', '.join(others)}")


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--history/--no-history", default=True, help="past rounds and this year's dossiers")
    @click.option("--logins/--no-logins", default=True, help="print the demo logins at the end")
    def seed_demo(history: bool, logins: bool) -> None:
        """Load Hanoi's units, the sectors, one demo account per role, past rounds and this year's
        dossiers (once), then print the logins."""
        password = current_app.config["DEMO_PASSWORD"]
        seed_demo_data(password)
        db.session.commit()
        if history:
            round_ = seed_programmes_and_round(local_today())
            enterprise = db.session.scalars(  # seeded just above
                select(Enterprise).where(Enterprise.tax_code == DEMO_ENTERPRISE["tax_code"])
            ).one()
            if seed_demo_rounds(round_, enterprise, password):
                click.echo("Demo rounds 2021-2025 and this year's dossiers loaded.")
            secretariat = db.session.scalars(select(User).where(User.email == DEMO_SECRETARIAT)).one()
            if seed_demo_register(local_today(), secretariat):
                db.session.commit()
                click.echo("Demo register of supporting-industry firms loaded.")
        if logins:
            echo_demo_logins(password)

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, type=int, envvar="PORT", show_default=True)
    def serve(host: str, port: int) -> None:
        """The development server of `make run`: it says where it listens, then the demo logins come
        last, after every line of installing, migrating and seeding (request logs follow)."""
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # LocalProxy's, untyped
        server = make_server(host, port, app, threaded=True)
        click.echo(f"Serving http://{host}:{server.server_port}/ (development server; Ctrl+C stops it)")
        echo_demo_logins(current_app.config["DEMO_PASSWORD"])
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

    @app.cli.command("workflow-diagram")
    def workflow_diagram() -> None:
        """Print the application workflow as a Mermaid state diagram."""
        click.echo(mermaid_diagram(), nl=False)

    @app.cli.command("verify-audit")
    @click.option(
        "--anchor", "anchor_files", multiple=True, type=click.File(encoding="utf-8"),
        help="an archived anchor file (from /secretariat/audit/anchors) to check the trail against",
    )  # fmt: skip
    def verify_audit(anchor_files: tuple[TextIO, ...]) -> None:
        """Recompute every audit hash chain, its keyed seals and the daily anchors (and any archived
        anchor files given); exit 1 and list the breaks if any."""
        breaks = verify_chains()
        for anchor_file in anchor_files:
            breaks.extend(verify_anchor_export(anchor_file.read()))
        for chain_break in breaks:
            click.echo(str(chain_break))
        if breaks:
            raise click.ClickException(f"{len(breaks)} break(s) in the audit trail")
        click.echo("audit trail intact")

    @app.cli.command("sweep")
    def sweep_command() -> None:
        """Daily: flag overdue steps, queue reminders (certifications about to expire too), lapse
        unanswered supplements, remove evidence files left by a crash (idempotent)."""
        report = sweep(local_today())
        click.echo(
            f"vetting overdue: {report.vetting_overdue}, "
            f"supplement reminders: {report.supplement_reminders}, lapsed: {report.lapsed}, "
            f"certificates expired: {report.certificates_expired}, "
            f"certification expiry reminders: {report.certifications_reminded}, "
            f"evidence files removed: {report.evidence_removed}"
        )

    @app.cli.command("drain-mail")
    def drain_mail_command() -> None:
        """Render new notifications into mails and send what is due (safe to run from cron, several
        at once, or again after a crash: a mail is never sent twice)."""
        report = drain()
        click.echo(
            f"notifications rendered: {report.expanded}, mails queued: {report.queued}, "
            f"sent: {report.sent}, to retry: {report.retried}, failed: {report.failed}, "
            f"interrupted: {report.interrupted}"
            + (f", kept in the local outbox (no MAIL_SERVER): {report.held}" if report.held else "")
        )

    @app.cli.command("mail-worker")
    @click.option("--burst", is_flag=True, help="stop when the queue is empty")
    def mail_worker_command(burst: bool) -> None:
        """Work the mail queue on Redis (REDIS_URL): one or more per app server, under a supervisor."""
        try:
            run_worker(current_app, burst=burst)
        except RuntimeError as error:
            raise click.ClickException(str(error)) from error

    @app.cli.command("seed-reference")
    def seed_reference() -> None:
        """Load Hanoi's administrative units and the sectors (safe to run again)."""
        seed_reference_data()
        db.session.commit()
        click.echo("reference data loaded")

    @app.cli.command("import-units")
    @click.argument("csv_file", type=click.File(encoding="utf-8"))
    def import_units_command(csv_file: TextIO) -> None:
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
    @click.option("--role", "role_name", type=click.Choice([r.value for r in Role]), required=True)
    @click.option("--unit-code", help="for unit officers: the unit they vet")
    @click.option("--tax-code", help="for applicants: the enterprise they act for")
    @click.password_option()
    def create_user_command(
        email: str, full_name: str, role_name: str, unit_code: str | None, tax_code: str | None, password: str
    ) -> None:
        """Create an account for a real deployment (the password is asked twice, not echoed)."""
        role = Role(role_name)
        unit: AdministrativeUnit | None = None
        enterprise: Enterprise | None = None
        if role == Role.unit_officer:
            unit = db.session.scalar(select(AdministrativeUnit).where(AdministrativeUnit.code == unit_code))
            if unit is None:
                raise click.BadParameter("a unit officer needs an existing --unit-code")
        if role == Role.applicant:
            enterprise = db.session.scalar(
                select(Enterprise).where(Enterprise.tax_code == normalise_tax_code(tax_code))
            )
            if enterprise is None:
                raise click.BadParameter("an applicant needs an existing enterprise --tax-code")
        try:
            user = create_user(email, password, full_name)
        except DuplicateError as error:
            raise click.ClickException("an account with this e-mail already exists") from error
        grant_role(user, role, enterprise=enterprise, unit=unit)
        db.session.commit()
        click.echo(f"created {user.email} ({role.value})")
