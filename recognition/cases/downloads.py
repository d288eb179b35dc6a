"""Serving evidence: always as an attachment, never rendered by the browser (Indico's send_file rule)."""

from __future__ import annotations

from flask import Response, current_app, send_file

from recognition.cases.models import Document


def send_document(document: Document) -> Response:
    storage = current_app.extensions["evidence_storage"]
    response = send_file(
        storage.path_for(document.sha256),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.filename,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
