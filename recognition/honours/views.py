"""The secretariat's final step (under /secretariat/honours): publish results, handle objections,
record the city's decision, issue and revoke certificates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as BaseResponse

from recognition.accounts.models import Role
from recognition.accounts.permissions import restricted_blueprint
from recognition.cases.downloads import send_stored_file
from recognition.cases.models import Application
from recognition.clock import local_today
from recognition.documents import rounds as documents
from recognition.documents.model import OfficialDocument
from recognition.documents.responses import download, file_response
from recognition.extensions import db
from recognition.honours import forms, services
from recognition.honours.certificates import RevocationRefused, revoke
from recognition.honours.models import Certificate, Objection
from recognition.honours.pdf import certificate_pdf
from recognition.honours.results import published_page, to_publish_page, waiting_among, waiting_for_decision
from recognition.i18n import Form
from recognition.paging import PER_PAGE, PageOf, page_arg
from recognition.policy import back_to, commit, redisplay_on_refusal
from recognition.rounds.models import Round, RoundOutcome
from recognition.rounds.queries import get_round_or_404
from recognition.supporting.selections import selections_of_round
from recognition.validators import filled

bp = restricted_blueprint("honours", __name__, "/secretariat/honours", Role.secretariat)


def _page(round_: Round, **forms_given: Form) -> str:
    """Once published, the list as published (with each dossier's state now); before, what would be.
    Every list shows one page (`?page=`), so the page costs the same whatever the round's size."""
    page = page_arg()
    published = round_.results_published_at is not None
    results = published_page(round_, page) if published else to_publish_page(round_, page)
    waiting = waiting_for_decision(round_, page)
    certificates = db.paginate(
        select(Certificate)
        .where(Certificate.round_id == round_.id)
        .options(joinedload(Certificate.product), joinedload(Certificate.enterprise))
        .order_by(Certificate.sequence),
        page=page,
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "honours/round.html",
        round=round_,
        results=results,
        objections=services.objections_of(round_),
        certificates=certificates,
        publish_form=forms_given.get("publish_form") or PUBLISH.form(),
        decision_form=forms_given.get("decision_form") or _decision_form(round_, waiting),
        waiting=waiting,
        answer_form=forms.AnswerForm(prefix="answer"),
        close_form=forms_given.get("close_form") or CLOSE_COMMENTS.form(),
        revoke_form=forms.RevokeForm(prefix="revoke"),
        comments_open=services.comments_open(round_),
        selections=selections_of_round(round_),
    )


def _decision_form(round_: Round, waiting: PageOf[Application]) -> forms.DecisionForm:
    """The decision for a page of the dossiers waiting for it, every one ticked to start with."""
    return forms.DecisionForm(waiting.items, outcome=round_.outcome, prefix="decision")


@bp.route("/rounds/<int:round_id>")
def round_page(round_id: int) -> ResponseReturnValue:
    return _page(get_round_or_404(round_id))


class RoundStep(NamedTuple):
    """A form of the round's page that runs one service on the round: the form and its name on the
    page, the field a refusal is shown beside, the service, and what is said once it is done."""

    form: Callable[[], Form]
    name_on_page: str
    refusal_field: str
    run: Callable[[Round, Any], object]
    done: LazyString


PUBLISH = RoundStep(
    lambda: forms.PublishForm(prefix="publish"),
    "publish_form",
    "comment_deadline",
    lambda round_, form: services.publish_results(round_, filled(form.comment_deadline.data)),
    _l("The results are published for comment."),
)
# Ends the comment period before its deadline, with the reason (shown here and on /results).
CLOSE_COMMENTS = RoundStep(
    lambda: forms.CloseCommentsForm(prefix="close"),
    "close_form",
    "reason",
    lambda round_, form: services.close_comments_early(round_, filled(form.reason.data), current_user),
    _l("The comment period is closed; the city's decision can be recorded now."),
)


def _round_step(round_id: int, step: RoundStep) -> ResponseReturnValue:
    """Run the step and go back to the round's page; invalid or refused, the page with the form as typed."""
    round_ = get_round_or_404(round_id)
    form = step.form()
    if form.validate_on_submit():
        with redisplay_on_refusal(form, field=step.refusal_field):
            step.run(round_, form)
            commit()
            flash(str(step.done), "success")
            return redirect(url_for("honours.round_page", round_id=round_.id))
    return _page(round_, **{step.name_on_page: form})


@bp.route("/rounds/<int:round_id>/publish", methods=["POST"])
def publish(round_id: int) -> ResponseReturnValue:
    return _round_step(round_id, PUBLISH)


@bp.route("/rounds/<int:round_id>/close-comments", methods=["POST"])
def close_comments(round_id: int) -> ResponseReturnValue:
    return _round_step(round_id, CLOSE_COMMENTS)


def _objection_or_404(objection_id: int) -> Objection:
    objection = db.session.get(Objection, objection_id)
    if objection is None:
        abort(404)
    return objection


@bp.route("/objections/<int:objection_id>/file")
def objection_file(objection_id: int) -> ResponseReturnValue:
    """The file the sender attached: public input, so always served as a download."""
    objection = _objection_or_404(objection_id)
    if objection.document_sha256 is None:
        abort(404)
    assert objection.document_type is not None and objection.document_name is not None  # stored with it
    return send_stored_file(objection.document_sha256, objection.document_type, objection.document_name)


@bp.route("/objections/<int:objection_id>", methods=["POST"])
def answer(objection_id: int) -> ResponseReturnValue:
    objection = _objection_or_404(objection_id)
    back = back_to(url_for("honours.round_page", round_id=objection.application.round_id))
    form = forms.AnswerForm(prefix="answer")
    if form.validate_on_submit():
        services.handle_objection(objection, filled(form.answer.data), form.resolve.data, current_user)
        commit()
        flash(_("Answer saved."), "success")
    else:
        flash(_("Write the answer or the note."), "danger")
    return redirect(back)


# What the secretariat is told after recording a decision, by what the round's decision grants.
DECIDED = {
    RoundOutcome.certificate: (_l("%(done)s of %(total)s dossiers recognised."), _l("%(code)s: recognised.")),
    RoundOutcome.selection: (
        _l("%(done)s of %(total)s dossiers selected for support."),
        _l("%(code)s: selected for support."),
    ),
}


@bp.route("/rounds/<int:round_id>/recognise", methods=["POST"])
def recognise(round_id: int) -> ResponseReturnValue:
    round_ = get_round_or_404(round_id)
    posted = forms.posted_ids(request.form.getlist("decision-application_ids"))
    form = forms.DecisionForm(waiting_among(round_, posted), outcome=round_.outcome, prefix="decision")
    if not form.validate_on_submit():
        return _page(round_, decision_form=form)
    outcomes = services.recognise_many(
        filled(form.application_ids.data), filled(form.decision_number.data).strip(),
        filled(form.decision_date.data), form.decision_signer.data or "", current_user,
    )  # fmt: skip
    commit()  # each dossier stood alone (a savepoint each): the recognised ones are kept
    done = sum(1 for o in outcomes if o.ok)
    said_done, said_each = DECIDED[round_.outcome]
    flash(str(said_done % {"done": done, "total": len(outcomes)}), "info")
    for outcome in outcomes:
        code = outcome.application.receipt_code
        if outcome.ok:
            flash(str(said_each % {"code": code}), "success")
        for refusal in outcome.refusals:
            flash(f"{code}: {refusal.message}", "danger")
    if any(not o.ok for o in outcomes):
        # The decision as typed stays in the form, for the dossiers still waiting for it.
        return _page(round_, decision_form=_decision_form(round_, waiting_for_decision(round_, page_arg())))
    return redirect(url_for("honours.round_page", round_id=round_.id))


@bp.route("/certificates/<int:certificate_id>/revoke", methods=["POST"])
def revoke_certificate(certificate_id: int) -> ResponseReturnValue:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    back = back_to(url_for("honours.round_page", round_id=certificate.round_id))
    form = forms.RevokeForm(prefix="revoke")
    if not form.validate_on_submit():
        raise RevocationRefused()
    reason, decision_number = filled(form.reason.data), filled(form.decision_number.data)
    revoke(certificate, reason, decision_number, current_user, local_today())
    commit()
    flash(_("Certificate %(serial)s revoked.", serial=certificate.serial), "success")
    return redirect(back)


@bp.route("/certificates/<int:certificate_id>.pdf")
def certificate_file(certificate_id: int) -> ResponseReturnValue:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    return pdf_response(certificate)


def pdf_response(certificate: Certificate) -> Response:
    return file_response(certificate_pdf(certificate), f"{certificate.serial}.pdf", "application/pdf")


@bp.route("/rounds/<int:round_id>/minutes.<any(pdf, docx):kind>")
def minutes(round_id: int, kind: str) -> BaseResponse:
    """The council's minutes: members, dossiers, each member's score sheet, the means, the conclusions."""
    round_ = get_round_or_404(round_id)
    return download(
        documents.council_minutes(round_, current_user, local_today()),
        kind,
        url_for("review_board.board", round_id=round_.id),
        _("No dossier of this round has been reviewed yet."),
    )


def _of_published_results(round_: Round, document: OfficialDocument | None, kind: str) -> BaseResponse:
    """A document drawn from the published results: until they list a recommended dossier, there is
    none, and the round's page says so."""
    return download(
        document,
        kind,
        url_for("honours.round_page", round_id=round_.id),
        _("This document exists once results with a recommended dossier are published."),
    )


@bp.route("/rounds/<int:round_id>/results-notice.pdf")
def results_notice(round_id: int) -> BaseResponse:
    round_ = get_round_or_404(round_id)
    return _of_published_results(round_, documents.results_notice(round_), "pdf")


@bp.route("/rounds/<int:round_id>/submission.<any(pdf, docx):kind>")
def submission(round_id: int, kind: str) -> BaseResponse:
    """The submission to the City People's Committee, with the draft decision and its annex."""
    round_ = get_round_or_404(round_id)
    return _of_published_results(round_, documents.submission(round_, local_today()), kind)
