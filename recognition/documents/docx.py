"""Official documents as DOCX (python-docx), for the ones the Department edits before signing.

Times New Roman 13 and the margins of Decree 30/2020/NĐ-CP; the heading and the signature block are
borderless two-column tables, as clerks lay them out in Word."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from recognition.documents.model import (
    NATIONAL_MOTTO,
    NATIONAL_NAME,
    Heading,
    OfficialDocument,
    Part,
    Signature,
    Table,
)

ALIGN = {
    "J": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "L": WD_ALIGN_PARAGRAPH.LEFT,
    "C": WD_ALIGN_PARAGRAPH.CENTER,
    "R": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _line(
    container: DocxDocument | _Cell,
    text: str,
    style: str = "",
    size: float = 13,
    align: str = "C",
    underline: bool = False,
) -> DocxParagraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = ALIGN[align]
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = "B" in style, "I" in style, underline
    run.font.size = Pt(size)
    return paragraph


def _first_line(cell: _Cell, text: str, style: str = "", size: float = 13, underline: bool = False) -> None:
    """Write into the cell's own empty paragraph, then add further lines after it."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = "B" in style, "I" in style, underline
    run.font.size = Pt(size)


def _borderless(document: DocxDocument, columns: int) -> DocxTable:
    table = document.add_table(rows=1, cols=columns)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    return table


def _heading(document: DocxDocument, heading: Heading) -> None:
    table = _borderless(document, 2)
    left, right = table.rows[0].cells
    lines = [(text, "") for text in heading.issuer.superior] + [(text, "B") for text in heading.issuer.body]
    _first_line(left, lines[0][0], lines[0][1], 12, underline=len(lines) == 1)
    for index, (text, style) in enumerate(lines[1:], start=2):
        _line(left, text, style, 12, underline=index == len(lines))
    _line(left, heading.number, "", 13)
    _first_line(right, NATIONAL_NAME, "B", 12)
    _line(right, NATIONAL_MOTTO, "B", 13, underline=True)
    _line(right, heading.place_date, "I", 13)
    left.width, right.width = Mm(70), Mm(95)


def _table(document: DocxDocument, spec: Table) -> None:
    table = document.add_table(rows=1, cols=len(spec.header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, spec.header, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for values in spec.rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.paragraphs[0].add_run(text)
            if spec.align and spec.align[index] in ALIGN:
                cell.paragraphs[0].alignment = ALIGN[spec.align[index]]
    total = sum(spec.widths)
    for column, width in zip(table.columns, spec.widths, strict=True):
        for cell in column.cells:
            cell.width = Mm(165 * width / total)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(11)
    document.add_paragraph()


def _signature(cell: _Cell, signature: Signature) -> None:
    _first_line(cell, signature.authority[0], "B", 13)
    for line in signature.authority[1:]:
        _line(cell, line, "B", 13)
    for _blank in range(4):
        _line(cell, "")
    if signature.name:
        _line(cell, signature.name, "B", 13)


def _recipients(cell: _Cell, recipients: tuple[str, ...]) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run("Nơi nhận:")
    run.bold = run.italic = True
    run.font.size = Pt(12)
    for line in recipients:
        _line(cell, f"- {line}", "", 11, align="L")


def _signatures(document: DocxDocument, part: Part) -> None:
    table = _borderless(document, 2)
    left, right = table.rows[0].cells
    if len(part.signatures) == 1:
        _signature(right, part.signatures[0])
        if part.recipients:
            _recipients(left, part.recipients)
        return
    _signature(left, part.signatures[0])
    _signature(right, part.signatures[1])
    if part.recipients:
        _recipients(table.add_row().cells[0], part.recipients)


def _part(document: DocxDocument, part: Part) -> None:
    if part.mark:
        _line(document, part.mark, "B", 12, align="R")
    if part.heading:
        _heading(document, part.heading)
        document.add_paragraph()
    _line(document, part.title, "B", 14)
    for line in part.summary:
        _line(document, line, "B", 13)
    document.add_paragraph()
    for block in part.blocks:
        if isinstance(block, Table):
            _table(document, block)
        else:
            paragraph = _line(document, block.text, block.style, 13, align=block.align)
            paragraph.paragraph_format.space_after = Pt(6)
    if part.signatures:
        _signatures(document, part)


def render_docx(official: OfficialDocument) -> bytes:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    document.core_properties.title = official.title
    for index, part in enumerate(official.parts):
        if index:
            document.add_page_break()
        _part(document, part)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
