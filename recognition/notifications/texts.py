"""What a notification says, in the reader's language: a subject, a line for the notice list, a body
for the mail, and the page it points to for the role it addresses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l

from recognition.cases.models import STATE_LABELS, Application, Notification
from recognition.clock import format_day
from recognition.extensions import db
from recognition.rounds.models import RoundOutcome
from recognition.supporting.reminders import CERTIFICATION_EXPIRING
from recognition.urls import app_path, public_url

SUBJECTS = {
    "submit": _l("Dossier %(code)s has been received"),
    "start_vetting": _l("Dossier %(code)s: vetting has started"),
    "request_supplement": _l("Dossier %(code)s: please supplement it"),
    "resubmit": _l("Dossier %(code)s: the enterprise has answered the request to supplement"),
    "endorse": _l("Dossier %(code)s has been endorsed to the selection council"),
    "reject_in_unit": _l("Dossier %(code)s has not been endorsed"),
    "open_review": _l("Dossier %(code)s: council review has opened"),
    "conclude_review": _l("Dossier %(code)s: the council has concluded its review"),
    "recognise": _l("Dossier %(code)s: the product has been recognised by the City"),
    "withdraw": _l("Dossier %(code)s has been withdrawn"),
    "lapse": _l("Dossier %(code)s was closed: the request to supplement was not answered in time"),
    "vetting_overdue": _l("Dossier %(code)s: vetting is overdue"),
    "supplement_overdue": _l("Dossier %(code)s: the supplement is overdue"),
    "conflict_declared": _l("Dossier %(code)s: a council member declared a conflict of interest"),
    "objection_answered": _l("Your comment on the published results has been answered"),
    "confirm_email": _l("Confirm your e-mail address"),
    "registration_attempt": _l("Someone tried to register with your e-mail address"),
    CERTIFICATION_EXPIRING: _l("Your %(standard)s certification no. %(number)s expires on %(day)s"),
}
# A step whose news depends on what the round's decision grants (its `outcome` setting).
OUTCOME_SUBJECTS: dict[tuple[str, RoundOutcome | None], LazyString] = {
    ("recognise", RoundOutcome.selection): _l(
        "Dossier %(code)s: the enterprise has been selected for support"
    ),
}
OTHER_EVENT = _l("Dossier %(code)s has changed")
# The mail body of events that are not about a dossier's step; the others share one template.
BODY_TEMPLATES = {
    "objection_answered": "mail/objection_answered.txt",
    "confirm_email": "mail/confirm_email.txt",
    "registration_attempt": "mail/registration_attempt.txt",
    CERTIFICATION_EXPIRING: "mail/certification_expiring.txt",
}
# Where the applicant keeps the certifications up to date: the enterprise's register entry.
REGISTER_ENTRY_PAGE = "supplier_profile.edit"
DOSSIER_PAGES = {
    "applicant": "nomination.application",
    "unit_officer": "vetting.dossier",
    "secretariat": "dossiers.dossier",
}


@dataclass(frozen=True)
class MailText:
    subject: str
    body: str


def subject_of(notification: Notification, application: Application | None) -> str:
    code = application.receipt_code if application is not None else ""
    fields = {"code": code}
    if notification.event == CERTIFICATION_EXPIRING:
        payload = notification.payload or {}
        fields |= {
            "standard": payload.get("standard", ""),
            "number": payload.get("number", ""),
            "day": format_day(payload.get("expires_on")),
        }
    outcome = application.round.outcome if application is not None else None
    subject = OUTCOME_SUBJECTS.get((notification.event, outcome)) or SUBJECTS.get(
        notification.event, OTHER_EVENT
    )
    return str(subject % fields)


def page_of(notification: Notification, role: str, build: Callable[..., str] = app_path) -> str | None:
    """The page a notice points to, for the role it addresses (None when there is none to open);
    `build` makes it absolute for a mail."""
    if notification.event == CERTIFICATION_EXPIRING:
        # The register entry's page, where the applicant enters the renewed certification.
        return build(REGISTER_ENTRY_PAGE) if role == "applicant" else None
    if notification.application_id is None:
        return None
    if role == "council_member":
        return build("review.home")
    endpoint = DOSSIER_PAGES.get(role)
    return build(endpoint, application_id=notification.application_id) if endpoint else None


def _date_in(payload: dict | None, key: str) -> date | None:
    value = (payload or {}).get(key)
    return date.fromisoformat(value) if value else None


def compose(notification: Notification, role: str, locale: str) -> MailText:
    """The mail for one recipient, rendered in their language."""
    application = (
        db.session.get(Application, notification.application_id) if notification.application_id else None
    )
    with force_locale(locale):
        subject = subject_of(notification, application)
        # Straight from the environment: mails are rendered outside requests, so without the pages'
        # context processors.
        body = current_app.jinja_env.get_template(
            BODY_TEMPLATES.get(notification.event, "mail/dossier_event.txt")
        ).render(
            subject=subject,
            notification=notification,
            payload=notification.payload or {},
            application=application,
            state_label=str(STATE_LABELS[application.state]) if application is not None else "",
            link=page_of(notification, role, public_url),
            due_on=_date_in(notification.payload, "due_on"),
            expires_on=_date_in(notification.payload, "expires_on"),
        )
    return MailText(subject=subject, body=body)
