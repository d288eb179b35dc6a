"""The vetting body's side: queue, dossier, start, request to supplement, endorse, reject.

One blueprint, registered twice: at /unit for unit officers (rounds vetted by the enterprise's
unit) and at /secretariat/vetting for the Department (rounds it vets itself); same pages, same rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from recognition.accounts.models import Role
from recognition.accounts.permissions import role_required
from recognition.accounts.services import current_sectors
from recognition.cases.downloads import send_document
from recognition.cases.errors import Refusal
from recognition.cases.models import Application
from recognition.cases.pages import render_dossier
from recognition.cases.queries import document_of_or_404
from recognition.cases.services import take_step
from recognition.cases.workflow import allowed_triggers
from recognition.clock import local_today
from recognition.documents.responses import refusal_slip_response, supplement_request_slip_response
from recognition.i18n import Form
from recognition.params import int_arg
from recognition.policy import back_to, commit, redisplay_on_refusal
from recognition.rounds.calendar import add_working_days
from recognition.rounds.eligibility import failing_eligibility_rules
from recognition.rounds.queries import rounds_newest_first
from recognition.vetting import forms
from recognition.vetting.queries import (
    VETTED_STATES,
    QueueFilters,
    get_vetted_application_or_404,
    state_counts,
    vetting_queue,
)

bp = Blueprint("vetting", __name__)
VETTING_TRIGGERS = ("start_vetting", "request_supplement", "endorse", "reject_in_unit")
SCOPES = {"vetting": ("unit", Role.unit_officer), "secretariat_vetting": ("secretariat", Role.secretariat)}


def scope() -> str:
    assert request.blueprint is not None  # a request of this blueprint, under one of its names
    return SCOPES[request.blueprint][0]


@bp.before_request
def check_role() -> ResponseReturnValue | None:
    assert request.blueprint is not None

    @role_required(SCOPES[request.blueprint][1])
    def allowed() -> None:
        return None

    return allowed()


def load(application_id: int) -> Application:
    return get_vetted_application_or_404(current_user, scope(), application_id)


@bp.route("/")
def home() -> ResponseReturnValue:
    filters = QueueFilters.from_args(request.args)
    page = vetting_queue(current_user, scope(), filters, int_arg("page") or 1)
    return render_template(
        "vetting/queue.html",
        page=page,
        filters=filters,
        counts=state_counts(current_user, scope(), filters),
        states=VETTED_STATES,
        rounds=rounds_newest_first(),
        sectors=current_sectors(local_today()),
        today=local_today(),
        units=[m.unit for m in current_user.memberships if m.role == Role.unit_officer],
    )


@bp.route("/dossiers/<int:application_id>")
def dossier(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    return render_dossier(
        "vetting/dossier.html",
        application,
        triggers=[t for t in allowed_triggers(application, current_user) if t in VETTING_TRIGGERS],
        eligibility=failing_eligibility_rules(application),
        start_form=forms.StepForm(data={"version": application.version}),
    )


@bp.route("/dossiers/<int:application_id>/start", methods=["POST"])
def start(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    back = back_to(url_for(".dossier", application_id=application.id))
    form = forms.StepForm()
    if not form.validate_on_submit():
        abort(400)
    take_step(application, "start_vetting", current_user, form.version.data)
    commit()
    flash(_("Vetting started."), "success")
    return redirect(back)


class FormStep(NamedTuple):
    """One of the vetting body's form steps: the trigger it fires, its form and page, what is said once
    it is done, and the step's arguments as the valid form gives them."""

    trigger: str
    form: Callable[[], Form]
    template: str
    done: LazyString
    arguments: Callable[[Any], dict[str, Any]]


REQUEST_SUPPLEMENT = FormStep(
    "request_supplement",
    forms.SupplementRequestForm,
    "vetting/supplement.html",
    _l("The request to supplement has been sent to the enterprise."),
    lambda form: {"items": form.item_list(), "deadline": form.deadline.data},
)
ENDORSE = FormStep(
    "endorse",
    forms.VettingReportForm,
    "vetting/endorse.html",
    _l("The dossier has been endorsed."),
    lambda form: form.report(),
)
REJECT = FormStep(
    "reject_in_unit",
    forms.RejectForm,
    "vetting/reject.html",
    _l("The dossier has been rejected; the enterprise will see the reasons."),
    lambda form: {"reason": form.reason.data},
)


def _form_step(application: Application, step: FormStep, form: Form | None = None) -> ResponseReturnValue:
    """The flow of every form step: show the form, validate it, fire the step, or show the refusals."""
    if step.trigger not in allowed_triggers(application, current_user):
        flash(_("This step is not possible now."), "warning")
        return redirect(url_for(".dossier", application_id=application.id))
    form = step.form() if form is None else form
    refusals: list[Refusal] = []
    if form.validate_on_submit():
        with redisplay_on_refusal() as refusals:  # listed above the form, which keeps what was typed
            take_step(application, step.trigger, current_user, form.version.data, **step.arguments(form))
            commit()
            flash(str(step.done), "success")
            return redirect(url_for(".dossier", application_id=application.id))
    if not form.version.data:
        form.version.data = str(application.version)
    return render_template(step.template, application=application, form=form, refusals=refusals)


@bp.route("/dossiers/<int:application_id>/supplement", methods=["GET", "POST"])
def request_supplement(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    form = REQUEST_SUPPLEMENT.form()
    if request.method == "GET":
        form.deadline.data = add_working_days(local_today(), application.round.supplement_working_days)
    return _form_step(application, REQUEST_SUPPLEMENT, form)


@bp.route("/dossiers/<int:application_id>/endorse", methods=["GET", "POST"])
def endorse(application_id: int) -> ResponseReturnValue:
    """The vetting report the round asks for: the checklist, or the survey."""
    application = load(application_id)
    return _form_step(application, ENDORSE, forms.ENDORSE_FORMS[application.round.vetting_report]())


@bp.route("/dossiers/<int:application_id>/reject", methods=["GET", "POST"])
def reject(application_id: int) -> ResponseReturnValue:
    return _form_step(load(application_id), REJECT)


@bp.route("/dossiers/<int:application_id>/documents/<int:document_id>")
def document(application_id: int, document_id: int) -> ResponseReturnValue:
    """A document of a dossier this body vets; images and PDFs may be shown inline for preview."""
    application = load(application_id)
    document = document_of_or_404(application, document_id)
    return send_document(document, inline=request.args.get("inline") == "1")


@bp.route("/dossiers/<int:application_id>/supplement-request.pdf")
def supplement_request_slip(application_id: int) -> ResponseReturnValue:
    """Form 02 of the one-stop procedure: the latest request to supplement, or `?number=` an earlier one."""
    application = load(application_id)
    return supplement_request_slip_response(application, url_for(".dossier", application_id=application.id))


@bp.route("/dossiers/<int:application_id>/refusal.pdf")
def refusal_slip(application_id: int) -> ResponseReturnValue:
    """Form 03 of the one-stop procedure: the refusal with its reasons."""
    application = load(application_id)
    return refusal_slip_response(application, url_for(".dossier", application_id=application.id))
