"""The request policy (recognition.policy): a service's refusal becomes a flashed message and a way
back (JSON for the API), a request that fails keeps nothing it wrote, the rate limiter's counts outlive
a refused login, every error handler rolls back first, and only the commit point commits."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from datetime import date
from pathlib import Path

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.cases.errors import OperationRefused
from recognition.extensions import db
from recognition.ratelimit import RateLimitHit
from recognition.rounds.models import CalendarException
from tests.conftest import TEST_PASSWORD

PACKAGE = Path(__file__).resolve().parent.parent / "recognition"
DAY = date(2027, 1, 30)
CALENDAR = {"day": DAY.isoformat(), "is_working_day": "1", "note": "Làm bù"}
REFUSAL = _l("You cannot deactivate your own account.")  # any service message with a translation
REFUSAL_VI = "Không thể tự vô hiệu hóa tài khoản của chính mình."


def stored_days() -> list[date]:
    db.session.rollback()  # read what other sessions committed, not this test's snapshot
    return list(db.session.scalars(select(CalendarException.day)))


def count_of(key: str) -> int | None:
    db.session.rollback()
    return db.session.scalar(select(RateLimitHit.count).where(RateLimitHit.key == key))


@pytest.fixture
def secretariat(login_as):
    return login_as(Role.secretariat)


@pytest.fixture
def half_written(monkeypatch):
    """The calendar's service writes its row, then fails with `error` (a refusal or a bug)."""
    from recognition.rounds import calendar, views

    def fail_after_writing(error: Exception) -> None:
        def service(day, is_working_day, note):
            calendar.set_calendar_exception(day, is_working_day, note)
            db.session.flush()  # the row is in the database, inside the request's transaction
            raise error

        monkeypatch.setattr(views, "set_calendar_exception", service)

    return fail_after_writing


# A refusal raised in a service --------------------------------------------------------------------


def test_a_refusal_is_flashed_in_the_users_language_and_sends_back_to_the_form(secretariat, half_written):
    half_written(OperationRefused(REFUSAL))
    response = secretariat.post("/secretariat/calendar", data=CALENDAR)
    assert response.status_code == 302
    assert response.location == "/secretariat/calendar"  # the form's own page (no Referer sent)
    page = secretariat.get(response.location).text
    assert REFUSAL_VI in page
    assert stored_days() == []  # rolled back: what the service wrote before refusing is gone


def test_a_refusal_goes_back_to_the_page_the_form_came_from(secretariat, half_written):
    half_written(OperationRefused(REFUSAL))
    came_from = {"Referer": "http://localhost/secretariat/rounds/new?x=1"}
    assert secretariat.post("/secretariat/calendar", data=CALENDAR, headers=came_from).location == (
        "/secretariat/rounds/new?x=1"
    )
    elsewhere = {"Referer": "https://evil.example/secretariat/rounds/new"}
    assert secretariat.post("/secretariat/calendar", data=CALENDAR, headers=elsewhere).location == (
        "/secretariat/calendar"
    )


def test_a_view_names_where_its_refusals_return(login_as):
    """admin._switch names the account's page: deactivating oneself is refused by the service."""
    admin = login_as(Role.admin)
    response = admin.post(
        f"/admin/accounts/{admin.user.id}/deactivate", headers={"Referer": "http://localhost/admin/"}
    )
    assert response.location == f"/admin/accounts/{admin.user.id}"
    assert REFUSAL_VI in admin.get(response.location).text
    db.session.refresh(admin.user)
    assert admin.user.active


def test_a_refusal_asked_for_as_json_is_answered_in_json(login_as):
    admin = login_as(Role.admin)
    response = admin.post(
        f"/admin/accounts/{admin.user.id}/deactivate", headers={"Accept": "application/json"}
    )
    assert response.status_code == 422
    assert response.json["errors"] == [REFUSAL_VI]
    assert response.json["code"] == 422


def test_a_refusal_in_the_api_is_answered_in_json(client, monkeypatch):
    from recognition.registry import api

    def refuse(*_args, **_kwargs):
        raise OperationRefused(REFUSAL)

    monkeypatch.setattr(api, "registry_page", refuse)
    response = client.get("/api/v1/registry")
    assert response.status_code == 422
    assert response.mimetype == "application/json"
    assert response.json["errors"] == [REFUSAL_VI]


def test_a_refused_get_says_why_on_its_page(secretariat, monkeypatch):
    """A GET has no form to go back to (and redirecting to itself would loop)."""
    from recognition.rounds import views

    def refuse(_start):
        raise OperationRefused(REFUSAL)

    monkeypatch.setattr(views, "calendar_exceptions_from", refuse)
    response = secretariat.get("/secretariat/calendar")
    assert response.status_code == 422
    assert REFUSAL_VI in response.text


