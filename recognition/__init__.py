"""Chủ lực: recognition of Hanoi's key industrial products. create_app() builds the app."""

from __future__ import annotations

import io
import ipaddress
import os
from urllib.parse import urlsplit

from flask import Flask, abort, flash, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from recognition.cases.storage import LocalStorage
from recognition.config import load_config
from recognition.extensions import babel, bootstrap, csrf, db, login_manager, migrate
from recognition.i18n import compile_translations, remember_language, select_locale
from recognition.notifications.jobs import watch_commits

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
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
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        instance_relative_config=True,
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path, config))

    import recognition.models  # noqa: F401  (registers every table before migrations or create_all)

    db.init_app(app)
    watch_commits(db.session)
    app.extensions["evidence_storage"] = LocalStorage(
        app.config["EVIDENCE_DIR"], max_expanded_bytes=app.config["OFFICE_MAX_EXPANDED_BYTES"]
    )
    migrate.init_app(app, db, directory=os.path.join(PROJECT_ROOT, "migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    compile_translations()
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(remember_language)
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = TrustedProxyFix(app)
    _init_login(app)
    app.url_map.converters["int"] = BoundedIntConverter
    _register_blueprints(app)
    _register_input_checks(app)
    _register_security_headers(app)
    _register_template_helpers(app)
    _register_error_pages(app)

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

    def __call__(self, environ, start_response):
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
    from recognition.vetting.views import bp as vetting_bp

    for blueprint in (
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
    ):
        app.register_blueprint(blueprint)
    if app.config["LOCAL_OUTBOX"]:
        app.register_blueprint(local_outbox_bp)
    app.register_blueprint(vetting_bp, url_prefix="/unit")
    register_api(app)
    app.register_blueprint(vetting_bp, url_prefix="/secretariat/vetting", name="secretariat_vetting")


class BoundedIntConverter(IntegerConverter):
    """Ids in URLs fit the database's integer columns: a larger one is simply not found (404, not 500)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _register_input_checks(app: Flask) -> None:
    @app.before_request
    def refuse_nul_bytes():
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
    def set_headers(response):
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


def _register_error_pages(app: Flask) -> None:
    from flask import render_template
    from flask_babel import gettext as _
    from flask_babel import lazy_gettext as _l
    from sqlalchemy.exc import IntegrityError
    from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

    from recognition.extensions import is_unique_violation

    messages = {
        400: _l("The request could not be understood. Reload the page and try again."),
        403: _l("You do not have permission to open this page."),
        404: _l("The page you asked for does not exist."),
        405: _l("This action is not allowed here."),
        409: _l("Someone else changed this record first. Reload the page and try again."),
        413: _l("The upload is too large."),
        429: _l("Too many requests. Wait a minute and try again."),
    }

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = messages.get(error.code, error.description)
        return render_template("errors/error.html", code=error.code, message=message), error.code

    @app.errorhandler(RequestEntityTooLarge)
    def upload_too_large(error: RequestEntityTooLarge):
        """A body over MAX_CONTENT_LENGTH is refused unread (H20); the person still gets the page they
        posted from, with the limit stated above its form, or, for a form with no page, the limit and
        a way back."""
        from recognition.nomination.views import upload_message

        over_size = (request.content_length or 0) > (request.max_content_length or 0) > 0
        message = messages[413]
        if over_size:
            message = " ".join((upload_message("too_large"), _("Nothing was saved: choose a smaller file.")))
        page = _page_posted_from(app, message)
        if page is not None:
            return page
        back_url = _same_site_referrer()
        return render_template("errors/error.html", code=413, message=message, back_url=back_url), 413

    @app.errorhandler(IntegrityError)
    def concurrent_insert(error: IntegrityError):
        """Two requests inserted the same unique key at once: the data is right, the loser is told
        so. Any other integrity error is a bug and stays a 500."""
        if not is_unique_violation(error):
            raise error
        db.session.rollback()
        return render_template("errors/error.html", code=409, message=messages[409]), 409

    @app.errorhandler(500)
    def server_error(_error):
        message = _l("Something went wrong on our side. The error has been logged.")
        return render_template("errors/error.html", code=500, message=message), 500


def _page_posted_from(app: Flask, message: str):
    """The page at the posted URL as a GET renders it (same session, same checks), `message` flashed
    on it; None when the URL has no page to show (a POST-only action)."""
    rule = request.url_rule
    if request.method != "POST" or rule is None or "GET" not in (rule.methods or ()):
        return None
    environ = {
        **request.environ,
        "REQUEST_METHOD": "GET",
        "CONTENT_LENGTH": "0",
        "CONTENT_TYPE": "",
        "wsgi.input": io.BytesIO(),
    }
    with app.request_context(environ):
        flash(message, "danger")
        response = app.full_dispatch_request()
    if response.status_code == 200:
        response.status_code = 413
    return response


def _same_site_referrer() -> str | None:
    """The page the person came from, if it is one of ours (never a link out of the site)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import format_decimal, get_locale

    from recognition.accounts.models import ROLE_LABELS
    from recognition.accounts.permissions import ROLE_HOME_ENDPOINTS
    from recognition.cases.models import PRODUCT_CATEGORY_LABELS, STATE_LABELS
    from recognition.cases.queries import self_assessment_of, vetting_report_of
    from recognition.cases.workflow import TRIGGER_LABELS
    from recognition.clock import format_day, format_moment
    from recognition.honours.models import CERTIFICATE_STATUS_LABELS, OBJECTION_STATUS_LABELS
    from recognition.i18n import or_unnamed
    from recognition.notifications.models import MAIL_STATUS_LABELS
    from recognition.notifications.notices import unread_count
    from recognition.rounds.eligibility import format_vnd
    from recognition.rounds.forms import STATUS_LABELS
    from recognition.rounds.key_dates import key_dates
    from recognition.rounds.models import DOCUMENT_KIND_LABELS
    from recognition.rounds.queries import rounds_under_way
    from recognition.vetting.forms import CHECK_LABELS

    app.jinja_env.globals.update(
        unread_notices=unread_count,
        mail_status_labels=MAIL_STATUS_LABELS,
        self_assessment_of=self_assessment_of,
        vetting_report_of=vetting_report_of,
        key_dates_of=key_dates,
        rounds_under_way=rounds_under_way,
        VETTING_CHECK_LABELS=CHECK_LABELS,
        STATE_LABELS=STATE_LABELS,
        TRIGGER_LABELS=TRIGGER_LABELS,
        DOCUMENT_KIND_LABELS=DOCUMENT_KIND_LABELS,
        PRODUCT_CATEGORY_LABELS=PRODUCT_CATEGORY_LABELS,
        ROUND_STATUS_LABELS=STATUS_LABELS,
        OBJECTION_STATUS_LABELS=OBJECTION_STATUS_LABELS,
        CERTIFICATE_STATUS_LABELS=CERTIFICATE_STATUS_LABELS,
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
    def inject_globals():
        return {
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
            "role_labels": ROLE_LABELS,
            "role_homes": ROLE_HOME_ENDPOINTS,
            "current_lang_choice": session.get("lang"),
            "current_path": request.full_path.rstrip("?"),
        }
