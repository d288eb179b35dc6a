"""Login, logout and enterprise self-registration."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from recognition.accounts.forms import LoginForm, RegistrationForm
from recognition.accounts.models import normalise_email
from recognition.accounts.permissions import home_url_for
from recognition.accounts.services import DuplicateError, authenticate, register_enterprise
from recognition.extensions import db
from recognition.ratelimit import count_in_window, hit

bp = Blueprint("accounts", __name__)


def safe_next_url(target: str | None) -> str | None:
    """Only a local absolute path may be a post-login target (no //host, \\host, schemes, controls).

    Checked on the raw and the percent-decoded text, so encoded tricks fail too.
    """
    if not target:
        return None
    for candidate in (target, unquote(target)):
        if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
            return None
        if any(ord(ch) < 32 or ch in "\\\x7f" for ch in candidate):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target


def _clear_session_keeping_language() -> None:
    """A fresh session (no fixation, nothing left behind) that still speaks the visitor's language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _start_session(user) -> None:
    _clear_session_keeping_language()
    login_user(user)


# Brute force: at most LOGIN_ATTEMPTS_PER_MINUTE attempts a minute from one client, and 10 failures
# in 15 minutes on one account (then even the right password waits), so no one locks everybody out.
ACCOUNT_FAILURES = 10
ACCOUNT_WINDOW_SECONDS = 15 * 60


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        if not hit(f"login-client:{request.remote_addr}", current_app.config["LOGIN_ATTEMPTS_PER_MINUTE"]):
            abort(429)
        account_key = f"login-account:{normalise_email(form.email.data)}"
        if count_in_window(account_key, ACCOUNT_WINDOW_SECONDS) >= ACCOUNT_FAILURES:
            flash(_("Too many failed attempts on this account. Try again in 15 minutes."), "danger")
            return render_template("accounts/login.html", form=form), 429
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            hit(account_key, ACCOUNT_FAILURES, ACCOUNT_WINDOW_SECONDS)
            flash(_("Wrong e-mail or password."), "danger")
        else:
            _start_session(user)
            return redirect(safe_next_url(request.args.get("next")) or home_url_for(user))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    _clear_session_keeping_language()
    flash(_("You have logged out."), "info")
    return redirect(url_for("registry.home"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            user = register_enterprise(form.to_registration())
            db.session.commit()
        except DuplicateError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(_("This value is already registered."))
        else:
            _start_session(user)
            flash(_("Your enterprise is registered. Welcome!"), "success")
            return redirect(home_url_for(user))
    return render_template("accounts/register.html", form=form)
