"""Fixtures: one app per session, a clean database per test, factories and logged-in clients.

DATABASE_URL selects the database (PostgreSQL in CI); without it a temporary SQLite file is used.
"""

from __future__ import annotations

import itertools
import os
import re
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import create_engine, event, func, make_url, select, text
from stdnum.vn import mst

from recognition import clock, create_app
from recognition.accounts.models import AdministrativeUnit, Enterprise, Role, Sector, User, unit_predecessors
from recognition.accounts.services import create_user, grant_role
from recognition.cases.models import (
    Application,
    ApplicationFigures,
    Document,
    Notification,
    Product,
    ProductCategory,
    State,
)
from recognition.cases.workflow import advance
from recognition.cli import seed_reference_data
from recognition.clock import local_today, utcnow
from recognition.extensions import db as _db
from recognition.honours.results import results_to_publish
from recognition.review.models import ReviewAssignment, SelfAssessment
from recognition.review.scoring import criteria_of as db_criteria
from recognition.rounds.models import DocumentKind, Programme, Round, RoundStatus, VettingBody
from recognition.supporting.models import SupportingSector

TEST_PASSWORD = "correct horse battery"
_counter = itertools.count(1)

# Hypothesis profiles: HYPOTHESIS_PROFILE names one; without it CI=1 (or true) means "ci", else "dev".
# "ci" is the thorough run CI makes (.ci/run exports it); "dev", the default of `make test`, explores
# a fifth as far so a local run stays quick. The property tests take their budget from the profile
# (tests/cases/test_workflow_stateful.py scales what it requires to it). The tests write to a
# database, so no example has a deadline.
settings.register_profile("ci", max_examples=50, stateful_step_count=80, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=10, stateful_step_count=80, deadline=None)


def _hypothesis_profile() -> str:
    chosen = os.environ.get("HYPOTHESIS_PROFILE")
    if chosen:
        return chosen
    return "ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "dev"


settings.load_profile(_hypothesis_profile())


def _reset_schema(url: str) -> None:
    """Start each test run from an empty schema."""
    if url.startswith("postgresql"):
        with _db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        _db.drop_all()
    _db.create_all()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """DATABASE_URL, or a temporary SQLite file. A PostgreSQL database is created when missing, and
    under pytest-xdist each worker has one of its own (`<name>_gw0`, `<name>_gw1`, …)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    if not url.startswith("postgresql"):
        return url
    return _postgresql_database(url, os.environ.get("PYTEST_XDIST_WORKER"))


def _postgresql_database(url: str, worker_id: str | None) -> str:
    base = make_url(url)
    name = f"{base.database}_{worker_id}" if worker_id else base.database
    engine = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (own `g`, own DB session), as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key",
            "WTF_CSRF_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "SERVER_NAME": None,
            "EVIDENCE_DIR": str(tmp_path_factory.mktemp("evidence")),
            # Tests log in many times from one address; the per-client limit has its own test.
            "LOGIN_ATTEMPTS_PER_MINUTE": 10_000,
            "REGISTRATIONS_PER_HOUR": 10_000,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        event.listen(_db.engine, "connect", _quick_commits)
        _reset_schema(database_url)
    return app


def _quick_commits(dbapi_connection, _record) -> None:
    """In tests a commit need not wait for the disk (a crash loses a test database only): PostgreSQL's
    synchronous_commit, SQLite's synchronous pragma (its WAL is otherwise flushed at every commit)."""
    cursor = dbapi_connection.cursor()
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor.execute("PRAGMA synchronous=OFF")
    else:
        cursor.execute("SET synchronous_commit TO OFF")
    cursor.close()


