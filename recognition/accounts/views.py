"""Login, logout, password change and enterprise self-registration."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from recognition.accounts.forms import ChangePasswordForm, LoginForm, RegistrationForm
from recognition.accounts.models import User
from recognition.accounts.permissions import home_url_for
from recognition.accounts.services import (
    attempt_login,
    change_password,
    confirm_email,
    register_once_more_on_a_race,
    user_to_confirm,
)
from recognition.policy import commit, redisplay_on_refusal
from recognition.ratelimit import hit
from recognition.validators import filled

bp = Blueprint("accounts", __name__)

# What an account that must still replace its initial password may open.
OPEN_BEFORE_PASSWORD_CHANGE = frozenset(
    {"accounts.change_password", "accounts.logout", "static", "bootstrap.static", "registry.switch_language"}
)


@bp.before_app_request
def require_own_password() -> ResponseReturnValue | None:
    """An account opened by the administrator picks its own password before anything else."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in OPEN_BEFORE_PASSWORD_CHANGE
    ):
        flash(_("Choose your own password before you continue."), "warning")
        return redirect(url_for("accounts.change_password"))
    return None


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


def _start_session(user: User) -> None:
    _clear_session_keeping_language()
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """At most LOGIN_ATTEMPTS_PER_MINUTE attempts a minute per client; per-account limits in
    attempt_login()."""
    form = LoginForm()
    if form.validate_on_submit():
        if not hit(f"login-client:{request.remote_addr}", current_app.config["LOGIN_ATTEMPTS_PER_MINUTE"]):
            abort(429)
        outcome = attempt_login(filled(form.email.data), filled(form.password.data), request.remote_addr)
        commit()  # the attempt is counted, and a success clears the failures, whatever follows
        if outcome.user is not None:
            _start_session(outcome.user)
            return redirect(safe_next_url(request.args.get("next")) or home_url_for(outcome.user))
        flash(str(outcome.message), "danger")
        if outcome.retry_after:
            page = render_template("accounts/login.html", form=form)
            return page, 429, {"Retry-After": str(outcome.retry_after)}
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    current_user.end_sessions()
    commit()
    logout_user()
    _clear_session_keeping_language()
    flash(_("You have logged out."), "info")
    return redirect(url_for("registry.home"))


@bp.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_view() -> ResponseReturnValue:
    """Any logged-in user. Every other session of the account ends; this one goes on."""
    form = ChangePasswordForm(current_user)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        change_password(user, filled(form.new_password.data))
        commit()
        _start_session(user)
        flash(_("Your password is changed. Your other sessions have ended."), "success")
        return redirect(home_url_for(user))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    form = RegistrationForm()
    if form.validate_on_submit():
        if not hit(
            f"register-client:{request.remote_addr}", current_app.config["REGISTRATIONS_PER_HOUR"], 3600
        ):
            abort(429)
        with redisplay_on_refusal(form):  # only a tax code (public data) is refused; e-mails never are
            register_once_more_on_a_race(form.to_registration())
            commit()
            return render_template("accounts/registration_sent.html", email=filled(form.email.data).strip())
    return render_template("accounts/register.html", form=form)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str) -> ResponseReturnValue:
    """The link in the confirmation mail. GET shows a button, POST confirms: a mail scanner that
    fetches the link changes nothing."""
    user = user_to_confirm(token)
    if user is None:
        return render_template("accounts/confirm.html", email=None)
    if request.method == "POST":
        confirm_email(user)
        commit()
        flash(_("Your e-mail address is confirmed. You can log in now."), "success")
        return redirect(url_for(".login"))
    return render_template("accounts/confirm.html", email=user.email)
