"""The council member's side (under /council): assigned dossiers, declaration of interests, scoring, panel.

A member reaches only their own assignments; one they declared a conflict on is gone for them (404).
Other members' points, totals and comments appear only once the member has submitted their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from recognition.accounts.models import Role, User
from recognition.accounts.permissions import restricted_blueprint
from recognition.cases.downloads import document_links, send_document
from recognition.cases.models import Application, State
from recognition.cases.queries import document_of_or_404
from recognition.extensions import db
from recognition.nomination.services import current_documents
from recognition.params import int_arg
from recognition.policy import commit
from recognition.review import forms, scoring, services
from recognition.review.models import AssignmentStage, Criterion, CriterionGroup, ReviewAssignment, Score
from recognition.rounds.models import Round

bp = restricted_blueprint("review", __name__, "/council", Role.council_member)
ASSIGNMENTS_PER_PAGE = 50


@bp.context_processor
def points_formatter() -> dict[str, Any]:
    return {"points": forms.format_points}


# --- named queries ---------------------------------------------------------------------------------


class _RowsPagination(SelectPagination):
    """Flask-SQLAlchemy's pagination of a select of several entities: its rows, not first columns."""

    def _query_items(self) -> list[Any]:
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(stmt).all())


def assignments_of(user: User, page: int) -> Pagination:
    """One page of the member's assignments (not those they declared a conflict on), each as
    (assignment, dossier) with the dossier's round, enterprise and product (read when a dossier has no
    submitted record); newest round first."""
    return _RowsPagination(
        page=page,
        per_page=ASSIGNMENTS_PER_PAGE,
        error_out=False,
        select=select(ReviewAssignment, Application)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .join(Application.round)
        .where(ReviewAssignment.reviewer_id == user.id, ReviewAssignment.reviews)
        .options(
            contains_eager(Application.round),
            joinedload(Application.enterprise),
            joinedload(Application.product),
        )
        .order_by(Round.year.desc(), Application.receipt_code, ReviewAssignment.id),
        session=db.session,
    )


def get_own_assignment_or_404(
    user: User, assignment_id: int, lock: bool = False
) -> tuple[ReviewAssignment, Application]:
    """The member's own assignment and its dossier; someone else's, or one with a declared conflict,
    is not found. `lock` holds the assignment row until commit, so two tabs cannot both submit."""
    stmt = select(ReviewAssignment).where(
        ReviewAssignment.id == assignment_id,
        ReviewAssignment.reviewer_id == user.id,
        ReviewAssignment.reviews,
    )
    if lock:
        stmt = stmt.with_for_update()
    assignment = db.session.scalar(stmt)
    if assignment is None:
        abort(404)
    return assignment, db.session.get_one(Application, assignment.application_id)


# --- what the member does next -----------------------------------------------------------------------

NEXT_STEP_LABELS = {
    "declare": _l("Declare your interests"),
    "wait": _l("Waiting for the council review to open"),
    "score": _l("Score the dossier"),
    "submitted": _l("Scores submitted"),
    "closed": _l("Scoring closed"),
}


def next_step(assignment: ReviewAssignment, application: Application) -> str:
    if assignment.stage == AssignmentStage.undeclared:
        return "declare"
    if assignment.stage == AssignmentStage.submitted:
        return "submitted"
    if application.state == State.under_review:
        return "score"
    if application.state == State.endorsed:
        return "wait"
    return "closed"


def scoring_closed_reason(application: Application) -> str | None:
    """Why the member cannot score this dossier now (None while it is under council review)."""
    if application.state == State.under_review:
        return None
    if application.state == State.endorsed:
        return _("Scoring opens when the secretariat opens the council review of this dossier.")
    return _("Scoring is open only while the dossier is under council review.")


# --- the panel, after the member's own submission -----------------------------------------------------


@dataclass
class PanelRow:
    criterion: Criterion
    mean: Decimal | None
    # assignment id → the submitted score (None: this reviewer does not score this criterion)
    scores: dict[int, Score | None] = field(default_factory=dict)


@dataclass
class PanelGroup:
    group: CriterionGroup
    total: Decimal | None
    rows: list[PanelRow]


@dataclass
class Panel:
    """The dossier's scores side by side: every active reviewer, their submitted points and totals,
    the per-criterion means and the dossier's total (scoring.dossier_result)."""

    reviewers: list[ReviewAssignment]
    groups: list[PanelGroup]
    result: scoring.DossierResult


