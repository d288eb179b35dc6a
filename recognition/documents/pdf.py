"""Official documents as PDF (fpdf2), with an embedded Source Sans Pro for full Vietnamese coverage.

The pieces here (a page set up with the fonts, the two-column heading, label/value rows, tables,
the signature block) are shared by every document the app prints: minutes, notices, submissions,
slips, the receipt and the certificate."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import font_source_sans_pro
from fpdf import FPDF, FontFace

from recognition.documents.model import NATIONAL_MOTTO, NATIONAL_NAME, Table

if TYPE_CHECKING:  # annotations only: the renderer reads these parts of the document model
    from recognition.documents.model import Heading, OfficialDocument, Paragraph, Part, Signature

FONT_DIR = os.path.join(os.path.dirname(font_source_sans_pro.__file__), "files")
FONT = "SourceSans"
FONT_FILES = {"": "Regular", "B": "Bold", "I": "It", "BI": "BoldIt"}
BODY_SIZE = 12
LINE = 6.5
SIGNATURE_SPACE = 24  # room left for the hand signature and the seal, in mm
BOLD = FontFace(emphasis="BOLD")


def new_pdf(title: str, landscape: bool = False) -> FPDF:
    """A page with the fonts loaded and Decree 30's margins (left 30 mm, right 15 mm, top 20 mm)."""
    pdf = FPDF(orientation="landscape" if landscape else "portrait", format="A4")
    for style, weight in FONT_FILES.items():
        pdf.add_font(FONT, style, os.path.join(FONT_DIR, f"SourceSansPro-{weight}.ttf"))
    pdf.set_margins(30, 20, 15)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font(FONT, "", BODY_SIZE)
    return pdf


def _centered_lines(pdf: FPDF, x: float, width: float, lines: Sequence[tuple[str, str, float]]) -> float:
    """Lines centred in a column; each wraps inside it, so nothing runs into the other column."""
    for text, style, size in lines:
        pdf.set_font(FONT, style, size)
        pdf.set_x(x)
        pdf.multi_cell(width, size * 0.45, text, align="C", new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def _rule_under(pdf: FPDF, x: float, width: float, text: str, size: float, ratio: float) -> None:
    """Decree 30's rule under a line: a third to a half of the issuing body's name, the motto's
    whole length."""
    pdf.set_font(FONT, "B", size)
    length = min(pdf.get_string_width(text), width) * ratio
    y = pdf.get_y() + 0.8
    pdf.set_line_width(0.3)
    pdf.line(x + (width - length) / 2, y, x + (width + length) / 2, y)
    pdf.set_y(y + 1.5)


def draw_heading(pdf: FPDF, heading: Heading) -> None:
    """Issuer and number on the left, national heading and place-date on the right."""
    top, left, width = pdf.get_y(), pdf.l_margin, pdf.epw
    left_width, right_width = width * 0.42, width * 0.58
    right = left + left_width
    pdf.set_y(top)
    lines = [(line, "", 12) for line in heading.issuer.superior]
    lines += [(line, "B", 12) for line in heading.issuer.body]
    _centered_lines(pdf, left, left_width, lines)
    _rule_under(pdf, left, left_width, heading.issuer.body[-1], 12, 0.4)
    left_bottom = pdf.get_y()
    pdf.set_y(top)
    _centered_lines(pdf, right, right_width, [(NATIONAL_NAME, "B", 12), (NATIONAL_MOTTO, "B", 13)])
    _rule_under(pdf, right, right_width, NATIONAL_MOTTO, 13, 1.0)
    row = max(left_bottom, pdf.get_y()) + 1
    pdf.set_y(row)
    _centered_lines(pdf, left, left_width, [(heading.number, "", 12)])
    number_bottom = pdf.get_y()
    pdf.set_y(row)
    _centered_lines(pdf, right, right_width, [(heading.place_date, "I", 12)])
    pdf.set_xy(left, max(number_bottom, pdf.get_y()) + 6)


def draw_title(pdf: FPDF, title: str, summary: tuple[str, ...] = ()) -> None:
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 13)
    for line in summary:
        pdf.multi_cell(0, 6.5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "", BODY_SIZE)