def _empty_every_table() -> None:
    """DELETE rather than TRUNCATE: on PostgreSQL, TRUNCATE of thirty mostly empty tables costs ~70 ms a
    test; the deletes and the sequence reset, two statements, cost ~1 ms."""
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            deletes = "; ".join(f'DELETE FROM "{t.name}"' for t in tables)  # noqa: S608 -- names from the metadata
            conn.execute(text(deletes))
            conn.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def db(app):
    """An app context per test; every table emptied afterwards (works with threads and live servers)."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        _empty_every_table()


@pytest.fixture
def csrf_enabled(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


class FrozenClock:
    """The app's clock held at one instant (it replaces recognition.clock._now); `advance` moves it."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def frozen_clock(monkeypatch) -> FrozenClock:
    """The app's clock stopped where it stood when the test began. Rate limits count in fixed
    windows (a minute, a quarter of an hour, an hour): on a running clock a slow machine can cross
    into the next window between two requests and the counts start again. Move it with
    `frozen_clock.advance(seconds)`."""
    frozen = FrozenClock(clock.utcnow())
    monkeypatch.setattr(clock, "_now", frozen)
    return frozen


REFERENCE_TABLES = (
    AdministrativeUnit.__table__, unit_predecessors, Sector.__table__, SupportingSector.__table__
)
_reference_rows: dict[str, list[dict]] = {}


def load_reference_data() -> None:
    """Hanoi's units and the sectors, as seed-demo loads them, in the test's session (not committed).

    The first test of a process runs `seed_reference_data()`; later ones get the same rows back by one
    insert per table, since the import through the ORM (160 units and their links) cost ~0.1 s a test.
    """
    session = _db.session
    if not _reference_rows:
        seed_reference_data()
        session.flush()
        for table in REFERENCE_TABLES:
            rows = session.execute(select(table).order_by(*table.primary_key.columns))
            _reference_rows[table.name] = [dict(row._mapping) for row in rows]
        return
    for table in REFERENCE_TABLES:  # parents before children: the import gave them the lower ids
        session.execute(table.insert(), _reference_rows[table.name])
    if session.get_bind().dialect.name == "postgresql":
        for table in (AdministrativeUnit.__table__, Sector.__table__, SupportingSector.__table__):
            last_id = select(func.max(table.c.id)).scalar_subquery()
            session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), last_id)))


@pytest.fixture
def reference(db):
    """Hanoi's units and the sectors, as seed-demo loads them."""
    load_reference_data()
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


def tax_code(n: int) -> str:
    """A valid Hanoi (01) tax code, unique per n: of the sequences 2n and 2n+1, the first whose check
    digit exists (the two sums differ by 3, so they cannot both leave 0 mod 11)."""
    candidates = (f"01{sequence:07d}" for sequence in (2 * n, 2 * n + 1))
    first_nine = next(nine for nine in candidates if len(mst.calc_check_digit(nine)) == 1)
    return first_nine + mst.calc_check_digit(first_nine)


