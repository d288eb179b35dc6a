"""Chủ lực: recognition of Hanoi's key industrial products. create_app() builds the app."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, abort, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from werkzeug.routing import IntegerConverter, Map

from recognition.cases.stores import storage_from_config
from recognition.config import load_config
from recognition.extensions import babel, bootstrap, csrf, db, login_manager, migrate
from recognition.i18n import compile_translations, remember_language, select_locale
from recognition.logs import configure_logging
from recognition.notifications.jobs import watch_commits
from recognition.policy import register_request_policy
from recognition.resources import resource_dir, running_from_checkout

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """SQLite: WAL for concurrent readers, enforced foreign keys, wait instead of failing on locks."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=resource_dir("templates"),
        instance_relative_config=True,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path, config))
    configure_logging(app)

    import recognition.models  # noqa: F401  (registers every table before migrations or create_all)

    db.init_app(app)
    watch_commits(db.session)
    app.extensions["evidence_storage"] = storage_from_config(app.config)  # EVIDENCE_DIR or STORAGE_URL
    migrate.init_app(app, db, directory=resource_dir("migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    if running_from_checkout():  # a fresh checkout; the wheel ships its catalogues compiled
        compile_translations()
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(remember_language)
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = TrustedProxyFix(app)  # type: ignore[method-assign]  # Flask's documented wrapping
    _init_login(app)
    app.url_map.converters["int"] = BoundedIntConverter
    _register_blueprints(app)
    _register_input_checks(app)
    _register_security_headers(app)
    _register_template_helpers(app)
    register_request_policy(app)  # refusals, error pages, the commit point's rules

    from recognition.cli import register_cli

    register_cli(app)
    return app


class TrustedProxyFix:
    """ProxyFix for requests that come from a proxy in TRUSTED_PROXY_ADDRESSES only.

    A client that reaches the app directly could otherwise name any address in X-Forwarded-For and
    slip past the per-client limits; its forwarded headers are ignored and logged (bind the app to
    the proxy only: README)."""

    def __init__(self, app: Flask):
        from werkzeug.middleware.proxy_fix import ProxyFix

        self.plain = app.wsgi_app
        self.fixed = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"], x_proto=1)
        self.proxies = [ipaddress.ip_network(a, strict=False) for a in app.config["TRUSTED_PROXY_ADDRESSES"]]
        self.logger = app.logger

    def _trusted(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.proxies)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        peer = environ.get("REMOTE_ADDR", "")
        if self._trusted(peer):
            return self.fixed(environ, start_response)
        if "HTTP_X_FORWARDED_FOR" in environ or "HTTP_X_FORWARDED_PROTO" in environ:
            self.logger.warning(
                "Forwarded headers from %s, which is not in TRUSTED_PROXY_ADDRESSES: ignored. "
                "Is the app reachable without the proxy?",
                peer,
            )
        return self.plain(environ, start_response)


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from recognition.accounts.services import load_user_by_session_id

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "warning"
    login_manager.user_loader(load_user_by_session_id)


def _register_blueprints(app: Flask) -> None:
    from recognition.accounts.admin import bp as admin_bp
    from recognition.accounts.views import bp as accounts_bp
    from recognition.cases.views import bp as audit_bp
    from recognition.dossiers.views import bp as dossiers_bp
    from recognition.health import bp as health_bp
    from recognition.honours.views import bp as honours_bp
    from recognition.nomination.views import bp as nomination_bp
    from recognition.notifications.views import bp as notices_bp
    from recognition.notifications.views import local_outbox_bp
    from recognition.registry.api import register_api
    from recognition.registry.views import bp as registry_bp
    from recognition.reports.export_views import bp as exports_bp
    from recognition.reports.support_views import bp as support_bp
    from recognition.reports.views import bp as reports_bp
    from recognition.review.board_views import bp as review_board_bp
    from recognition.review.views import bp as review_bp
    from recognition.rounds.views import bp as rounds_bp
    from recognition.supporting.dashboard_views import bp as supporting_dashboard_bp
    from recognition.supporting.directory_views import bp as suppliers_bp
    from recognition.supporting.import_views import bp as supporting_imports_bp
    from recognition.supporting.profile_views import bp as supplier_profile_bp
    from recognition.supporting.register_views import bp as supporting_bp
    from recognition.vetting.views import bp as vetting_bp

    for blueprint in (
        health_bp,
        registry_bp,
        accounts_bp,
        nomination_bp,
        review_bp,
        review_board_bp,
        rounds_bp,
        honours_bp,
        audit_bp,
        dossiers_bp,
        admin_bp,
        notices_bp,
        support_bp,
        exports_bp,
        reports_bp,
        supporting_bp,
        supporting_imports_bp,
        supporting_dashboard_bp,
        supplier_profile_bp,
        suppliers_bp,
    ):
        app.register_blueprint(blueprint)
    if app.config["LOCAL_OUTBOX"]:
        app.register_blueprint(local_outbox_bp)
    app.register_blueprint(vetting_bp, url_prefix="/unit")
    register_api(app)
    app.register_blueprint(vetting_bp, url_prefix="/secretariat/vetting", name="secretariat_vetting")


class BoundedIntConverter(IntegerConverter):
    """Ids in URLs fit the database's integer columns: a larger one is simply not found (404, not 500)."""

    def __init__(  # noqa: A002
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = 2**31 - 1,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _register_input_checks(app: Flask) -> None:
    @app.before_request
    def refuse_nul_bytes() -> None:
        """No text field or path of ours holds a NUL (PostgreSQL text cannot): refuse it up front.
        The JSON API validates its own parameters and answers in JSON."""
        if request.path.startswith("/api/"):
            return
        values = [request.path, *request.args.values()]
        if request.method == "POST":
            values.extend(request.form.values())
        if any("\x00" in value for value in values):
            abort(400)


def _register_security_headers(app: Flask) -> None:
    @app.after_request
    def set_headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config["RECOGNITION_ENV"] == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        return response


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import format_decimal, get_locale

    from recognition.accounts.models import Role
    from recognition.accounts.permissions import ROLE_HOME_ENDPOINTS
    from recognition.cases.models import STATE_LABELS, State, VettingOutcome
    from recognition.cases.queries import self_assessment_of, vetting_report_of
    from recognition.cases.workflow import may_fire
    from recognition.clock import format_day, format_moment
    from recognition.honours.models import CERTIFICATE_LIFECYCLE, OBJECTION_LIFECYCLE, CertificateStatus
    from recognition.i18n import or_unnamed
    from recognition.notifications.notices import unread_count
    from recognition.reports.support_models import SupportKind
    from recognition.rounds.eligibility import format_vnd
    from recognition.rounds.key_dates import key_dates
    from recognition.rounds.models import RoundStatus
    from recognition.rounds.queries import rounds_under_way
    from recognition.supporting.models import Standard
    from recognition.supporting.wording import state_label, step_label
    from recognition.vetting.forms import CHECK_LABELS

    app.jinja_env.globals.update(
        # The question every button asks (the same the routes' advance() answers), and the names
        # templates compare states and outcomes with.
        may=lambda application, trigger: may_fire(application, trigger, current_user),
        State=State,
        VettingOutcome=VettingOutcome,
        OBJECTION_LIFECYCLE=OBJECTION_LIFECYCLE,
        CERTIFICATE_LIFECYCLE=CERTIFICATE_LIFECYCLE,
        CertificateStatus=CertificateStatus,
        RoundStatus=RoundStatus,
        unread_notices=unread_count,
        self_assessment_of=self_assessment_of,
        vetting_report_of=vetting_report_of,
        key_dates_of=key_dates,
        rounds_under_way=rounds_under_way,
        VETTING_CHECK_LABELS=CHECK_LABELS,
        STATE_LABELS=STATE_LABELS,
        # A dossier's state in its round's words (a selection round's "selected for support").
        state_label=lambda application, state=None: state_label(application, str(get_locale()), state),
        step_label=step_label,
        STANDARD_LABELS=Standard.labels(),
        SUPPORT_KIND_LABELS=SupportKind.labels(),
        # An audit row's actor role is a plain string, and may be no Role ("system").
        role_labels=Role.labels(),
    )
    # Every day and instant shown in a page goes through these two (see recognition.clock).
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["kilobytes"] = lambda size: format_decimal(size / 1024, format="#,##0.0")
    # Scores in the visitor's convention: 73,67 in Vietnamese, 73.67 in English.
    app.jinja_env.filters["points"] = lambda value: (
        "" if value is None else format_decimal(value, format="#,##0.##")
    )
    app.jinja_env.filters["vnd"] = lambda value: format_vnd(value) if value is not None else ""
    app.jinja_env.filters["or_unnamed"] = or_unnamed

    @app.context_processor
    def inject_globals() -> dict[str, Any]:
        return {
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "role_homes": ROLE_HOME_ENDPOINTS,
            "current_lang_choice": session.get("lang"),
            "current_path": request.full_path.rstrip("?"),
        }