def test_a_form_shown_again_keeps_what_was_typed(login_as, monkeypatch):
    """redisplay_on_refusal: the refusal beside its field, the typed values still in the form."""
    from recognition.accounts import admin as admin_views
    from recognition.accounts.services import AccountError

    def refuse(*_args):
        raise AccountError(REFUSAL, "email")

    monkeypatch.setattr(admin_views, "create_staff_account", refuse)
    admin = login_as(Role.admin)
    data = {"full_name": "Trần Thị Hoa", "email": "hoa@example.vn", "password": TEST_PASSWORD,
            "roles": "secretariat"}  # fmt: skip
    response = admin.post("/admin/accounts/new", data=data)
    assert response.status_code == 200
    assert REFUSAL_VI in response.text
    assert 'value="Trần Thị Hoa"' in response.text and 'value="hoa@example.vn"' in response.text


# Nothing is kept from a request that fails ---------------------------------------------------------


def test_an_error_after_a_partial_write_keeps_nothing(app, secretariat, half_written, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production: the 500 page
    half_written(RuntimeError("a bug after the first write"))
    response = secretariat.post("/secretariat/calendar", data=CALENDAR)
    assert response.status_code == 500
    assert "Hệ thống gặp lỗi" in response.text  # the page renders: its handler rolled back first
    assert stored_days() == []


def test_a_successful_post_commits_once_at_its_end(secretariat):
    assert secretariat.post("/secretariat/calendar", data=CALENDAR).status_code == 302
    assert stored_days() == [DAY]


def test_every_error_handler_rolls_back_first(app):
    """Each handler registered on the app or a blueprint starts with db.session.rollback()."""
    handlers = {
        handler
        for by_code in app.error_handler_spec.values()
        for by_class in by_code.values()
        for handler in by_class.values()
    }
    assert len(handlers) >= 6
    for handler in handlers:
        body = ast.parse(textwrap.dedent(inspect.getsource(handler))).body[0].body
        statements = [s for s in body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
        assert ast.unparse(statements[0]) == "db.session.rollback()", handler.__qualname__


# The rate limiter's counts outlive a refused request ----------------------------------------------


def test_a_refused_login_still_counts(app, client, make, monkeypatch, frozen_clock):
    monkeypatch.setitem(app.config, "LOGIN_ATTEMPTS_PER_MINUTE", 1)
    user = make.user(Role.admin)
    attempt = {"email": user.email, "password": "wrong one"}
    assert client.post("/login", data=attempt).status_code == 200
    assert client.post("/login", data=attempt).status_code == 429  # refused: aborted and rolled back
    assert client.post("/login", data=attempt).status_code == 429
    assert count_of("login-client:127.0.0.1") == 3


def test_a_login_refused_by_a_service_or_failing_still_counts(app, client, make, monkeypatch, frozen_clock):
    from recognition.accounts import views

    user = make.user(Role.admin)

    def refuse(*_args):
        raise OperationRefused(REFUSAL)

    monkeypatch.setattr(views, "attempt_login", refuse)
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.location == "/login"
    assert count_of("login-client:127.0.0.1") == 1

    def fail(*_args):
        raise RuntimeError("a bug after the count")

    monkeypatch.setattr(views, "attempt_login", fail)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    assert client.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 500
    assert count_of("login-client:127.0.0.1") == 2


# Only the commit point commits --------------------------------------------------------------------

# CLI commands and background jobs are units of work of their own.
COMMITTING_MODULES = {
    "policy.py",  # the request's commit point, and the rate limiter's counts after a failure
    "cli.py",
    "demo.py",  # seed-demo
    "cases/sweep.py",  # the daily sweep
    "notifications/outbox.py",  # the mail drain
}
VIEW_MODULE = re.compile(r"(^|/)([a-z_]*views|admin)\.py$")


def _modules() -> dict[str, str]:
    return {str(path.relative_to(PACKAGE)): path.read_text() for path in PACKAGE.rglob("*.py")}


def test_no_module_but_the_commit_point_commits():
    committing = {name for name, source in _modules().items() if re.search(r"\.session\.commit\(\)", source)}
    assert committing == COMMITTING_MODULES


def test_only_views_call_the_commit_point():
    """Services and helpers never commit, not even through the policy: the view that called them does."""
    callers = {
        name
        for name, source in _modules().items()
        if re.search(r"from recognition\.policy import [^\n]*\bcommit\b|\bpolicy\.commit\(\)", source)
    }
    assert callers, "no view commits?"
    assert {name for name in callers if not VIEW_MODULE.search(name)} == set()
