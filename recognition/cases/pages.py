"""The pages that show a whole dossier read-only (the vetting body's, the secretariat's) through the
shared partials of templates/cases/ (_dossier.html, _supplements.html, _timeline.html): what those
partials read is gathered here once, so a page adds only its own part."""

from __future__ import annotations

from typing import Any

from flask import render_template

from recognition.cases.downloads import document_links
from recognition.cases.models import Application
from recognition.cases.queries import supplements_of, timeline_of
from recognition.clock import local_today
from recognition.nomination.services import current_documents


def render_dossier(template: str, application: Application, **context: Any) -> str:
    """`template` with the dossier's current documents (linked to the page's own `.document`
    endpoint), its supplements and answers, and its timeline, plus the page's `context`."""
    return render_template(
        template,
        application=application,
        documents=current_documents(application),
        timeline=timeline_of(application),
        supplements=supplements_of(application),
        today=local_today(),
        document_url=document_links(".document", application_id=application.id),
        **context,
    )