class Factory:
    """Builds models with sensible defaults; each call makes unique keys."""

    def unit(self, code: str = "X-DONGANH") -> AdministrativeUnit:
        unit = _db.session.query(AdministrativeUnit).filter_by(code=code).one_or_none()
        if unit is None:
            load_reference_data()
            unit = _db.session.query(AdministrativeUnit).filter_by(code=code).one()
        return unit

    def sector(self, code: str = "CK") -> Sector:
        self.unit()
        return _db.session.query(Sector).filter_by(code=code).one()

    def enterprise(self, unit_code: str = "X-DONGANH", **fields) -> Enterprise:
        n = next(_counter)
        enterprise = Enterprise(
            name=fields.pop("name", f"Công ty Cơ khí Hà Nội {n}"),
            tax_code=fields.pop("tax_code", None) or tax_code(n),
            address=fields.pop("address", f"Số {n} phố Huế, Hà Nội"),
            unit=self.unit(unit_code),
            sector=fields.pop("sector", None) or self.sector(),
            **fields,
        )
        _db.session.add(enterprise)
        _db.session.commit()
        return enterprise

    def user(
        self,
        role: Role | None = None,
        enterprise: Enterprise | None = None,
        unit: AdministrativeUnit | None = None,
        email: str | None = None,
    ) -> User:
        n = next(_counter)
        user = create_user(email or f"user{n}@example.vn", TEST_PASSWORD, f"Người dùng {n}")
        if role == Role.applicant:
            grant_role(user, role, enterprise=enterprise or self.enterprise())
        elif role == Role.unit_officer:
            grant_role(user, role, unit=unit or self.unit())
        elif role is not None:
            grant_role(user, role)
        _db.session.commit()
        return user

    def programme(self, code: str = "CNCL") -> Programme:
        programme = _db.session.query(Programme).filter_by(code=code).one_or_none()
        if programme is None:
            programme = Programme(
                code=code,
                name_vi="Sản phẩm công nghiệp chủ lực",
                name_en="Key industrial products",
                outcome_vi="Được công nhận là sản phẩm công nghiệp chủ lực",
                outcome_en="Recognised as a key industrial product",
            )
            _db.session.add(programme)
            _db.session.flush()
        return programme

    def round(self, **settings) -> Round:
        today = local_today()
        year = settings.pop("year", None) or (today.year + next(_counter))
        round_ = Round(
            programme=settings.pop("programme", None) or self.programme(),
            year=year,
            title=settings.pop("title", None) or f"Xét chọn sản phẩm công nghiệp chủ lực năm {year}",
            opens_on=settings.pop("opens_on", today - timedelta(days=30)),
            closes_on=settings.pop("closes_on", today + timedelta(days=30)),
            status=settings.pop("status", RoundStatus.open),
            vetting_body=settings.pop("vetting_body", VettingBody.unit),
            **settings,
        )
        _db.session.add(round_)
        _db.session.commit()
        return round_

    def application(
        self,
        round: Round | None = None,
        enterprise: Enterprise | None = None,
        complete: bool = True,
        category: ProductCategory = ProductCategory.other,
        revenue_vnd: int = 150_000_000_000,
        export_value_usd: int = 2_000_000,
        product_name: str | None = None,
    ) -> Application:
        """A draft nomination; `complete` fills every section and uploads every required document."""
        enterprise = enterprise or self.enterprise()
        round = round or self.round()
        product = Product(
            enterprise=enterprise,
            name=product_name or f"Máy biến áp {next(_counter)}",
            sector=enterprise.sector,
            category=category,
            description="Máy biến áp phân phối 22 kV" if complete else "",
        )
        application = Application(round=round, product=product, enterprise=enterprise)
        application.compliance_committed = complete
        _db.session.add(application)
        if complete:
            for year in (local_today().year - 2, local_today().year - 1):
                application.figures.append(
                    ApplicationFigures(year=year, revenue_vnd=revenue_vnd, export_value_usd=export_value_usd)
                )
            _db.session.flush()
            for criterion in db_criteria(round.id):
                _db.session.add(
                    SelfAssessment(
                        application_id=application.id, criterion_id=criterion.id, points=1, justification="Có"
                    )
                )
            for kind in round.required_documents:
                application.documents.append(
                    Document(
                        kind=DocumentKind(kind),
                        filename=f"{kind}.pdf",
                        sha256=f"{next(_counter):064x}",
                        size=1000,
                        content_type="application/pdf",
                    )
                )
        _db.session.commit()
        return application

    def applicant_of(self, application: Application) -> User:
        return self.user(Role.applicant, enterprise=application.enterprise)

    def officer_of(self, application: Application) -> User:
        return self.user(Role.unit_officer, unit=application.enterprise.unit)

    def endorsed(self, round: Round | None = None, **fields) -> Application:
        """A complete nomination (`fields` as for application()) submitted by its enterprise, vetted
        and endorsed by an officer of its unit."""
        application = self.application(round=round, **fields)
        officer = self.officer_of(application)
        fire(application, "submit", self.applicant_of(application))
        fire(application, "start_vetting", officer)
        fire(application, "endorse", officer)
        return application

    def recommended(
        self, round: Round | None = None, score: int = 85, secretariat: User | None = None, **fields
    ) -> Application:
        """An endorsed nomination that each of the round's reviewers scored `score` (a pass), under
        review opened and concluded by the rules: recommended."""
        application = self.endorsed(round, **fields)
        count = application.round.reviewers_per_dossier
        self.assign_reviewers(application, scores=[score] * count, count=count)
        secretariat = secretariat or self.user(Role.secretariat)
        fire(application, "open_review", secretariat)
        fire(application, "conclude_review", secretariat)
        assert application.state == State.recommended
        return application

    def assign_reviewers(self, application: Application, scores: list | None = None, count: int = 3) -> list:
        """Assign `count` council members; with `scores`, each submits that total."""
        reviewers = [self.user(Role.council_member) for _ in range(count)]
        for i, reviewer in enumerate(reviewers):
            assignment = ReviewAssignment(
                application_id=application.id, reviewer_id=reviewer.id, has_conflict=False
            )
            if scores is not None:
                assignment.total_score = Decimal(str(scores[i]))
                assignment.submitted_at = utcnow()
            _db.session.add(assignment)
        _db.session.commit()
        return reviewers

    def publish_results(self, round: Round, deadline_days_ago: int = 1) -> None:
        round.published_results = [r.to_json() for r in results_to_publish(round)]
        round.results_published_at = utcnow() - timedelta(days=deadline_days_ago + 10)
        round.comment_deadline = local_today() - timedelta(days=deadline_days_ago)
        _db.session.commit()


