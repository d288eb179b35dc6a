"""Official documents as downloads, for the views of every role that may fetch one."""

from __future__ import annotations

from flask import Response, flash, redirect
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from recognition.cases.models import Application
from recognition.documents import slips
from recognition.documents.docx import render_docx
from recognition.documents.model import OfficialDocument
from recognition.documents.pdf import render_pdf
from recognition.params import int_arg

FORMATS = {
    "pdf": (render_pdf, "application/pdf"),
    "docx": (render_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


def file_response(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def download(document: OfficialDocument | None, kind: str, back_url: str, missing: str) -> BaseResponse:
    """The document as a file; when the workflow has not produced it (yet), back to the page that
    links it, saying why."""
    if document is None:
        flash(missing, "warning")
        return redirect(back_url)
    render, mimetype = FORMATS[kind]
    return file_response(render(document), f"{document.name}.{kind}", mimetype)


def supplement_request_slip_response(application: Application, back_url: str) -> BaseResponse:
    """Form 02 of the one-stop procedure: the latest request to supplement, or `?number=` an earlier
    one (the vetting body's and the enterprise's pages serve the same slip)."""
    return download(
        slips.supplement_request_slip(application, int_arg("number")),
        "pdf",
        back_url,
        _("This dossier has no such request to supplement."),
    )


def refusal_slip_response(application: Application, back_url: str) -> BaseResponse:
    """Form 03 of the one-stop procedure: the refusal with its reasons."""
    return download(slips.refusal_slip(application), "pdf", back_url, _("This dossier was not refused."))
