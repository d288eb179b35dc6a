"""An official document as data, so one description renders to PDF and to DOCX alike.

Decree 30/2020/NĐ-CP (Appendix I) fixes the parts: the issuing body (top left, its superior body
above it) and the national heading (top right), the number line under the issuer and the place-date
line under the heading, the title with its summary line, the body, the signature block and the
recipients ("Nơi nhận")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
PLACE = "Hà Nội"


@dataclass(frozen=True)
class Issuer:
    """The issuing body: its superior body's lines (regular) and its own name's lines (bold)."""

    superior: tuple[str, ...]
    body: tuple[str, ...]


CITY = Issuer((), ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI"))
DEPARTMENT = Issuer(("UBND THÀNH PHỐ HÀ NỘI",), ("SỞ CÔNG THƯƠNG",))
COUNCIL = Issuer(("UBND THÀNH PHỐ HÀ NỘI",), ("HỘI ĐỒNG XÉT CHỌN",))


def commune_committee(unit_name: str) -> Issuer:
    """A commune-level People's Committee (e.g. "Xã Đông Anh" → ỦY BAN NHÂN DÂN / XÃ ĐÔNG ANH)."""
    return Issuer((), ("ỦY BAN NHÂN DÂN", unit_name.upper()))


def place_date(day: date | None, year: int | None = None) -> str:
    """ "Hà Nội, ngày 05 tháng 02 năm 2026": a day below 10 and the months 1 and 2 take a leading zero
    (Decree 30, Appendix I); without a day, the blanks are left for the clerk to fill at signing."""
    if day is None:
        return f"{PLACE}, ngày      tháng      năm {year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{PLACE}, ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass(frozen=True)
class Heading:
    """The top of a part: the issuer (top left) with the number line under it, and the national
    heading (top right) with the place-date line under it (see `place_date`)."""

    issuer: Issuer
    number: str
    place_date: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = ""  # "", "B", "I" or "BI"
    align: str = "J"  # "J", "L", "C" or "R"


@dataclass(frozen=True)
class Table:
    """A bordered table; widths are relative and the header repeats on each page."""

    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    widths: tuple[float, ...]
    align: tuple[str, ...] = ()


@dataclass(frozen=True)
class Signature:
    """Who signs: the authority lines in capitals (TM. …, KT. …, the position) and the signer's name."""

    authority: tuple[str, ...]
    name: str = ""


Block = Paragraph | Table


@dataclass
class Part:
    """One document of a file: a submission and the draft decision it carries are two parts."""

    title: str
    summary: tuple[str, ...] = ()
    heading: Heading | None = None
    blocks: list[Block] = field(default_factory=list)
    signatures: tuple[Signature, ...] = ()
    recipients: tuple[str, ...] = ()
    mark: str = ""  # "DỰ THẢO" on a draft


@dataclass
class OfficialDocument:
    name: str  # the file name without extension
    title: str  # the file's metadata title
    parts: list[Part]
    landscape: bool = False


def lower_first(text: str) -> str:
    """ "Xét chọn sản phẩm …" as it reads inside a sentence."""
    return text[:1].lower() + text[1:]
