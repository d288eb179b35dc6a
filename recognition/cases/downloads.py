"""Serving evidence: as an attachment by default (Indico's send_file rule); staff may preview the
types a browser shows safely (PDF, PNG, JPEG) inline, still with content sniffing off."""

from __future__ import annotations

from flask import Response, current_app, send_file

from recognition.cases.models import Document

PREVIEWABLE = {"application/pdf", "image/png", "image/jpeg"}


def send_document(document: Document, inline: bool = False) -> Response:
    storage = current_app.extensions["evidence_storage"]
    inline = inline and document.content_type in PREVIEWABLE
    response = send_file(
        storage.path_for(document.sha256),
        mimetype=document.content_type,
        as_attachment=not inline,
        download_name=document.filename,
        max_age=0,
    )
    # A sandboxed response cannot run script; Chromium's PDF viewer does not run under `sandbox`,
    # so inline PDFs get the same lock-down without it.
    if inline and document.content_type == "application/pdf":
        response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    else:
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox; frame-ancestors 'self'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "private, no-store"
    return response
