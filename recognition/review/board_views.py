"""The secretariat's side of review (under /secretariat/review): reviewers, opening review, the board,
conclusions one by one or in bulk."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from recognition import policy
from recognition.accounts.models import Role, User
from recognition.accounts.permissions import blueprint_requires
from recognition.cases.models import Application, State
from recognition.cases.queries import override_reasons_of
from recognition.cases.services import take_step
from recognition.extensions import db
from recognition.review import forms, services
from recognition.review.models import ReviewAssignment
from recognition.review.scoring import SPREAD_RULE, TIE_BREAK_RULE, groups_of
from recognition.review.scoring import board as board_results
from recognition.rounds.queries import get_round_or_404
from recognition.validators import filled

bp = Blueprint("review_board", __name__, url_prefix="/secretariat/review")
blueprint_requires(bp, Role.secretariat)


def load_application(application_id: int) -> Application:
    application = db.session.scalar(
        select(Application).where(Application.id == application_id, Application.state != State.draft)
    )
    if application is None:
        abort(404)
    return application


def _refused(application: Application, form: forms.Form, back_to: str) -> Response:
    """A board form that did not validate: a garbled hidden field (the page never sends one) is a bad
    request; a wrong choice is flashed with the dossier's code, and the page is shown again."""
    if "version" in form and form["version"].errors:
        abort(400)
    for errors in form.errors.values():
        for error in errors:
            flash(f"{application.receipt_code}: {error}", "danger")
    return redirect(back_to)


@bp.route("/rounds/<int:round_id>/assignments")
def assignments(round_id: int) -> ResponseReturnValue:
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
def assign_evenly(round_id: int) -> ResponseReturnValue:
    round_ = get_round_or_404(round_id)
    back = policy.back_to(url_for("review_board.assignments", round_id=round_.id))
    outcome = services.assign_evenly(round_, current_user)
    policy.commit()
    flash(_("%(count)s assignments made.", count=outcome.made), "success")
    if outcome.short:
        flash(
            _(
                "No eligible council member is left for %(codes)s: each needs %(needed)s reviewers "
                "without a conflict of interest. Add members to the council.",
                codes=", ".join(a.receipt_code or "" for a in outcome.short),  # submitted: each has one
                needed=round_.reviewers_per_dossier,
            ),
            "warning",
        )
    return redirect(back)


@bp.route("/applications/<int:application_id>/reviewers", methods=["POST"])
def add_reviewer(application_id: int) -> ResponseReturnValue:
    application = load_application(application_id)
    form = forms.AddReviewerForm()
    if not form.validate_on_submit():
        return _refused(application, form, url_for("review_board.assignments", round_id=application.round_id))
    user = db.session.get(User, filled(form.user_id.data))
    if user is None:
        abort(404)
    back = policy.back_to(url_for("review_board.assignments", round_id=application.round_id))
    services.assign_reviewer(application, user, current_user)
    policy.commit()
    flash(_("Reviewer assigned."), "success")
    return redirect(back)


@bp.route("/applications/<int:application_id>/open-review", methods=["POST"])
def open_review(application_id: int) -> ResponseReturnValue:
    application = load_application(application_id)
    form = forms.BoardStepForm()
    if not form.validate_on_submit():
        return _refused(application, form, url_for("review_board.assignments", round_id=application.round_id))
    back = policy.back_to(
        url_for("review_board.assignments", round_id=application.round_id), about=application.receipt_code
    )
    take_step(application, "open_review", current_user, form.version.data)
    policy.commit()
    flash(_("Council review opened for %(code)s.", code=application.receipt_code), "success")
    return redirect(back)


@bp.route("/rounds/<int:round_id>/board")
def board(round_id: int) -> ResponseReturnValue:
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
def conclude(application_id: int) -> ResponseReturnValue:
    application = load_application(application_id)
    form = forms.ConclusionForm()
    if not form.validate_on_submit():
        return _refused(application, form, url_for("review_board.board", round_id=application.round_id))
    back = policy.back_to(
        url_for("review_board.board", round_id=application.round_id), about=application.receipt_code
    )
    take_step(application, "conclude_review", current_user, form.version.data, **form.step_data())
    policy.commit()
    flash(_("Review concluded for %(code)s.", code=application.receipt_code), "success")
    return redirect(back)


@bp.route("/rounds/<int:round_id>/conclude", methods=["POST"])
def conclude_all(round_id: int) -> ResponseReturnValue:
    round_ = get_round_or_404(round_id)
    results = services.conclude_complete(round_, current_user)
    policy.commit()  # each dossier stood alone (a savepoint each): the concluded ones are kept
    done = [r for r in results if not r.refusals]
    flash(_("%(count)s reviews concluded.", count=len(done)), "success")
    for result in results:
        for refusal in result.refusals:
            flash(f"{result.application.receipt_code}: {refusal.message}", "warning")
    return redirect(url_for("review_board.board", round_id=round_.id))
