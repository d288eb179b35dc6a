"""Serving evidence: as an attachment by default (Indico's send_file rule); staff may preview the
types a browser shows safely (PDF, PNG, JPEG) inline, still with content sniffing off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, url_for

from recognition.cases.models import Document

PREVIEWABLE = {"application/pdf", "image/png", "image/jpeg"}


def document_links(endpoint: str, **ids: int) -> Callable[[Document, bool], str]:
    """How the read-only dossier (templates/cases/_dossier.html) links each document: the page's own
    download `endpoint` with its ids, `inline=1` asking for a preview (see `send_document`)."""

    def document_url(document: Document, inline: bool) -> str:
        values: dict[str, Any] = {**ids, "document_id": document.id, "inline": 1 if inline else None}
        return url_for(endpoint, **values)

    return document_url


def send_document(document: Document, inline: bool = False) -> Response:
    return send_stored_file(document.sha256, document.content_type, document.filename, inline)


def send_stored_file(sha256: str, content_type: str, filename: str, inline: bool = False) -> Response:
    """Any stored upload (a dossier's evidence, a file attached to a public comment), locked down."""
    storage = current_app.extensions["evidence_storage"]
    inline = inline and content_type in PREVIEWABLE
    response = storage.send(sha256, filename, content_type=content_type, as_attachment=not inline)
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
