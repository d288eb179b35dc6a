"""The receipt slip (giấy tiếp nhận hồ sơ, after Form 01 of Circular 01/2018/TT-VPCP): page and PDF."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from recognition.cases.models import Application
from recognition.clock import format_day, format_moment, to_local
from recognition.documents.pdf import FONT, key_value_rows, new_pdf
from recognition.nomination.services import current_documents
from recognition.rounds.calendar import add_working_days
from recognition.rounds.models import DocumentKind, VettingBody
from recognition.urls import public_url


@dataclass(frozen=True)
class ReceiptFacts:
    receipt_code: str
    lookup_secret: str | None
    tracking_url: str
    submitted_at: str
    enterprise: str
    product: str
    round_title: str
    vetting_body: str
    vetting_due: str
    documents: list[tuple[str, str]]


def receipt_facts(application: Application, lookup_secret: str | None) -> ReceiptFacts:
    """What the slip says; the lookup secret only while this session still holds it."""
    assert application.submitted_at is not None and application.receipt_code is not None  # submitted
    submitted = to_local(application.submitted_at)
    if application.vetting_body == VettingBody.secretariat:
        body = _("Hanoi Department of Industry and Trade")
    else:
        assert application.vetting_unit is not None  # a unit vets: the dossier names it
        body = _("People's Committee of %(unit)s", unit=application.vetting_unit.name)
    due = add_working_days(submitted.date(), application.round.vetting_working_days)
    return ReceiptFacts(
        receipt_code=application.receipt_code,
        lookup_secret=lookup_secret,
        tracking_url=public_url("registry.track", code=application.receipt_code),
        submitted_at=format_moment(application.submitted_at),
        enterprise=application.enterprise_record.name,
        product=application.product_record.name,
        round_title=application.round.title,
        vetting_body=body,
        vetting_due=format_day(due),
        documents=[(str(DocumentKind(d.kind).label), d.filename) for d in current_documents(application)],
    )


def receipt_pdf(facts: ReceiptFacts) -> bytes:
    pdf = new_pdf(f"{_('Receipt slip')} {facts.receipt_code}")
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 9, _("Receipt slip"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 12)
    pdf.multi_cell(0, 7, facts.round_title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    key_value_rows(
        pdf,
        [
            (_("Receipt code"), facts.receipt_code),
            (_("Lookup secret"), facts.lookup_secret or _("as printed on your first receipt")),
            (_("Follow the dossier at"), facts.tracking_url),
            (_("Submitted at"), facts.submitted_at),
            (_("Enterprise"), facts.enterprise),
            (_("Product"), facts.product),
            (_("Vetting body"), facts.vetting_body),
            (_("Vetting expected by"), facts.vetting_due),
        ],
    )
    pdf.ln(3)
    pdf.set_font(FONT, "B", 11)
    pdf.multi_cell(0, 7, _("Documents received"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    for kind, filename in facts.documents:
        pdf.multi_cell(0, 6, f"• {kind}: {filename}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 6, next_steps_text(facts), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def next_steps_text(facts: ReceiptFacts) -> str:
    return _(
        "What happens next: %(body)s vets the dossier and may ask once, in writing, for missing items; "
        "you will be notified. Follow the dossier at the address above, with the lookup secret.",
        body=facts.vetting_body,
    )
