"""Import of the Department's existing lists of supporting-industry firms (XLSX or CSV), under
/secretariat/supporting/imports: upload → preview (nothing written) → confirm → result. The file waits
in the evidence store between the steps, named by its digest (recognition/supporting/imports.py)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from recognition.accounts.models import Role
from recognition.accounts.permissions import restricted_blueprint
from recognition.cases.errors import Refused
from recognition.cases.storage import EvidenceStorage
from recognition.clock import local_today
from recognition.documents.responses import file_response
from recognition.policy import commit, redisplay_on_refusal
from recognition.reports.exports import CSV_MIMETYPE, XLSX_MIMETYPE
from recognition.supporting import imports
from recognition.supporting.import_forms import ImportConfirmForm, ImportUploadForm

bp = restricted_blueprint("supporting_imports", __name__, "/secretariat/supporting/imports", Role.secretariat)

PREVIEW_REJECTS = 200  # rejected rows listed on the page; the download has them all


def _storage() -> EvidenceStorage:
    storage: EvidenceStorage = current_app.extensions["evidence_storage"]
    return storage


def _report(digest: str) -> imports.ImportReport:
    return imports.plan_import(imports.load_sheet(_storage(), digest), digest, local_today())


def _back_to_upload(refused: Refused) -> BaseResponse:
    for message in refused.messages:
        flash(message, refused.category)
    return redirect(url_for("supporting_imports.upload"))


@bp.route("/", methods=["GET", "POST"])
def upload() -> ResponseReturnValue:
    """The upload form, with the column layout and the template to download."""
    form = ImportUploadForm()
    if form.validate_on_submit():
        with redisplay_on_refusal(form, field="file"):
            digest = imports.receive_upload(form.file.data.stream, _storage())
            return redirect(url_for("supporting_imports.preview", digest=digest))
    return render_template("supporting/import_upload.html", form=form, columns=imports.COLUMNS)


@bp.route("/preview")
def preview() -> ResponseReturnValue:
    """What the import would do, row by row, before anything is written."""
    digest = request.args.get("digest", "")
    try:
        report = _report(digest)
    except Refused as refused:
        return _back_to_upload(refused)
    return render_template(
        "supporting/import_preview.html",
        report=report,
        form=ImportConfirmForm(digest=digest),
        shown_rejects=report.rejected[:PREVIEW_REJECTS],
    )


@bp.route("/confirm", methods=["POST"])
def confirm() -> ResponseReturnValue:
    """Read the stored file again and import its good rows."""
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(_("Upload the file again: the preview's form was incomplete."), "danger")
        return redirect(url_for("supporting_imports.upload"))
    try:
        report = imports.apply_import(_report(form.digest.data or ""), current_user)
    except Refused as refused:
        return _back_to_upload(refused)
    commit()
    return render_template(
        "supporting/import_result.html", report=report, shown_rejects=report.rejected[:PREVIEW_REJECTS]
    )


def _rejects(digest: str, kind: str) -> BaseResponse:
    try:
        report = _report(digest)
    except Refused as refused:
        return _back_to_upload(refused)
    headers, rows = imports.rejects_table(report)
    name = f"cnht-rejected-{digest[:8]}"
    if kind == "csv":
        return file_response(imports.to_csv(headers, rows), f"{name}.csv", CSV_MIMETYPE)
    return file_response(imports.to_xlsx(headers, rows), f"{name}.xlsx", XLSX_MIMETYPE)


@bp.route("/rejects.xlsx")
def rejects() -> ResponseReturnValue:
    """The rejected rows, their own columns and a last one with the reasons, as a workbook."""
    return _rejects(request.args.get("digest", ""), "xlsx")


@bp.route("/rejects.csv")
def rejects_csv() -> ResponseReturnValue:
    return _rejects(request.args.get("digest", ""), "csv")


@bp.route("/template.xlsx")
def template() -> ResponseReturnValue:
    """The empty list to fill, with a sheet explaining each column."""
    return file_response(imports.template_xlsx(), "cnht-danh-sach-mau.xlsx", XLSX_MIMETYPE)


@bp.route("/template.csv")
def template_csv() -> ResponseReturnValue:
    return file_response(
        imports.to_csv(imports.template_headers(), []), "cnht-danh-sach-mau.csv", CSV_MIMETYPE
    )
