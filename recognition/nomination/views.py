"""The enterprise's side (under /applicant): profile, nominations section by section, evidence,
submission with a receipt slip, the timeline, answers to supplement requests, withdrawal."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from recognition.accounts.models import Enterprise, Role
from recognition.accounts.permissions import restricted_blueprint
from recognition.cases.errors import Refusal
from recognition.cases.models import Application, Product, State
from recognition.cases.queries import (
    applications_of_enterprises,
    document_of_or_404,
    get_own_application_or_404,
    timeline_of,
)
from recognition.cases.receipts import lookup_secret_matches
from recognition.cases.services import take_step
from recognition.cases.storage import UploadRejected, upload_message
from recognition.cases.workflow import allowed_triggers
from recognition.documents.responses import refusal_slip_response, supplement_request_slip_response
from recognition.extensions import db, is_unique_violation
from recognition.honours.models import Certificate
from recognition.honours.views import pdf_response
from recognition.i18n import Form
from recognition.nomination import forms
from recognition.nomination.progress import NEXT_STEP_LABELS, section_after, section_status
from recognition.nomination.receipt import receipt_facts, receipt_pdf
from recognition.nomination.services import (
    accepts_evidence,
    attach_document,
    current_documents,
    ensure_editable,
    figure_years,
    open_rounds,
    renew_lookup_secret_of,
    save_certifications,
    save_figures,
    save_self_assessment,
    save_support_sought,
    saved_self_assessment,
    start_nomination,
    update_product,
    update_profile,
)
from recognition.params import amount_arg
from recognition.policy import back_to, commit, redisplay_on_refusal
from recognition.review.scoring import criteria_of
from recognition.rounds.eligibility import eligibility_failures
from recognition.rounds.models import Round
from recognition.supporting.letters import selection_letter_response
from recognition.supporting.selections import selection_of
from recognition.validators import add_error, filled

bp = restricted_blueprint("nomination", __name__, "/applicant", Role.applicant)


def my_enterprises() -> list[Enterprise]:
    return [m.enterprise for m in current_user.memberships if m.role == Role.applicant]


def load(application_id: int) -> Application:
    """The enterprise's own dossier; a refusal on any of its pages (a part that can no longer be
    changed) returns to the dossier's page."""
    application = get_own_application_or_404(current_user, application_id)
    back_to(url_for("nomination.application", application_id=application.id))
    return application


@bp.route("/")
def home() -> ResponseReturnValue:
    applications = db.session.scalars(
        applications_of_enterprises(current_user)
        .options(joinedload(Application.round).joinedload(Round.programme))  # the list shows both
        .order_by(Application.created_at.desc())
    ).all()
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.enterprise_id.in_(current_user.enterprise_ids or [-1]))
        .order_by(Certificate.issued_on.desc())
    ).all()
    products = db.session.scalars(
        select(Product)
        .where(Product.enterprise_id.in_(current_user.enterprise_ids or [-1]))
        .order_by(Product.name)
    ).all()
    return render_template(
        "nomination/home.html",
        enterprises=my_enterprises(),
        applications=applications,
        rounds=open_rounds(),
        certificates=certificates,
        products=products,
    )


@bp.route("/certificates/<int:certificate_id>.pdf")
def certificate_file(certificate_id: int) -> ResponseReturnValue:
    """The enterprise's own certificate; another enterprise's id is simply not found."""
    certificate = db.session.scalar(
        select(Certificate).where(
            Certificate.id == certificate_id,
            Certificate.enterprise_id.in_(current_user.enterprise_ids or [-1]),
        )
    )
    if certificate is None:
        abort(404)
    return pdf_response(certificate)


@bp.context_processor
def next_step_labels() -> dict[str, Any]:
    return {"NEXT_STEP_LABELS": NEXT_STEP_LABELS}


@bp.route("/profile", methods=["GET", "POST"])
def profile() -> ResponseReturnValue:
    enterprise = my_enterprises()[0]
    form = forms.EnterpriseProfileForm(obj=enterprise)
    if form.validate_on_submit():
        update_profile(enterprise, form.data, current_user)
        commit()
        flash(_("Saved."), "success")
        return redirect(url_for("nomination.home"))
    return render_template("nomination/profile.html", form=form, enterprise=enterprise)


