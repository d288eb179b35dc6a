"""The request policy: what every request obeys, in one room (as Indico's request handlers do).

- Services raise refusals (`recognition.cases.errors.Refused` and its kinds) and never commit.
- A view that succeeds calls commit() once, at its end: the request's one commit point. A request
  that ends any other way keeps nothing (Flask-SQLAlchemy discards what was not committed).
- A refusal that leaves the view is rolled back and answered here: its messages flashed, in the
  user's language, on the page the form came from (back_to() names that page when the view knows
  it better), or, for the JSON API and JSON requests, `{"errors": [...]}` with the refusal's status.
- A view that must show its form again, with what was typed and uploaded, catches the refusal with
  redisplay_on_refusal() instead: the same rollback, the messages beside the form.
- Every error handler rolls back first: the request may have failed half-way through a transaction,
  and the error page itself reads the session (the logged-in user, the notices).
- The rate limiter's counts outlive a refused or failed request: what a rollback took away is written
  again, and committed, when the request ends (recognition.ratelimit).

CLI commands and background jobs (the sweep, the mail drain, seed-demo) are units of work of their
own and commit themselves.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES

from recognition.cases.errors import Refusal, Refused
from recognition.cases.storage import upload_message
from recognition.extensions import db, is_unique_violation
from recognition.ratelimit import count_again, counts_to_keep, watch_counts

ERROR_MESSAGES = {
    400: _l("The request could not be understood. Reload the page and try again."),
    403: _l("You do not have permission to open this page."),
    404: _l("The page you asked for does not exist."),
    405: _l("This action is not allowed here."),
    409: _l("Someone else changed this record first. Reload the page and try again."),
    413: _l("The upload is too large."),
    429: _l("Too many requests. Wait a minute and try again."),
}


# What views call ---------------------------------------------------------------------------------


def commit() -> None:
    """The request's one commit point: called once, at the end of a view that succeeded."""
    db.session.commit()


def back_to(url: str, about: str | None = None) -> str:
    """Name the page a refusal of this request returns to (usually the page the form is on, where
    success goes too) and, on a page that lists many, what the refusal is about (a receipt code,
    put before each message). Returns `url`."""
    g.refusal_back_url = url
    g.refusal_about = about
    return url


@contextmanager
def redisplay_on_refusal(form: FlaskForm | None = None, field: str | None = None) -> Iterator[list[Refusal]]:
    """For a view that shows its form again on a refusal, with what was typed and uploaded.

    A refusal raised in the block is rolled back; the rest of the block does not run and the view goes
    on to render its form. The messages go beside the field the refusal names, else beside `field`,
    else above the form (flashed); without a form they are only collected. Yields the list the
    refusals land in, for pages that list them."""
    refusals: list[Refusal] = []
    try:
        yield refusals
    except Refused as refused:
        db.session.rollback()
        refusals.extend(refused.refusals)
        if form is None:
            return
        target = form._fields.get(refused.field or field or "")
        if target is not None:
            target.errors = [*target.errors, *refused.messages]
        else:
            for message in refused.messages:
                flash(message, refused.category)


def wants_json() -> bool:
    """The JSON API, and requests that send or accept only JSON, are answered in JSON."""
    from recognition.registry.api import API_PREFIX

    if request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.is_json or best == "application/json"


def same_site_referrer() -> str | None:
    """The page the person came from, if it is one of ours (never a link out of the site)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


# The handlers -------------------------------------------------------------------------------------


def register_request_policy(app: Flask) -> None:
    """Called by create_app(): the refusal handler, the error pages, and the rate limiter's counts."""
    watch_counts(db.session)
    app.register_error_handler(Refused, refused)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(RequestEntityTooLarge, upload_too_large)
    app.register_error_handler(IntegrityError, concurrent_insert)
    app.register_error_handler(500, server_error)
    app.after_request(keep_rate_limit_counts)


def refused(refusal: Refused) -> ResponseReturnValue:
    """A refusal a view let through: rolled back, then flashed on the page the form came from, or
    answered in JSON. A refused GET has no form to go back to: its page says why."""
    db.session.rollback()
    about = g.get("refusal_about")
    messages = [f"{about}: {message}" for message in refusal.messages] if about else refusal.messages
    status = refusal.http_status
    if wants_json():
        body = {
            "code": status,
            "status": HTTP_STATUS_CODES.get(status, "Error"),
            "message": " ".join(messages),
            "errors": messages,
        }
        return jsonify(body), status
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        page = render_template(
            "errors/error.html", code=status, message=" ".join(messages), back_url=same_site_referrer()
        )
        return page, status
    for message in messages:
        flash(message, refusal.category)
    return redirect(_way_back())


def _way_back() -> str:
    """Where a refused form returns: the page the view named, else the page the form was on, else
    the posted address's own page, else the home page."""
    rule = request.url_rule
    has_page = rule is not None and "GET" in (rule.methods or ())
    posted_page = request.full_path.rstrip("?") if has_page else None
    return g.get("refusal_back_url") or same_site_referrer() or posted_page or url_for("registry.home")


def http_error(error: HTTPException) -> tuple[str, int]:
    db.session.rollback()
    message = ERROR_MESSAGES.get(error.code or 500, error.description)
    return render_template("errors/error.html", code=error.code, message=message), error.code or 500


def upload_too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A body over MAX_CONTENT_LENGTH is refused unread (H20); the person still gets the page they
    posted from, with the limit stated above its form, or, for a form with no page, the limit and
    a way back."""
    db.session.rollback()

    over_size = (request.content_length or 0) > (request.max_content_length or 0) > 0
    message = str(ERROR_MESSAGES[413])
    if over_size:
        message = " ".join((upload_message("too_large"), _("Nothing was saved: choose a smaller file.")))
    page = _page_posted_from(current_app._get_current_object(), message)  # type: ignore[attr-defined]
    if page is not None:
        return page
    return render_template("errors/error.html", code=413, message=message, back_url=same_site_referrer()), 413


def concurrent_insert(error: IntegrityError) -> tuple[str, int]:
    """Two requests inserted the same unique key at once: the data is right, the loser is told
    so. Any other integrity error is a bug and stays a 500."""
    db.session.rollback()
    if not is_unique_violation(error):
        raise error
    return render_template("errors/error.html", code=409, message=ERROR_MESSAGES[409]), 409


def server_error(_error: Exception) -> tuple[str, int]:
    db.session.rollback()
    message = _l("Something went wrong on our side. The error has been logged.")
    return render_template("errors/error.html", code=500, message=message), 500


def keep_rate_limit_counts(response: Response) -> Response:
    """At the end of every request: counts a rollback took away (or that the view left uncommitted)
    are written again and committed, and nothing else the request left uncommitted is kept."""
    if counts_to_keep():
        db.session.rollback()
        count_again()
        db.session.commit()
    return response


def _page_posted_from(app: Flask, message: str) -> Response | None:
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
