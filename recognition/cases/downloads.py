"""Serving evidence: as an attachment by default (Indico's send_file rule); staff may preview the
types a browser shows safely (PDF, PNG, JPEG) inline, still with content sniffing off."""

from __future__ import annotations

from flask import Response, current_app, send_file

from recognition.cases.models import Document

PREVIEWABLE = {"application/pdf", "image/png", "image/jpeg"}


def send_document(document: Document, inline: bool = False) -> Response:
    return send_stored_file(document.sha256, document.content_type, document.filename, inline)


def send_stored_file(sha256: str, content_type: str, filename: str, inline: bool = False) -> Response:
    """Any stored upload (a dossier's evidence, a file attached to a public comment), locked down."""
    storage = current_app.extensions["evidence_storage"]
    inline = inline and content_type in PREVIEWABLE
    response = send_file(
        storage.path_for(sha256),
        mimetype=content_type,
        as_attachment=not inline,
        download_name=filename,
        max_age=0,
    )
    # A sandboxed response cannot run script; Chromium's PDF viewer does not run under `sandbox`,
    # so inline PDFs get the same lock-down without it.
    if inline and content_type == "application/pdf":
        response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    else:
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox; frame-ancestors 'self'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response
