"""The secretariat's side of review (under /secretariat/review): reviewers, opening review, the board,
conclusions one by one or in bulk."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from recognition import policy
from recognition.accounts.models import Role, User
from recognition.accounts.permissions import restricted_blueprint
from recognition.cases.models import Application, State
from recognition.cases.queries import override_reasons_for
from recognition.cases.services import take_step
from recognition.extensions import db
from recognition.paging import page_arg
from recognition.review import forms, services
from recognition.review.ranking import board_page
from recognition.review.scoring import SPREAD_RULE, TIE_BREAK_RULE, groups_of
from recognition.rounds.queries import get_round_or_404
from recognition.validators import filled

bp = restricted_blueprint("review_board", __name__, "/secretariat/review", Role.secretariat)


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
    return render_template(
        "review_board/assignments.html",
        round=round_,
        **services.assignment_board(round_, page_arg())._asdict(),
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


class BoardStep(NamedTuple):
    """A workflow step the board takes on one dossier from its row of a round's page: the trigger, its
    form, the page (an endpoint taking the round's id), and what is said once it is done."""

    trigger: str
    form: Callable[[], forms.BoardStepForm]
    page: str
    done: LazyString


OPEN_REVIEW = BoardStep(
    "open_review", forms.BoardStepForm, "review_board.assignments", _l("Council review opened for %(code)s.")
)
CONCLUDE_REVIEW = BoardStep(
    "conclude_review", forms.ConclusionForm, "review_board.board", _l("Review concluded for %(code)s.")
)


def _board_step(application_id: int, step: BoardStep) -> ResponseReturnValue:
    """Fire the step and go back to its page; a refusal goes back there too, about the dossier's code."""
    application = load_application(application_id)
    page = url_for(step.page, round_id=application.round_id)
    form = step.form()
    if not form.validate_on_submit():
        return _refused(application, form, page)
    back = policy.back_to(page, about=application.receipt_code)
    take_step(application, step.trigger, current_user, form.version.data, **form.step_data())
    policy.commit()
    flash(str(step.done) % {"code": application.receipt_code}, "success")
    return redirect(back)


@bp.route("/applications/<int:application_id>/open-review", methods=["POST"])
def open_review(application_id: int) -> ResponseReturnValue:
    return _board_step(application_id, OPEN_REVIEW)


@bp.route("/rounds/<int:round_id>/board")
def board(round_id: int) -> ResponseReturnValue:
    """A page of the board, ranked among the whole round: what it costs does not grow with the round."""
    round_ = get_round_or_404(round_id)
    results = board_page(round_, page_arg())
    return render_template(
        "review_board/board.html",
        round=round_,
        results=results,
        groups=groups_of(round_.id),
        tie_break_rule=TIE_BREAK_RULE,
        spread_rule=SPREAD_RULE,
        overrides=override_reasons_for([r.application.id for r in results]),
    )


@bp.route("/applications/<int:application_id>/conclude", methods=["POST"])
def conclude(application_id: int) -> ResponseReturnValue:
    return _board_step(application_id, CONCLUDE_REVIEW)


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
