"""The secretariat's side of review (under /secretariat/review): reviewers, opening review, the board,
conclusions one by one or in bulk."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recognition.accounts.models import Role, User
from recognition.accounts.permissions import blueprint_requires
from recognition.cases.models import Application, State
from recognition.cases.queries import override_reasons_of
from recognition.cases.services import take_step
from recognition.extensions import db
from recognition.params import parse_id
from recognition.review import services
from recognition.review.models import ReviewAssignment
from recognition.review.scoring import SPREAD_RULE, TIE_BREAK_RULE, groups_of
from recognition.review.scoring import board as board_results
from recognition.rounds.queries import get_round_or_404

bp = Blueprint("review_board", __name__, url_prefix="/secretariat/review")
blueprint_requires(bp, Role.secretariat)


def load_application(application_id: int) -> Application:
    application = db.session.scalar(
        select(Application).where(Application.id == application_id, Application.state != State.draft)
    )
    if application is None:
        abort(404)
    return application


@bp.route("/rounds/<int:round_id>/assignments")
def assignments(round_id: int):
    round_ = get_round_or_404(round_id)
    applications = db.session.scalars(
        select(Application)
        .where(Application.round_id == round_.id, Application.state.in_([State.endorsed, State.under_review]))
        .options(selectinload(Application.enterprise), selectinload(Application.product))
        .order_by(Application.id)
    ).all()
    rows = db.session.scalars(
        select(ReviewAssignment)
        .where(ReviewAssignment.application_id.in_([a.id for a in applications] or [-1]))
        .options(selectinload(ReviewAssignment.reviewer))
        .order_by(ReviewAssignment.id)
    ).all()
    by_application: dict[int, list[ReviewAssignment]] = {}
    for row in rows:
        by_application.setdefault(row.application_id, []).append(row)
    return render_template(
        "review_board/assignments.html",
        round=round_,
        applications=applications,
        by_application=by_application,
        members=services.council_of(round_),
    )


@bp.route("/rounds/<int:round_id>/assign-evenly", methods=["POST"])
def assign_evenly(round_id: int):
    round_ = get_round_or_404(round_id)
    try:
        outcome = services.assign_evenly(round_, current_user)
        db.session.commit()
        flash(_("%(count)s assignments made.", count=outcome.made), "success")
        if outcome.short:
            flash(
                _(
                    "No eligible council member is left for %(codes)s: each needs %(needed)s reviewers "
                    "without a conflict of interest. Add members to the council.",
                    codes=", ".join(a.receipt_code for a in outcome.short),
                    needed=round_.reviewers_per_dossier,
                ),
                "warning",
            )
    except services.ReviewError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    return redirect(url_for("review_board.assignments", round_id=round_.id))


@bp.route("/applications/<int:application_id>/reviewers", methods=["POST"])
def add_reviewer(application_id: int):
    application = load_application(application_id)
    user = db.session.get(User, parse_id(request.form.get("user_id", "")) or 0)
    if user is None:
        abort(404)
    try:
        services.assign_reviewer(application, user, current_user)
        db.session.commit()
        flash(_("Reviewer assigned."), "success")
    except services.ReviewError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    return redirect(url_for("review_board.assignments", round_id=application.round_id))


@bp.route("/applications/<int:application_id>/open-review", methods=["POST"])
def open_review(application_id: int):
    application = load_application(application_id)
    _result, refusals = take_step(application, "open_review", current_user, request.form.get("version"))
    for refusal in refusals:
        flash(f"{application.receipt_code}: {refusal.message}", "danger")
    if not refusals:
        flash(_("Council review opened for %(code)s.", code=application.receipt_code), "success")
    return redirect(url_for("review_board.assignments", round_id=application.round_id))


@bp.route("/rounds/<int:round_id>/board")
def board(round_id: int):
    round_ = get_round_or_404(round_id)
    results = board_results(round_)
    return render_template(
        "review_board/board.html",
        round=round_,
        results=results,
        groups=groups_of(round_.id),
        tie_break_rule=TIE_BREAK_RULE,
        spread_rule=SPREAD_RULE,
        overrides=override_reasons_of(round_.id),
    )


@bp.route("/applications/<int:application_id>/conclude", methods=["POST"])
def conclude(application_id: int):
    application = load_application(application_id)
    data = {}
    if request.form.get("outcome") in (State.recommended.value, State.not_recommended.value):
        data["outcome"] = request.form["outcome"]
        data["override_reason"] = request.form.get("override_reason", "")
    _result, refusals = take_step(
        application, "conclude_review", current_user, request.form.get("version"), **data
    )
    for refusal in refusals:
        flash(f"{application.receipt_code}: {refusal.message}", "danger")
    if not refusals:
        flash(_("Review concluded for %(code)s.", code=application.receipt_code), "success")
    return redirect(url_for("review_board.board", round_id=application.round_id))


@bp.route("/rounds/<int:round_id>/conclude", methods=["POST"])
def conclude_all(round_id: int):
    round_ = get_round_or_404(round_id)
    results = services.conclude_complete(round_, current_user)
    done = [r for r in results if not r.refusals]
    flash(_("%(count)s reviews concluded.", count=len(done)), "success")
    for result in results:
        for refusal in result.refusals:
            flash(f"{result.application.receipt_code}: {refusal.message}", "warning")
    return redirect(url_for("review_board.board", round_id=round_.id))