def panel_of(application: Application) -> Panel:
    result = scoring.dossier_result(application)
    # Only submitted scores: a reviewer still working keeps their draft to themselves.
    submitted = {a.id: {s.criterion_id: s for s in a.scores} for a in result.assignments if a.submitted_at}
    groups = []
    for group in scoring.groups_of(application.round_id):
        rows = [
            PanelRow(
                criterion,
                result.criterion_means.get(criterion.id),
                {a.id: submitted.get(a.id, {}).get(criterion.id) for a in result.assignments},
            )
            for criterion in group.criteria
        ]
        groups.append(PanelGroup(group, result.group_totals.get(group.id), rows))
    return Panel(result.assignments, groups, result)


# --- routes -------------------------------------------------------------------------------------------


def _declare_first(assignment: ReviewAssignment) -> ResponseReturnValue:
    flash(_("Declare first whether you have a conflict of interest with this dossier."), "warning")
    return redirect(url_for(".declare", assignment_id=assignment.id))


@bp.route("/")
def home() -> ResponseReturnValue:
    page = assignments_of(current_user, int_arg("page") or 1)
    rows = [(a, application, next_step(a, application)) for a, application in page.items]
    return render_template("review/home.html", rows=rows, page=page, next_step_labels=NEXT_STEP_LABELS)


@bp.route("/assignments/<int:assignment_id>/declare", methods=["GET", "POST"])
def declare(assignment_id: int) -> ResponseReturnValue:
    assignment, application = get_own_assignment_or_404(
        current_user, assignment_id, lock=request.method == "POST"
    )
    form = forms.DeclarationForm()
    if request.method == "GET" and assignment.has_conflict is False:
        form.conflict.data = "no"
    if form.validate_on_submit():
        services.declare(assignment, form.has_conflict, form.reason.data or "")  # refused: back to this page
        commit()
        if form.has_conflict:
            flash(
                _(
                    "Your conflict of interest is recorded and you no longer review this dossier. "
                    "The secretariat has been told so that it can assign another member."
                ),
                "success",
            )
            return redirect(url_for(".home"))
        flash(_("Your declaration is recorded: no conflict of interest."), "success")
        target = ".score" if application.state == State.under_review else ".assignment"
        return redirect(url_for(target, assignment_id=assignment.id))
    return render_template("review/declare.html", assignment=assignment, application=application, form=form)


@bp.route("/assignments/<int:assignment_id>")
def assignment(assignment_id: int) -> ResponseReturnValue:
    assignment, application = get_own_assignment_or_404(current_user, assignment_id)
    if assignment.has_conflict is None:
        return _declare_first(assignment)
    return render_template(
        "review/dossier.html",
        assignment=assignment,
        application=application,
        step=next_step(assignment, application),
        next_step_labels=NEXT_STEP_LABELS,
        closed_reason=scoring_closed_reason(application),
        documents=current_documents(application),
        panel=panel_of(application) if assignment.submitted_at is not None else None,
        document_url=document_links(".document", assignment_id=assignment.id),
    )


@bp.route("/assignments/<int:assignment_id>/documents/<int:document_id>")
def document(assignment_id: int, document_id: int) -> ResponseReturnValue:
    """A document of a dossier the member reviews; images and PDFs may be shown inline for preview."""
    assignment, application = get_own_assignment_or_404(current_user, assignment_id)
    if assignment.has_conflict is None:
        return _declare_first(assignment)
    document = document_of_or_404(application, document_id)
    return send_document(document, inline=request.args.get("inline") == "1")


@bp.route("/assignments/<int:assignment_id>/score", methods=["GET", "POST"])
def score(assignment_id: int) -> ResponseReturnValue:
    assignment, application = get_own_assignment_or_404(
        current_user, assignment_id, lock=request.method == "POST"
    )
    if assignment.has_conflict is None:
        return _declare_first(assignment)
    if assignment.submitted_at is not None:
        flash(_("Your scores are already submitted."), "info")
        return redirect(url_for(".assignment", assignment_id=assignment.id))
    criteria = scoring.criteria_for_member(application.round_id, assignment.reviewer_id)
    form = forms.score_form_for(criteria, assignment.scores)
    if form.validate_on_submit():
        # A refusal (scoring closed, criteria changed) returns to this page; errors in the points
        # show the form again with what was typed.
        errors = services.save_scores(assignment, application, form.inputs(), submit=form.submitting)
        if not errors:
            commit()
            if form.submitting:
                flash(_("Your scores are submitted. The council's scores are shown below."), "success")
                return redirect(url_for(".assignment", assignment_id=assignment.id, _anchor="panel"))
            flash(_("Draft saved. You can come back and finish it later."), "success")
            return redirect(url_for(".score", assignment_id=assignment.id))
        form.show_errors(errors)
    return render_template(
        "review/score.html",
        assignment=assignment,
        application=application,
        form=form,
        closed_reason=scoring_closed_reason(application),
    )
