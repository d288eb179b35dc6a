"""The public face: home, language switch, registry, certificate verification, dossier tracking,
published results with the comment form. No login; nothing beyond what the registry publishes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select

from recognition.accounts.services import current_sectors, units_open_for_registration
from recognition.accounts.views import safe_next_url
from recognition.cases.models import Application
from recognition.cases.queries import timeline_of
from recognition.cases.storage import UploadRejected, upload_message
from recognition.clock import local_today
from recognition.extensions import db
from recognition.honours import services as honours
from recognition.honours.forms import CommentForm, CommentLookupForm, TrackForm
from recognition.honours.results import published_lines
from recognition.paging import page_arg, slice_of
from recognition.params import int_arg
from recognition.policy import commit, redisplay_on_refusal
from recognition.ratelimit import hit
from recognition.registry.queries import (
    RegistryFilters,
    certificate_by_serial,
    comment_by_reference,
    product_certificates,
    registry_page,
    tracked_application,
)
from recognition.rounds.models import Round
from recognition.rounds.queries import rounds_under_way
from recognition.validators import filled

bp = Blueprint("registry", __name__)
TRACK_LIMIT_PER_MINUTE = 10
COMMENT_LIMIT_PER_MINUTE = 5
Found = TypeVar("Found")


@bp.route("/")
def home() -> ResponseReturnValue:
    """What a visitor looks for: the rounds under way, the results out for comment, the registry."""
    return render_template(
        "registry/home.html",
        rounds=rounds_under_way(),
        rounds_for_comment=honours.rounds_open_for_comment(),
        contact=current_app.config["SECRETARIAT_CONTACT"],
    )


@bp.route("/lang/<code>")
def switch_language(code: str) -> ResponseReturnValue:
    """Remember the chosen language in the session and go back where the visitor was."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["lang"] = code
    return redirect(safe_next_url(request.args.get("next")) or url_for("registry.home"))


@bp.route("/registry")
def registry() -> ResponseReturnValue:
    filters = RegistryFilters.from_args(request.args)
    page = registry_page(filters, int_arg("page") or 1)
    years = db.session.scalars(select(Round.year).distinct().order_by(Round.year.desc())).all()
    return render_template(
        "registry/registry.html",
        page=page,
        filters=filters,
        years=years,
        sectors=current_sectors(local_today()),
        units=units_open_for_registration(local_today()),
    )


@bp.route("/registry/<int:product_id>")
def product(product_id: int) -> ResponseReturnValue:
    certificates = product_certificates(product_id)
    if not certificates:
        abort(404)
    return render_template(
        "registry/product.html", certificates=certificates, product=certificates[0].application.product_record
    )


@bp.route("/verify/<serial>")
def verify(serial: str) -> ResponseReturnValue:
    certificate = certificate_by_serial(serial[:40])
    return render_template("registry/verify.html", certificate=certificate, serial=serial[:40]), (
        200 if certificate else 404
    )


def client_key() -> str:
    """The client's address (behind a proxy, ProxyFix makes it the real one: TRUSTED_PROXIES)."""
    return request.remote_addr or "unknown"


def _limit(action: str, per_minute: int) -> None:
    """At most `per_minute` tries of a public action a minute from one client; beyond that, 429."""
    if not hit(f"{action}:{client_key()}", per_minute):
        abort(429)


def _look_up(form: FlaskForm, action: str, find: Callable[[], Found | None]) -> tuple[bool, Found | None]:
    """A public lookup by a code and its secret, rate-limited per client: whether the visitor asked,
    and what was found (a wrong pair finds nothing, exactly as a missing code does)."""
    if not form.validate_on_submit():
        return False, None
    _limit(action, TRACK_LIMIT_PER_MINUTE)
    return True, find()


@bp.route("/track", methods=["GET", "POST"])
def track() -> ResponseReturnValue:
    """A dossier's stage by receipt code and lookup secret; a wrong pair looks exactly like a missing code.
    The address on the receipt slip (/track?code=...) fills the code in: only the secret is left to type."""
    form = TrackForm()
    if request.method == "GET":
        form.receipt_code.data = request.args.get("code", "")[:40]
    looked_up, application = _look_up(
        form,
        "track",
        lambda: tracked_application(filled(form.receipt_code.data), filled(form.lookup_secret.data)),
    )
    timeline = timeline_of(application) if application else []
    return render_template(
        "registry/track.html", form=form, application=application, looked_up=looked_up, timeline=timeline
    )


@bp.route("/results/<int:round_id>", methods=["GET", "POST"])
def results(round_id: int) -> ResponseReturnValue:
    round_ = db.session.get(Round, round_id)
    if round_ is None or round_.results_published_at is None:
        abort(404)
    # The frozen list alone (no dossier read), a page of it shown; a comment may name any line.
    listed = published_lines(round_)
    shown = slice_of(listed, page_arg())
    form = CommentForm(listed if request.method == "POST" else shown.items)
    if form.validate_on_submit():
        _limit("comment", COMMENT_LIMIT_PER_MINUTE)
        application = db.session.get_one(Application, form.application_id.data)  # a listed one
        try:
            with redisplay_on_refusal(form):  # refused (comments closed): the comment stays as typed
                received = honours.submit_objection(
                    application, filled(form.name.data), filled(form.contact.data), filled(form.text.data),
                    form.is_objection.data, form.file.data,
                )  # fmt: skip
                commit()
                flash(_("Thank you: your comment has been received by the secretariat."), "success")
                # The secret is shown on this response only (kept hashed, never in the session).
                return render_template("registry/comment_received.html", round=round_, received=received)
        except UploadRejected as rejection:
            db.session.rollback()
            form.file.errors.append(upload_message(rejection.reason))
    return render_template(
        "registry/results.html",
        round=round_,
        results=shown,
        form=form,
        comments_open=honours.comments_open(round_),
    )


@bp.route("/results/answer", methods=["GET", "POST"])
def comment_answer() -> ResponseReturnValue:
    """The sender of a comment reads the secretariat's answer with its reference and lookup secret."""
    form = CommentLookupForm()
    if not form.is_submitted():
        form.reference.data = request.args.get("reference", "")[:20]  # the mailed link fills it in
    looked_up, objection = _look_up(
        form,
        "comment-answer",
        lambda: comment_by_reference(filled(form.reference.data), filled(form.lookup_secret.data)),
    )
    return render_template(
        "registry/comment_answer.html", form=form, objection=objection, looked_up=looked_up
    )