@bp.route("/applications/new", methods=["GET", "POST"])
def new_application() -> ResponseReturnValue:
    enterprise = my_enterprises()[0]
    products = db.session.scalars(select(Product).where(Product.enterprise_id == enterprise.id)).all()
    rounds = open_rounds()
    if not rounds:
        flash(_("No round is open for nominations now."), "warning")
        return redirect(url_for("nomination.home"))
    form = forms.NewNominationForm(rounds, products)
    if form.validate_on_submit():
        round_ = next(r for r in rounds if r.id == form.round_id.data)
        product = next((p for p in products if p.id == form.product_id.data), None)
        taken = product is not None and db.session.scalar(
            select(Application.id).where(
                Application.round_id == round_.id, Application.product_id == product.id
            )
        )
        if taken:
            add_error(form.product_id, _("This product is already nominated in this round."))
        else:
            try:
                application = start_nomination(enterprise, round_, product, form.product_name.data or "")
                commit()
            except IntegrityError as error:  # the same product nominated from another tab just now
                db.session.rollback()
                if not is_unique_violation(error):
                    raise
                add_error(form.product_id, _("This product is already nominated in this round."))
            else:
                flash(_("Draft saved. Fill in each section, then submit."), "success")
                return redirect(url_for("nomination.section_product", application_id=application.id))
    return render_template("nomination/new.html", form=form)