def key_value_rows(pdf: FPDF, rows: list[tuple[str, str]], size: float = 11, max_label: float = 0.45) -> None:
    """Label and value side by side, the label column as wide as the longest label (at most
    `max_label` of the line) and both wrapping inside their own column: they never overprint."""
    pdf.set_font(FONT, "B", size)
    widest = max((pdf.get_string_width(label) for label, _value in rows), default=0) + 2 * pdf.c_margin + 1
    label_width = min(widest, pdf.epw * max_label)
    pdf.set_font(FONT, "", size)
    with pdf.table(
        col_widths=(label_width, pdf.epw - label_width),
        width=pdf.epw,
        first_row_as_headings=False,
        borders_layout="NONE",
        line_height=size * 0.55,
        text_align=("LEFT", "LEFT"),
        padding=(0.6, 1),
    ) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label, style=BOLD)
            row.cell(value)
    pdf.set_x(pdf.l_margin)


def draw_table(pdf: FPDF, table_spec: Table, size: float = 10) -> None:
    pdf.set_font(FONT, "", size)
    total = sum(table_spec.widths)
    align = table_spec.align or ("LEFT",) * len(table_spec.header)
    with pdf.table(
        col_widths=tuple(pdf.epw * w / total for w in table_spec.widths),
        width=pdf.epw,
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        line_height=size * 0.5,
        text_align=tuple({"L": "LEFT", "R": "RIGHT", "C": "CENTER"}.get(a, a) for a in align),
        padding=(0.8, 1),
    ) as table:
        header = table.row()
        for text in table_spec.header:
            header.cell(text, align="CENTER")
        for values in table_spec.rows:
            row = table.row()
            for text in values:
                row.cell(text)
    pdf.ln(3)
    pdf.set_font(FONT, "", BODY_SIZE)


def _paragraph(pdf: FPDF, paragraph: Paragraph) -> None:
    pdf.set_font(FONT, paragraph.style, BODY_SIZE)
    pdf.multi_cell(0, LINE, paragraph.text, align=paragraph.align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.set_font(FONT, "", BODY_SIZE)


def signature_at(pdf: FPDF, x: float, width: float, signature: Signature, top: float) -> float:
    """The signature block centred in a column from `top`; returns where it ends."""
    pdf.set_y(top)
    _centered_lines(pdf, x, width, [(line, "B", 12) for line in signature.authority])
    pdf.set_y(pdf.get_y() + SIGNATURE_SPACE)
    if signature.name:
        _centered_lines(pdf, x, width, [(signature.name, "B", 12)])
    return pdf.get_y()


def _recipients(pdf: FPDF, x: float, width: float, recipients: tuple[str, ...], top: float) -> float:
    pdf.set_xy(x, top)
    pdf.set_font(FONT, "BI", 12)
    pdf.cell(width, 6, "Nơi nhận:", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    for line in recipients:
        pdf.set_x(x)
        pdf.multi_cell(width, 5, f"- {line}", new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def draw_signatures(pdf: FPDF, signatures: tuple[Signature, ...], recipients: tuple[str, ...] = ()) -> None:
    """One signer on the right with the recipients on the left; two signers side by side, the
    recipients under them. Kept on one page."""
    needed = SIGNATURE_SPACE + 30 + 5 * len(recipients)
    if pdf.get_y() + needed > pdf.h - pdf.b_margin:
        pdf.add_page()
    top, left, half = pdf.get_y() + 2, pdf.l_margin, pdf.epw / 2
    bottoms = []
    if len(signatures) == 1:
        bottoms.append(signature_at(pdf, left + half, half, signatures[0], top))
        if recipients:
            bottoms.append(_recipients(pdf, left, half, recipients, top))
    else:
        for index, signature in enumerate(signatures[:2]):
            bottoms.append(signature_at(pdf, left + index * half, half, signature, top))
        if recipients:
            bottoms = [_recipients(pdf, left, half, recipients, max(bottoms) + 4)]
    pdf.set_xy(left, max(bottoms or [top]) + 4)


def draw_part(pdf: FPDF, part: Part) -> None:
    if part.mark:
        pdf.set_font(FONT, "B", 11)
        pdf.set_xy(pdf.w - pdf.r_margin - 30, 8)
        pdf.cell(30, 7, part.mark, border=1, align="C")
        pdf.set_xy(pdf.l_margin, pdf.t_margin)
    if part.heading:
        draw_heading(pdf, part.heading)
    draw_title(pdf, part.title, part.summary)
    for block in part.blocks:
        if isinstance(block, Table):
            draw_table(pdf, block)
        else:
            _paragraph(pdf, block)
    if part.signatures:
        draw_signatures(pdf, part.signatures, part.recipients)


def render_pdf(document: OfficialDocument) -> bytes:
    pdf = new_pdf(document.title, landscape=document.landscape)
    for index, part in enumerate(document.parts):
        if index:
            pdf.add_page()
        draw_part(pdf, part)
    return bytes(pdf.output())