# Form data that satisfies each step's guards.
VALID_DATA = {
    "submit": {"declaration": True},
    "start_vetting": {},
    "request_supplement": {"items": ["Báo cáo tài chính năm 2025 có kiểm toán"]},
    "resubmit": {"answers": ["Đã bổ sung báo cáo tài chính"]},
    "endorse": {
        "eligibility_confirmed": True,
        "business_registration_valid": True,
        "no_tax_arrears": True,
        "social_insurance_paid": True,
        "environmental_compliance": True,
        "no_violations": True,
        "recommendation": "Đề nghị Hội đồng xem xét",
    },
    "reject_in_unit": {"reason": "Không đáp ứng điều kiện doanh thu"},
    "open_review": {},
    "conclude_review": {},
    "recognise": {"decision_number": "1234/QĐ-UBND"},
    "withdraw": {"reason": "Doanh nghiệp rút hồ sơ"},
}


def valid_data(trigger: str) -> dict:
    """VALID_DATA plus the dates, which depend on today."""
    data = dict(VALID_DATA[trigger])
    today = local_today()
    if trigger == "request_supplement":
        data["deadline"] = today + timedelta(days=14)
    if trigger == "endorse":
        data["site_visit_date"] = today - timedelta(days=1)
    if trigger == "recognise":
        data["decision_date"] = today
    return data


def fire(application: Application, trigger: str, actor: User, **overrides):
    """advance() with valid data for the trigger, committed."""
    data = {**valid_data(trigger), **overrides}
    result = advance(application, trigger, actor, **data)
    _db.session.commit()
    return result


@pytest.fixture
def make():
    return Factory()


def login(client, user_or_email, password: str = TEST_PASSWORD):
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    return client.post("/login", data={"email": email, "password": password})


def client_for(app, user: User | None, lang: str | None = None) -> FlaskClient:
    """A test client of its own, logged in as `user` (anonymous for None) and reading the pages in
    `lang` when given ("en"; else Vietnamese, the default); `client.user` is the user."""
    client = app.test_client()
    if user is not None:
        response = login(client, user)
        assert response.status_code == 302, response.text
    if lang:
        client.get(f"/lang/{lang}")
    client.user = user
    return client


def confirmation_link(email: str) -> str:
    """The path of the newest confirmation link queued for this address (no mail is sent yet)."""
    user_id = _db.session.scalar(select(User.id).where(User.email == email.strip().lower()))
    mail = _db.session.scalars(
        select(Notification)
        .where(Notification.recipient_user_id == user_id, Notification.event == "confirm_email")
        .order_by(Notification.id.desc())
    ).first()
    return urlsplit(mail.payload["confirm_url"]).path


def confirm_and_log_in(client, email: str, password: str) -> None:
    """What a newcomer does after registering: open the mailed link, confirm, log in."""
    assert client.post(confirmation_link(email)).status_code == 302
    assert login(client, email, password).status_code == 302


@pytest.fixture
def login_as(app, make):
    """login_as(role) → a test client logged in as a new user holding that role."""

    def _login_as(role: Role, **kwargs):
        return client_for(app, make.user(role, **kwargs))

    return _login_as


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)
