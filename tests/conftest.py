"""Fixtures: one app per session, a clean database per test, factories and logged-in clients.

DATABASE_URL selects the database (PostgreSQL in CI); without it a temporary SQLite file is used.
"""

from __future__ import annotations

import itertools
import os
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from recognition import create_app
from recognition.accounts.models import AdministrativeUnit, Enterprise, Role, Sector, User
from recognition.accounts.services import create_user, grant_role
from recognition.cli import seed_reference_data
from recognition.extensions import db as _db

TEST_PASSWORD = "correct horse battery"
_counter = itertools.count(1)


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
    return os.environ.get("DATABASE_URL") or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


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
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        _reset_schema(database_url)
    return app


@pytest.fixture(autouse=True)
def db(app):
    """An app context per test; every table emptied afterwards (works with threads and live servers)."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        tables = list(reversed(_db.metadata.sorted_tables))
        with _db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())


@pytest.fixture
def csrf_enabled(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


@pytest.fixture
def reference(db):
    """Hanoi's units and the sectors, as seed-demo loads them."""
    seed_reference_data()
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


class Factory:
    """Builds models with sensible defaults; each call makes unique keys."""

    def unit(self, code: str = "X-DONGANH") -> AdministrativeUnit:
        unit = _db.session.query(AdministrativeUnit).filter_by(code=code).one_or_none()
        if unit is None:
            seed_reference_data()
            unit = _db.session.query(AdministrativeUnit).filter_by(code=code).one()
        return unit

    def sector(self, code: str = "CK") -> Sector:
        self.unit()
        return _db.session.query(Sector).filter_by(code=code).one()

    def enterprise(self, unit_code: str = "X-DONGANH", **fields) -> Enterprise:
        n = next(_counter)
        enterprise = Enterprise(
            name=fields.pop("name", f"Công ty Cơ khí Hà Nội {n}"),
            tax_code=fields.pop("tax_code", f"{1000000000 + n:010d}"),
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


@pytest.fixture
def make():
    return Factory()


def login(client, user_or_email, password: str = TEST_PASSWORD):
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def login_as(app, make):
    """login_as(role) → a test client logged in as a new user holding that role."""

    def _login_as(role: Role, **kwargs):
        user = make.user(role, **kwargs)
        client = app.test_client()
        response = login(client, user)
        assert response.status_code == 302, response.text
        client.user = user
        return client

    return _login_as


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)
