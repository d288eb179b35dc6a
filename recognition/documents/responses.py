"""Official documents as downloads, for the views of every role that may fetch one."""

from __future__ import annotations

from flask import Response, flash, redirect

from recognition.documents.docx import render_docx
from recognition.documents.model import OfficialDocument
from recognition.documents.pdf import render_pdf

FORMATS = {
    "pdf": (render_pdf, "application/pdf"),
    "docx": (render_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


def file_response(data: bytes, filename: str, mimetype: str) -> Response:
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def download(document: OfficialDocument | None, kind: str, back_url: str, missing: str) -> Response:
    """The document as a file; when the workflow has not produced it (yet), back to the page that
    links it, saying why."""
    if document is None:
        flash(missing, "warning")
        return redirect(back_url)
    render, mimetype = FORMATS[kind]
    return file_response(render(document), f"{document.name}.{kind}", mimetype)