@bp.route("/applications/<int:application_id>")
def application(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    return render_template(
        "nomination/application.html",
        application=application,
        status=section_status(application),
        timeline=timeline_of(application),
        triggers=allowed_triggers(application, current_user),
        documents=current_documents(application),
        selection=selection_of(application),
    )


def _section_page(application: Application, template: str, form: Form, **context: Any) -> str:
    return render_template(
        template, application=application, form=form, status=section_status(application), **context
    )


@bp.route("/applications/<int:application_id>/product", methods=["GET", "POST"])
def section_product(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    product = application.product
    form = forms.ProductForm(obj=product)
    if request.method == "GET":
        form.category.data = product.category.value
    if form.validate_on_submit():
        update_product(application, form.data, current_user)
        commit()
        flash(_("Saved."), "success")
        return redirect(url_for("nomination.section_figures", application_id=application.id))
    return _section_page(application, "nomination/section.html", form, section="product")


@bp.route("/applications/<int:application_id>/figures", methods=["GET", "POST"])
def section_figures(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    saved = {f.year: f for f in application.figures}
    if request.method == "GET":
        data = [
            {
                "year": year,
                **({k: getattr(saved[year], k) for k in forms.FIGURE_FIELDS} if year in saved else {}),
            }
            for year in figure_years()
        ]
        form = forms.FiguresForm(data={"years": data})
    else:
        form = forms.FiguresForm()
    if form.validate_on_submit():
        save_figures(application, form.rows())
        commit()
        flash(_("Saved."), "success")
        return redirect(url_for("nomination.section_figures", application_id=application.id))
    return _section_page(
        application,
        "nomination/figures.html",
        form,
        section="figures",
        eligibility=eligibility_failures_for(application),
    )


def eligibility_failures_for(application: Application) -> list[Refusal]:
    from recognition.rounds.eligibility import failing_eligibility_rules

    return [r for r in failing_eligibility_rules(application) if r.section == "figures"]


@bp.route("/applications/<int:application_id>/eligibility")
def eligibility(application_id: int) -> ResponseReturnValue:
    """Live check while typing the figures: the same rules as the submit guard, on unsaved numbers."""
    application = load(application_id)
    failures = eligibility_failures(
        application.round,
        category=application.product.category,
        revenue_vnd=amount_arg("revenue_vnd"),
        export_value_usd=amount_arg("export_value_usd"),
        compliance_committed=True,
    )
    return jsonify({"eligible": not failures, "messages": [str(f.message) for f in failures]})


@bp.route("/applications/<int:application_id>/quality", methods=["GET", "POST"])
def section_quality(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    if request.method == "GET":
        form = forms.QualityForm(
            data={
                "certifications": [
                    {"standard": c.standard, "number": c.number, "expires_on": c.expires_on}
                    for c in application.certifications
                ],
                "technology_level": application.technology_level.value
                if application.technology_level
                else None,
                "rnd_spending_vnd": application.rnd_spending_vnd,
                "environmental_compliance": application.environmental_compliance,
            }
        )
    else:
        form = forms.QualityForm()
    if form.validate_on_submit():
        save_certifications(application, [entry.data for entry in form.certifications])
        application.technology_level = form.technology_level.data
        application.rnd_spending_vnd = form.rnd_spending_vnd.data
        application.environmental_compliance = filled(form.environmental_compliance.data)
        commit()
        flash(_("Saved."), "success")
        following = section_after(application, "quality")
        return redirect(url_for(f"nomination.section_{following}", application_id=application.id))
    return _section_page(application, "nomination/quality.html", form, section="quality")


@bp.route("/applications/<int:application_id>/self-assessment", methods=["GET", "POST"])
def section_self_assessment(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    criteria = criteria_of(application.round_id)
    if not criteria:
        abort(404)
    form = forms.self_assessment_form(criteria, saved_self_assessment(application), str(get_locale()))
    if form.validate_on_submit():
        rows = {
            c.id: (getattr(form, f"points_{c.id}").data, getattr(form, f"justification_{c.id}").data)
            for c in criteria
        }
        save_self_assessment(application, rows)
        commit()
        flash(_("Saved."), "success")
        following = section_after(application, "self_assessment")
        return redirect(url_for(f"nomination.section_{following}", application_id=application.id))
    return _section_page(
        application, "nomination/self_assessment.html", form, section="self_assessment", criteria=criteria
    )


@bp.route("/applications/<int:application_id>/support", methods=["GET", "POST"])
def section_support(application_id: int) -> ResponseReturnValue:
    """The support sought, in rounds that offer support areas (the round's `support_areas`)."""
    application = load(application_id)
    offered = application.round.support_areas or []
    if not offered:
        flash(_("This round offers no support to choose from."), "info")
        return redirect(url_for("nomination.application", application_id=application.id))
    data = {"areas": application.support_sought} if request.method == "GET" else None
    form = forms.SupportSoughtForm(offered, data=data)
    if form.validate_on_submit():
        save_support_sought(application, form.areas.data or [])
        commit()
        flash(_("Saved."), "success")
        return redirect(url_for("nomination.section_commitment", application_id=application.id))
    return _section_page(application, "nomination/support.html", form, section="support")


@bp.route("/applications/<int:application_id>/commitment", methods=["GET", "POST"])
def section_commitment(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    committed = application.compliance_committed
    form = forms.CommitmentForm(
        data={"commit_environment": committed, "commit_quality": committed, "commit_ip": committed}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        ensure_editable(application)
        application.compliance_committed = form.all_given
        commit()
        if form.all_given:
            flash(_("Saved."), "success")
            return redirect(url_for("nomination.section_documents", application_id=application.id))
        flash(_("Saved. All three commitments are needed to submit."), "warning")
    return _section_page(application, "nomination/section.html", form, section="commitment")


@bp.route("/applications/<int:application_id>/documents", methods=["GET", "POST"])
def section_documents(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    form = forms.DocumentUploadForm()
    status = 200
    if form.validate_on_submit():
        replaces = None
        if form.replaces.data:
            replaces = next(
                (d for d in current_documents(application) if str(d.id) == form.replaces.data), None
            )
            if replaces is None:
                abort(404)
        try:
            _document, created = attach_document(
                application, form.document_kind, form.file.data, current_user, replaces=replaces
            )
        except UploadRejected as rejection:  # shown beside the file field; nothing is kept
            form.file.errors.append(upload_message(rejection.reason))
            status = 429 if rejection.reason == "rate" else 200
        else:
            commit()
            if created:
                flash(_("Document uploaded."), "success")
            else:
                flash(_("This file is already in the dossier."), "info")
            return redirect(url_for("nomination.section_documents", application_id=application.id))
    page = _section_page(
        application,
        "nomination/documents.html",
        form,
        section="documents",
        documents=current_documents(application),
        history=[d for d in application.documents if d.superseded_at is not None],
    )
    return page, status


@bp.route("/applications/<int:application_id>/documents/<int:document_id>")
def download_document(application_id: int, document_id: int) -> ResponseReturnValue:
    from recognition.cases.downloads import send_document

    application = load(application_id)
    document = document_of_or_404(application, document_id)
    return send_document(document)


@bp.route("/applications/<int:application_id>/submit", methods=["GET", "POST"])
def submit(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    form = forms.SubmitNominationForm()
    refusals: list[Refusal] = []
    if form.validate_on_submit():
        with redisplay_on_refusal() as refusals:  # listed, with links to the sections to fix
            result = take_step(
                application, "submit", current_user, form.version.data, declaration=form.declaration.data
            )
            commit()
            flash(_("Your dossier has been submitted."), "success")
            return _receipt_page(application, result.lookup_secret)
    form.version.data = str(application.version)
    return _section_page(application, "nomination/submit.html", form, section="submit", refusals=refusals)


def _receipt_page(application: Application, lookup_secret: str | None = None) -> str:
    """The slip. The lookup secret is kept nowhere in clear (only its hash, never in the session):
    it appears on the page that issued it, which also prints it into the PDF, and nowhere else."""
    facts = receipt_facts(application, lookup_secret)
    return render_template("nomination/receipt.html", application=application, facts=facts)


@bp.route("/applications/<int:application_id>/receipt")
def receipt(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    if application.receipt_code is None:
        abort(404)
    return _receipt_page(application)


@bp.route("/applications/<int:application_id>/receipt.pdf", methods=["GET", "POST"])
def receipt_as_pdf(application_id: int) -> ResponseReturnValue:
    """The slip as PDF. Posted from the page that shows the secret, it prints the secret too, once
    it matches the dossier's hash, so no slip shows a made-up one."""
    application = load(application_id)
    if application.receipt_code is None:
        abort(404)
    form = forms.ReceiptSecretForm()
    secret = form.lookup_secret.data if form.validate_on_submit() else ""  # a plain GET prints none
    shown = secret if secret and lookup_secret_matches(application.lookup_secret_hash, secret) else None
    return Response(
        receipt_pdf(receipt_facts(application, shown)),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{application.receipt_code}.pdf"'},
    )


@bp.route("/applications/<int:application_id>/supplement-request.pdf")
def supplement_request_slip(application_id: int) -> ResponseReturnValue:
    """The vetting body's request to supplement (Form 02), as the enterprise keeps it."""
    application = load(application_id)
    return supplement_request_slip_response(
        application, url_for("nomination.application", application_id=application.id)
    )


@bp.route("/applications/<int:application_id>/refusal.pdf")
def refusal_slip(application_id: int) -> ResponseReturnValue:
    """The vetting body's refusal with its reasons (Form 03)."""
    application = load(application_id)
    return refusal_slip_response(
        application, url_for("nomination.application", application_id=application.id)
    )


@bp.route("/applications/<int:application_id>/selection-letter.pdf")
def selection_letter(application_id: int) -> ResponseReturnValue:
    """The confirmation letter of a dossier selected for support (rounds whose outcome is selection)."""
    application = load(application_id)
    return selection_letter_response(
        application, url_for("nomination.application", application_id=application.id)
    )


@bp.route("/applications/<int:application_id>/lookup-secret", methods=["POST"])
def renew_lookup_secret(application_id: int) -> ResponseReturnValue:
    """A lost slip: issue a new lookup secret (the old one stops working), shown on this page only."""
    application = load(application_id)
    if application.receipt_code is None:
        abort(404)
    secret = renew_lookup_secret_of(application, current_user)
    commit()
    flash(_("A new lookup secret has been issued; the old one no longer works."), "info")
    return _receipt_page(application, secret)


@bp.route("/applications/<int:application_id>/supplement", methods=["GET", "POST"])
def supplement(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    if application.state != State.supplement_requested:
        abort(404)
    request_ = application.supplement_requests[-1]
    form = forms.SupplementAnswerForm(request_.items)
    refusals: list[Refusal] = []
    if form.validate_on_submit():
        with redisplay_on_refusal() as refusals:  # listed above the answers, which stay as typed
            answers = [a.data for a in form.answers]
            take_step(application, "resubmit", current_user, form.version.data, answers=answers)
            commit()
            flash(_("Your supplement has been sent to the vetting body."), "success")
            return redirect(url_for("nomination.application", application_id=application.id))
    form.version.data = str(application.version)
    return render_template(
        "nomination/supplement.html",
        application=application,
        form=form,
        request_=request_,
        refusals=refusals,
        upload_form=forms.DocumentUploadForm(),
        documents=current_documents(application),
    )


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
def withdraw(application_id: int) -> ResponseReturnValue:
    application = load(application_id)
    if "withdraw" not in allowed_triggers(application, current_user):
        abort(404)
    form = forms.WithdrawForm()
    refusals: list[Refusal] = []
    if form.validate_on_submit():
        with redisplay_on_refusal() as refusals:  # listed above the reason, which stays as typed
            take_step(application, "withdraw", current_user, form.version.data, reason=form.reason.data)
            commit()
            flash(_("The dossier has been withdrawn."), "info")
            return redirect(url_for("nomination.application", application_id=application.id))
    form.version.data = str(application.version)
    return render_template("nomination/withdraw.html", application=application, form=form, refusals=refusals)


bp.add_app_template_global(accepts_evidence)
