"""Reading generated documents back: text of a PDF (pypdf) or a DOCX (python-docx), and where each
piece of PDF text lies on the page, to prove that no two pieces overprint."""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass

import font_source_sans_pro
from docx import Document
from fpdf import FPDF
from pypdf import PdfReader

FONT_DIR = os.path.join(os.path.dirname(font_source_sans_pro.__file__), "files")
FONT_FILES = {"": "Regular", "B": "Bold", "I": "It", "BI": "BoldIt"}

NATIONAL_HEADING = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
PLACE_DATE = re.compile(r"Hà Nội, ngày (\d{2}|\s+) tháng (\d{1,2}|\s+) năm \d{4}")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF"), data[:100]
    return squeeze(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def docx_text(data: bytes) -> str:
    """Paragraphs and every table cell (the heading and signatures are tables), in document order."""
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return squeeze(" ".join(parts))


@dataclass(frozen=True)
class Run:
    page: int
    x0: float
    x1: float
    y: float
    text: str


def text_runs(data: bytes) -> list[Run]:
    """Each piece of text the PDF draws, with its extent on its baseline (widths measured with the
    embedded font itself, by fpdf)."""
    measure = FPDF(unit="pt")
    for style, weight in FONT_FILES.items():
        measure.add_font("SourceSans", style, os.path.join(FONT_DIR, f"SourceSansPro-{weight}.ttf"))
    runs: list[Run] = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages):

        def visit(text, cm, tm, font, size, number=number):
            if not text.strip() or font is None:
                return
            name = str(font.get("/BaseFont", ""))
            style = ("B" if "Bold" in name else "") + ("I" if name.endswith("It") else "")
            measure.set_font("SourceSans", style, size * tm[0])
            stripped = text.strip()
            x = tm[4] + cm[4] + measure.get_string_width(text[: len(text) - len(text.lstrip())])
            runs.append(Run(number, x, x + measure.get_string_width(stripped), tm[5] + cm[5], stripped))

        page.extract_text(visitor_text=visit)
    return runs


def overprinted(runs: list[Run]) -> list[tuple[str, str]]:
    """Pairs of runs on one baseline whose extents overlap."""
    found = []
    for first in runs:
        for second in runs:
            same_line = first.page == second.page and abs(first.y - second.y) < 1
            if first is not second and same_line and first.x0 <= second.x0 < first.x1 - 0.5:
                found.append((first.text, second.text))
    return found
