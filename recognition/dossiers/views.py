"""The secretariat's whole view of every dossier (under /secretariat/dossiers), read-only: the
nomination, vetting report, supplements and answers, documents, timeline and the council's score
sheets. Each step the Department may take links to the page that holds its form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from recognition.accounts.models import Role, User
from recognition.accounts.permissions import restricted_blueprint
from recognition.accounts.services import current_sectors
from recognition.cases.downloads import send_document
from recognition.cases.models import Application
from recognition.cases.pages import render_dossier
from recognition.cases.queries import document_of_or_404
from recognition.cases.workflow import allowed_triggers
from recognition.clock import local_today
from recognition.dossiers.queries import (
    SUBMITTED_STATES,
    dossier_page,
    dossier_state_counts,
    get_dossier_or_404,
)
from recognition.params import int_arg
from recognition.review.forms import format_points
from recognition.review.views import panel_of
from recognition.rounds.queries import rounds_newest_first
from recognition.supporting.letters import selection_letter_response
from recognition.supporting.selections import selection_of
from recognition.vetting.queries import QueueFilters

bp = restricted_blueprint("dossiers", __name__, "/secretariat/dossiers", Role.secretariat)

# Where the Department takes each step it may take on a dossier: the page holding the step's form.
STEP_PAGES: dict[str, tuple[object, Callable[[Application], str]]] = {
    "start_vetting": (
        _l("Start vetting"),
        lambda a: url_for("secretariat_vetting.dossier", application_id=a.id),
    ),
    "request_supplement": (
        _l("Request a supplement"),
        lambda a: url_for("secretariat_vetting.request_supplement", application_id=a.id),
    ),
    "endorse": (_l("Endorse"), lambda a: url_for("secretariat_vetting.endorse", application_id=a.id)),
    "reject_in_unit": (_l("Reject"), lambda a: url_for("secretariat_vetting.reject", application_id=a.id)),
    "open_review": (_l("Open review"), lambda a: url_for("review_board.assignments", round_id=a.round_id)),
    "conclude_review": (
        _l("Conclude"),
        lambda a: url_for("review_board.board", round_id=a.round_id, _anchor=f"dossier-{a.id}"),
    ),
    "recognise": (
        _l("The city's decision"),
        lambda a: url_for("honours.round_page", round_id=a.round_id, _anchor="decision"),
    ),
}


def step_links(application: Application, user: User) -> list[tuple[object, str]]:
    """(label, url) of the steps this user may take now, by the workflow's own permission predicates."""
    return [
        (STEP_PAGES[trigger][0], STEP_PAGES[trigger][1](application))
        for trigger in allowed_triggers(application, user)
        if trigger in STEP_PAGES
    ]


@bp.context_processor
def points_formatter() -> dict[str, Any]:
    return {"points": format_points}


@bp.route("/")
def home() -> ResponseReturnValue:
    filters = QueueFilters.from_args(request.args)
    return render_template(
        "dossiers/home.html",
        page=dossier_page(current_user, filters, int_arg("page") or 1),
        filters=filters,
        counts=dossier_state_counts(current_user, filters),
        states=SUBMITTED_STATES,
        rounds=rounds_newest_first(),
        sectors=current_sectors(local_today()),
        today=local_today(),
    )


@bp.route("/<int:application_id>")
def dossier(application_id: int) -> ResponseReturnValue:
    application = get_dossier_or_404(current_user, application_id)
    panel = panel_of(application)
    return render_dossier(
        "dossiers/dossier.html",
        application,
        steps=step_links(application, current_user),
        panel=panel if panel.reviewers else None,
        selection=selection_of(application),
    )


@bp.route("/<int:application_id>/selection-letter.pdf")
def selection_letter(application_id: int) -> ResponseReturnValue:
    """The confirmation letter of a dossier selected for support, as the enterprise downloads it."""
    application = get_dossier_or_404(current_user, application_id)
    return selection_letter_response(application, url_for(".dossier", application_id=application.id))


@bp.route("/<int:application_id>/documents/<int:document_id>")
def document(application_id: int, document_id: int) -> ResponseReturnValue:
    """A document of a submitted dossier; images and PDFs may be shown inline for preview."""
    application = get_dossier_or_404(current_user, application_id)
    return send_document(
        document_of_or_404(application, document_id), inline=request.args.get("inline") == "1"
    )
