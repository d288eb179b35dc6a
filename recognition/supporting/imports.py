"""Import of the Department's existing lists of supporting-industry firms, from XLSX or CSV.

The file is read twice: once for the preview (nothing is written), once more when the secretariat
confirms; between the two its bytes wait in the evidence store under their SHA-256 (a CSV is kept as
an XLSX copy of its cells, since the store takes only checked office and PDF files). Each row is
checked on its own and reported as created, updated, unchanged or rejected with its reasons; the
good rows are imported, the rejected ones can be downloaded with their reasons, corrected and
uploaded again (the reason column is ignored then). Importing the same file again changes nothing.

Column layout (the header row may be one of the first ten; Vietnamese or English headers, any case,
with or without diacritics; other columns are ignored):

- Mã số thuế / Tax code (required): 10 digits with the right check digit, optionally "-" and a
  3-digit branch. A number cell that lost its leading zero (100233488) is read with it again.
- Tên doanh nghiệp / Name, Địa chỉ / Address (required): used only when the tax code is new; an
  enterprise already on file (a registered applicant, an earlier import) keeps its own name, address
  and unit, and the report says so when the file differs.
- Đơn vị hành chính / Administrative unit (required): a unit valid today, by its code (P-HOANKIEM), its
  statistics office code (00070) or its exact name (Phường Hoàn Kiếm).
- Lĩnh vực CNHT / Supporting sector (required): a code of recognition.supporting.reference (LKKL, …)
  or its Vietnamese or English name. A new enterprise is filed under the sector's industrial sector.
- Sản phẩm / Products: separated by ";" (or on lines of their own).
- Chứng nhận / Certifications: entries separated by ";", each `standard | number | body | expiry`:
  "ISO 9001:2015 | 12345 | Bureau Veritas | 2027-05-31; IATF 16949 | 0456 | TÜV | 31/12/2026".
  The standard is ISO 9001, ISO 14001, IATF 16949, ISO 13485 or AS9100 (the edition after ":" is
  ignored); any other name is kept as an "other" standard. The number is required; body and expiry
  (YYYY-MM-DD or DD/MM/YYYY) may be left empty. Certifications are added, or updated by standard and
  number; one the file does not list is never removed.
- Cung ứng cho FDI / Supplies multinationals, Đồng ý công khai / Listing consent: có/không, yes/no,
  x, 1/0. Consent is taken for a new entry only: whether a firm is listed is then its own choice.
- Cấp / Tier: 1, 2 or 3, only with "có" under Cung ứng cho FDI on the same row.

An optional cell left empty leaves what the profile already holds (a new profile starts empty, not
supplying, not listed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recognition.accounts.models import (
    AdministrativeUnit,
    Enterprise,
    Role,
    User,
    is_valid_tax_code,
    normalise_tax_code,
)
from recognition.accounts.services import units_open_for_registration
from recognition.cases.audit import changed_fields, record_changes
from recognition.cases.errors import OperationRefused
from recognition.cases.storage import EvidenceStorage, UploadRejected, upload_message
from recognition.clock import utcnow
from recognition.extensions import db
from recognition.i18n import fold
from recognition.labels import LabelledEnum
from recognition.reports.exports import is_formula_like
from recognition.supporting.models import (
    FirmCertification,
    Standard,
    SupplierProfile,
    SupplierTier,
    SupportingSector,
)
from recognition.supporting.register import entry_record
from recognition.supporting.search import refresh_search_key

IMPORT_MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000  # a list longer than the city's ≈920 firms several times over is split, not imported
HEADER_SEARCH_ROWS = 10  # the header row may sit under a title or two
MAX_COLUMNS = 50  # the layout has 10 columns; a sheet may carry others, never thousands
BLANK_ROWS_END = 1000  # blank rows in a row past which the rest of a sheet is formatting, not data
SAMPLE_SIZE = 20  # good rows shown on the preview
QUERY_CHUNK = 500  # tax codes per IN (…) query: below every database's parameter limit
REASON_HEADER = "Lý do / Reason"
XLSX_MAGIC = b"PK\x03\x04"
DIGEST = re.compile(r"[0-9a-f]{64}")


def _header_key(text: str) -> str:
    """A header as compared: folded, punctuation and underscores as single spaces ("Mã số thuế" →
    "ma so thue", "tax_code" → "tax code")."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


@dataclass(frozen=True)
class ImportColumn:
    """One column of the layout: `key` names it in the code, the headers and `aliases` (folded) in a file."""

    key: str
    header_vi: str
    header_en: str
    required: bool
    guide: LazyString
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> set[str]:
        return {_header_key(name) for name in (self.key, self.header_vi, self.header_en, *self.aliases)}

    def __str__(self) -> str:
        return f"{self.header_vi} / {self.header_en}"


# key, Vietnamese header, English header, required, other names a file may head the column with.
COLUMN_NAMES = (
    ("tax_code", "Mã số thuế", "Tax code", True, ("mst",)),
    ("name", "Tên doanh nghiệp", "Name", True,
     ("ten", "ten cong ty", "enterprise", "enterprise name", "company")),
    ("address", "Địa chỉ", "Address", True, ("dia chi tru so", "head office")),
    ("unit", "Đơn vị hành chính", "Administrative unit", True, ("unit", "phuong xa", "don vi")),
    ("sector", "Lĩnh vực CNHT", "Supporting sector", True,
     ("linh vuc", "sector", "supporting industry sector")),
    ("products", "Sản phẩm", "Products", False, ("san pham chinh", "components")),
    ("certifications", "Chứng nhận", "Certifications", False, ("chung chi", "certification")),
    ("supplies_multinationals", "Cung ứng cho FDI", "Supplies multinationals", False,
     ("cung ung fdi", "fdi", "supplies fdi")),
    ("tier", "Cấp", "Tier", False, ("cap cung ung", "supplier tier")),
    ("listing_consent", "Đồng ý công khai", "Listing consent", False, ("cong khai", "consent", "listed")),
)  # fmt: skip
# How to write each column, as the template's guide sheet and the upload page say it.
COLUMN_GUIDES = {
    "tax_code": _l("10 digits with the right check digit, optionally a dash and a 3-digit branch."),
    "name": _l("Used for a new enterprise; an enterprise already on file keeps its registered name."),
    "address": _l("Used for a new enterprise; an enterprise already on file keeps its registered address."),
    "unit": _l("A unit valid today: its code (P-HOANKIEM), its statistics office code or its exact name."),
    "sector": _l("The supporting-industry sector's code (LKKL, LKNCS, LKDDT, NPLDM, CNCNC) or its name."),
    "products": _l("Components and products, separated by semicolons."),
    "certifications": _l(
        "Entries separated by semicolons, each written standard | number | body | expiry date, e.g. "
        "ISO 9001:2015 | 12345 | Bureau Veritas | 2027-05-31. Body and expiry may be left empty."
    ),
    "supplies_multinationals": _l("có / không (yes / no)."),
    "tier": _l(
        "1, 2 or 3: where the firm sits in a multinational's supply chain "
        "(with có under Cung ứng cho FDI)."
    ),
    "listing_consent": _l("có / không: the firm agreed to appear in the public supplier directory."),
}  # fmt: skip
COLUMNS = tuple(
    ImportColumn(key, header_vi, header_en, required, COLUMN_GUIDES[key], aliases)
    for key, header_vi, header_en, required, aliases in COLUMN_NAMES
)
HEADER_NAMES = {name: column for column in COLUMNS for name in column.names}  # a header, folded → its column
MAX_LENGTHS = {"name": 255, "address": 500}  # the enterprises table's columns
YES = {"co", "yes", "y", "x", "1", "true", "dung"}
NO = {"khong", "no", "n", "0", "false", "sai"}
STANDARDS = {"iso9001": Standard.iso_9001, "iso14001": Standard.iso_14001, "iatf16949": Standard.iatf_16949,
             "iso13485": Standard.iso_13485, "as9100": Standard.as9100}  # fmt: skip
CERTIFICATION_LENGTHS = {"standard_name": 120, "number": 120, "body": 200}


class ImportFileError(OperationRefused):
    """The file as a whole cannot be imported (unreadable, too large, required columns missing, no
    longer kept); shown beside the upload form's file field."""

    field = "file"


class RowStatus(LabelledEnum):
    created = "created", _l("New")
    updated = "updated", _l("Updated")
    unchanged = "unchanged", _l("Unchanged")
    rejected = "rejected", _l("Rejected")


@dataclass(frozen=True)
class Sheet:
    """The file's cells as text: its header row and each data row with its row number in the file."""

    headers: tuple[str, ...]
    columns: dict[str, int]  # column key → index in the row
    rows: list[tuple[int, tuple[str, ...]]]

    def cell(self, cells: tuple[str, ...], key: str) -> str:
        index = self.columns.get(key)
        return cells[index] if index is not None and index < len(cells) else ""


@dataclass(frozen=True)
class CertificationEntry:
    standard: Standard
    standard_name: str
    number: str
    body: str
    expires_on: dt.date | None

    @property
    def key(self) -> tuple[Standard, str]:
        return self.standard, self.number


@dataclass
class FirmRow:
    """What a good row says; None (and `certifications` empty) where an optional cell is empty."""

    tax_code: str
    name: str
    address: str
    unit: AdministrativeUnit
    sector: SupportingSector
    products: tuple[str, ...] | None
    supplies_multinationals: bool | None
    tier: SupplierTier | None
    listing_consent: bool | None
    certifications: list[CertificationEntry]


@dataclass
class RowOutcome:
    line: int
    cells: tuple[str, ...]
    status: RowStatus
    tax_code: str
    name: str
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    firm: FirmRow | None = None
    enterprise: Enterprise | None = None  # already on file
    profile: SupplierProfile | None = None  # already on file


@dataclass
class ImportReport:
    digest: str
    headers: tuple[str, ...]
    outcomes: list[RowOutcome]
    enterprises_created: int = 0

    def count(self, status: RowStatus) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def counts(self) -> dict[RowStatus, int]:
        return {status: self.count(status) for status in RowStatus}

    @property
    def rejected(self) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == RowStatus.rejected]

    @property
    def good(self) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status != RowStatus.rejected]

    @property
    def sample(self) -> list[RowOutcome]:
        """Good rows to look at before confirming: the changes first, then unchanged ones."""
        changes = [o for o in self.good if o.status != RowStatus.unchanged]
        return (changes or self.good)[:SAMPLE_SIZE]

    @property
    def noted(self) -> list[RowOutcome]:
        return [outcome for outcome in self.good if outcome.notes]

    @property
    def has_changes(self) -> bool:
        return any(o.status in (RowStatus.created, RowStatus.updated) for o in self.outcomes)


# Receiving and reading the file ---------------------------------------------------------------------


def receive_upload(stream: IO[bytes], storage: EvidenceStorage) -> str:
    """Check the uploaded list reads (a workbook, or a CSV, with the required columns), keep it in the
    evidence store and return its digest, which the preview and the confirmation name it by."""
    data = stream.read(IMPORT_MAX_BYTES + 1)
    if len(data) > IMPORT_MAX_BYTES:
        raise ImportFileError(_l("The file is larger than %(limit)s MB.", limit=IMPORT_MAX_BYTES // 2**20))
    if not data:
        raise ImportFileError(upload_message("empty"))
    if data.startswith(XLSX_MAGIC):
        digest = _store(storage, data)
        _read_stored(storage, digest)
        return digest
    rows = _csv_rows(data)
    _sheet(rows)  # the required columns are there
    return _store(storage, _text_workbook(rows))


def load_sheet(storage: EvidenceStorage, digest: str) -> Sheet:
    """The stored list named by `digest`, read again (refused when the store no longer has it)."""
    if not DIGEST.fullmatch(digest or "") or not storage.exists(digest):
        raise ImportFileError(
            _l(
                "The uploaded file is no longer kept (files wait an hour between preview and import). "
                "Upload it again."
            )
        )
    return _read_stored(storage, digest)


def _store(storage: EvidenceStorage, data: bytes) -> str:
    try:
        return storage.put(io.BytesIO(data), IMPORT_MAX_BYTES).sha256
    except UploadRejected as rejection:
        if rejection.reason == "type":
            raise _unreadable() from rejection
        raise ImportFileError(upload_message(rejection.reason)) from rejection


def _unreadable() -> ImportFileError:
    return ImportFileError(
        _l(
            "The file could not be read as an XLSX workbook or a CSV file in UTF-8. Save it again from the "
            "spreadsheet as XLSX (or as CSV UTF-8) and upload it again."
        )
    )


def _read_stored(storage: EvidenceStorage, digest: str) -> Sheet:
    with storage.open(digest) as stored:
        data = stored.read()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            rows = _bounded_rows(workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True))
        finally:
            workbook.close()
    except ImportFileError:
        raise
    except Exception as error:  # a damaged workbook fails in many ways inside openpyxl
        raise _unreadable() from error
    return _sheet(rows)


def _bounded_rows(rows: Iterable[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """The sheet's rows, read no further than a list can be: openpyxl pads a sheet out to the last
    cell it declares (a single far cell of a 10 KB file makes a million rows), so a long run of blank
    rows ends the list, a file longer than the limit is refused before it is all read, and the rows
    are cut to the last column that holds anything."""
    kept: list[tuple[object, ...]] = []
    blank_run = width = 0
    for row in rows:
        filled = [i for i, cell in enumerate(row) if cell is not None and str(cell).strip()]
        if filled:
            blank_run, width = 0, max(width, filled[-1] + 1)
        else:
            blank_run += 1
            if blank_run > BLANK_ROWS_END:
                break
        kept.append(row)
        if len(kept) > 2 * MAX_ROWS + HEADER_SEARCH_ROWS:
            raise ImportFileError(_l("The file has more than %(limit)s rows: split it.", limit=MAX_ROWS))
    return [row[:width] for row in kept]


def _csv_rows(data: bytes) -> list[tuple[object, ...]]:
    """The CSV's records (comma, semicolon or tab, whichever the first line uses most), UTF-8 only."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _unreadable() from error
    if "\x00" in text:
        raise _unreadable()
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    try:
        return [tuple(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as error:
        raise _unreadable() from error


def _column_map(headers: Sequence[object]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = HEADER_NAMES.get(_header_key(_text(header)))
        if column is not None and column.key not in columns:
            columns[column.key] = index
    return columns


def _sheet(rows: Sequence[tuple[object, ...]]) -> Sheet:
    """Find the header row among the first rows, then take every non-blank row under it as text."""
    if not rows:
        raise ImportFileError(_l("The file holds no rows."))
    required = {column.key for column in COLUMNS if column.required}
    candidates = [(index, _column_map(row)) for index, row in enumerate(rows[:HEADER_SEARCH_ROWS])]
    header_index, columns = next(
        ((index, found) for index, found in candidates if required <= found.keys()),
        max(candidates, key=lambda candidate: len(candidate[1])),
    )
    missing = [str(c) for c in COLUMNS if c.required and c.key not in columns]
    if missing:
        raise ImportFileError(
            _l(
                "Required columns are missing: %(columns)s. "
                "The header row must name them (see the template).",
                columns=", ".join(missing),
            )
        )
    tax_index = columns["tax_code"]
    data_rows: list[tuple[int, tuple[str, ...]]] = []
    for line, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        cells = tuple(_tax_code_text(cell) if i == tax_index else _text(cell) for i, cell in enumerate(row))
        if not any(cells):
            continue
        if len(data_rows) >= MAX_ROWS:
            raise ImportFileError(_l("The file has more than %(limit)s rows: split it.", limit=MAX_ROWS))
        data_rows.append((line, cells))
    return Sheet(tuple(_text(cell) for cell in rows[header_index]), columns, data_rows)


def _text(value: object) -> str:
    """A cell as the text a person typed: numbers without a trailing ".0", days as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def _tax_code_text(value: object) -> str:
    """A tax code typed into a number cell lost its leading zero (Hanoi's start with 01): put it back."""
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        return f"{int(value):010d}"
    return _text(value)


# Checking each row ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookups:
    """The reference data a row names, loaded once per file (no query per row)."""

    units: dict[str, list[AdministrativeUnit]]
    sectors: dict[str, SupportingSector]

    @classmethod
    def load(cls, today: dt.date) -> Lookups:
        units: dict[str, list[AdministrativeUnit]] = {}
        for unit in units_open_for_registration(today):
            keys = {unit.code.casefold(), _name_key(unit.name), (unit.official_code or "").casefold()}
            for key in keys - {""}:
                units.setdefault(key, []).append(unit)
        sectors: dict[str, SupportingSector] = {}
        for sector in db.session.scalars(select(SupportingSector)):
            for key in (sector.code.casefold(), _name_key(sector.name_vi), _name_key(sector.name_en)):
                sectors.setdefault(key, sector)
        return cls(units, sectors)

    def unit(self, text: str) -> list[AdministrativeUnit]:
        key = _name_key(text)
        found = self.units.get(key, [])
        if not found and key.isdigit():  # a statistics office code that lost its leading zeros
            found = self.units.get(key.zfill(5), [])
        return list({unit.id: unit for unit in found}.values())


def _name_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _check_row(sheet: Sheet, line: int, cells: tuple[str, ...], lookups: Lookups) -> RowOutcome:
    def value(key: str) -> str:
        return sheet.cell(cells, key)

    tax_code = normalise_tax_code(value("tax_code"))
    outcome = RowOutcome(line, cells, RowStatus.rejected, tax_code, value("name"))
    reasons = outcome.reasons
    if not tax_code:
        reasons.append(_("The tax code is missing."))
    elif not is_valid_tax_code(tax_code):
        reasons.append(
            _("“%(value)s” is not a valid tax code (10 digits with the right check digit).", value=tax_code)
        )
    if not value("name"):
        reasons.append(_("The name is missing."))
    elif len(value("name")) > MAX_LENGTHS["name"]:
        reasons.append(_("The name is longer than %(max)s characters.", max=MAX_LENGTHS["name"]))
    if not value("address"):
        reasons.append(_("The address is missing."))
    elif len(value("address")) > MAX_LENGTHS["address"]:
        reasons.append(_("The address is longer than %(max)s characters.", max=MAX_LENGTHS["address"]))
    unit = _unit_of(value("unit"), lookups, reasons)
    sector = _sector_of(value("sector"), lookups, reasons)
    supplies = _yes_no(value("supplies_multinationals"), "supplies_multinationals", reasons)
    consent = _yes_no(value("listing_consent"), "listing_consent", reasons)
    tier = _tier_of(value("tier"), reasons)
    if tier is not None and supplies is not True:
        reasons.append(_("A tier is given, but the firm is not marked as supplying multinationals (có)."))
    certifications = _certifications_of(value("certifications"), reasons)
    products = tuple(p.strip() for p in re.split(r"[;\n]", value("products")) if p.strip())
    if reasons or unit is None or sector is None:
        return outcome
    outcome.firm = FirmRow(
        tax_code, value("name"), value("address"), unit, sector, products or None, supplies, tier, consent,
        certifications,
    )  # fmt: skip
    outcome.status = RowStatus.created  # until plan_import finds the firm on file
    return outcome


def _unit_of(text: str, lookups: Lookups, reasons: list[str]) -> AdministrativeUnit | None:
    if not text:
        reasons.append(_("The administrative unit is missing."))
        return None
    found = lookups.unit(text)
    if len(found) > 1:
        reasons.append(_("“%(value)s” names more than one unit valid today: give its code.", value=text))
        return None
    if not found:
        reasons.append(
            _(
                "Unknown administrative unit “%(value)s”: "
                "give the code or the exact name of a unit valid today.",
                value=text,
            )
        )
        return None
    return found[0]


def _sector_of(text: str, lookups: Lookups, reasons: list[str]) -> SupportingSector | None:
    if not text:
        reasons.append(_("The supporting-industry sector is missing."))
        return None
    sector = lookups.sectors.get(_name_key(text))
    if sector is None:
        reasons.append(
            _(
                "Unknown supporting-industry sector “%(value)s”: give its code (e.g. LKKL) or its name.",
                value=text,
            )
        )
    return sector


def _yes_no(text: str, column: str, reasons: list[str]) -> bool | None:
    folded = fold(text)
    if not folded:
        return None
    if folded in YES:
        return True
    if folded in NO:
        return False
    header = next(str(c) for c in COLUMNS if c.key == column)
    reasons.append(_("“%(value)s” in %(column)s is not có or không (yes or no).", value=text, column=header))
    return None


def _tier_of(text: str, reasons: list[str]) -> SupplierTier | None:
    if not text:
        return None
    match = re.fullmatch(r"(?:cap|tier)?\s*([123])", fold(text))
    if match is None:
        reasons.append(_("The tier “%(value)s” is not 1, 2 or 3.", value=text))
        return None
    return SupplierTier(f"tier{match[1]}")


def _certifications_of(text: str, reasons: list[str]) -> list[CertificationEntry]:
    entries: list[CertificationEntry] = []
    for written in (part.strip() for part in re.split(r"[;\n]", text)):
        if not written:
            continue
        parts = [part.strip() for part in written.split("|")]
        if len(parts) > 4:
            reasons.append(
                _("Certification “%(value)s”: write standard | number | body | expiry date.", value=written)
            )
            continue
        name, number, body, expiry = (parts + ["", "", ""])[:4]
        if not name or not number:
            reasons.append(
                _("Certification “%(value)s”: the standard and the number are required.", value=written)
            )
            continue
        expires_on = _day(expiry)
        if expiry and expires_on is None:
            reasons.append(
                _(
                    "Certification “%(value)s”: “%(day)s” is not a date (write YYYY-MM-DD or DD/MM/YYYY).",
                    value=written, day=expiry,
                )
            )  # fmt: skip
            continue
        standard = _standard_of(name)
        entry = CertificationEntry(
            standard, name if standard == Standard.other else "", number, body, expires_on
        )
        lengths = {"standard_name": entry.standard_name, "number": number, "body": body}
        if any(len(lengths[key]) > limit for key, limit in CERTIFICATION_LENGTHS.items()):
            reasons.append(_("Certification “%(value)s”: a part is too long.", value=written))
        elif any(entry.key == other.key for other in entries):
            reasons.append(_("Certification “%(value)s” is listed twice.", value=written))
        else:
            entries.append(entry)
    return entries


def _standard_of(name: str) -> Standard:
    """ISO 9001:2015, iso-9001, ISO9001 → iso_9001; AS9100D → as9100; anything else is "other"."""
    compact = re.sub(r"[\s._-]", "", fold(name)).split(":", 1)[0]
    compact = re.sub(r"^(as9100)[a-z]$", r"\1", compact)
    return STANDARDS.get(compact, Standard.other)


def _day(text: str) -> dt.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


# Comparing with the register --------------------------------------------------------------------------

ProfileState = tuple[int, tuple[str, ...], bool, SupplierTier | None, bool, frozenset[tuple[object, ...]]]


def _certification_state(entry: CertificationEntry | FirmCertification) -> tuple[object, ...]:
    return entry.standard, entry.number, entry.standard_name, entry.body, entry.expires_on


def _current_state(profile: SupplierProfile) -> ProfileState:
    return (
        profile.supporting_sector_id,
        tuple(profile.product_lines),
        profile.supplies_multinationals,
        profile.tier,
        profile.listing_consent,
        frozenset(_certification_state(c) for c in profile.certifications),
    )


def _merged_certifications(
    existing: Iterable[FirmCertification], entries: list[CertificationEntry]
) -> frozenset[tuple[object, ...]]:
    """The profile's certifications once the file's are added or updated (by standard and number)."""
    by_key: dict[tuple[object, ...], tuple[object, ...]] = {
        (c.standard, c.number): _certification_state(c) for c in existing
    }
    by_key.update({entry.key: _certification_state(entry) for entry in entries})
    return frozenset(by_key.values())


def _wanted_state(profile: SupplierProfile | None, firm: FirmRow) -> ProfileState:
    """What the profile holds after the import: the file's values where it gives them, else the
    profile's own (a new profile's defaults)."""
    products = firm.products if firm.products is not None else tuple(profile.product_lines if profile else ())
    supplies = firm.supplies_multinationals
    if supplies is None:
        supplies = profile.supplies_multinationals if profile else False
    tier = firm.tier if firm.tier is not None else (profile.tier if profile and supplies else None)
    # Listing publicly is the enterprise's choice: a file gives it for a new entry only, so an old
    # list imported again never lists a firm that has since withdrawn.
    consent = profile.listing_consent if profile else bool(firm.listing_consent)
    certifications = _merged_certifications(profile.certifications if profile else (), firm.certifications)
    return firm.sector.id, products, supplies, tier, consent, certifications


def plan_import(sheet: Sheet, digest: str, today: dt.date) -> ImportReport:
    """Check every row and compare the good ones with the register: what the import would do. Writes
    nothing; a fixed number of queries whatever the number of rows."""
    lookups = Lookups.load(today)
    outcomes = [_check_row(sheet, line, cells, lookups) for line, cells in sheet.rows]
    first_line: dict[str, int] = {}
    for outcome in outcomes:
        if not is_valid_tax_code(outcome.tax_code):
            continue
        if outcome.tax_code in first_line:
            outcome.reasons.append(
                _(
                    "The tax code %(value)s already appears in row %(line)s.",
                    value=outcome.tax_code,
                    line=first_line[outcome.tax_code],
                )
            )
            outcome.status, outcome.firm = RowStatus.rejected, None
        else:
            first_line[outcome.tax_code] = outcome.line
    good = [outcome for outcome in outcomes if outcome.firm is not None]
    enterprises, profiles = _on_file([outcome.tax_code for outcome in good])
    for outcome in good:
        assert outcome.firm is not None
        outcome.enterprise = enterprises.get(outcome.tax_code)
        outcome.profile = profiles.get(outcome.enterprise.id) if outcome.enterprise else None
        if outcome.enterprise is not None:
            _note_registered(outcome, outcome.enterprise, outcome.firm)
        if outcome.profile is not None:
            _note_consent(outcome, outcome.profile, outcome.firm)
            unchanged = _current_state(outcome.profile) == _wanted_state(outcome.profile, outcome.firm)
            outcome.status = RowStatus.unchanged if unchanged else RowStatus.updated
    return ImportReport(digest, sheet.headers, outcomes)


def _on_file(tax_codes: list[str]) -> tuple[dict[str, Enterprise], dict[int, SupplierProfile]]:
    """The enterprises with these tax codes and their profiles (with certifications), a chunk at a time."""
    enterprises: dict[str, Enterprise] = {}
    profiles: dict[int, SupplierProfile] = {}
    for start in range(0, len(tax_codes), QUERY_CHUNK):
        chunk = tax_codes[start : start + QUERY_CHUNK]
        for enterprise in db.session.scalars(select(Enterprise).where(Enterprise.tax_code.in_(chunk))):
            enterprises[enterprise.tax_code] = enterprise
        ids = [enterprises[code].id for code in chunk if code in enterprises]
        if ids:
            stmt = (
                select(SupplierProfile)
                .where(SupplierProfile.enterprise_id.in_(ids))
                .options(selectinload(SupplierProfile.certifications))
            )
            for profile in db.session.scalars(stmt):
                profiles[profile.enterprise_id] = profile
    return enterprises, profiles


def _note_registered(outcome: RowOutcome, enterprise: Enterprise, firm: FirmRow) -> None:
    differs = (
        fold(enterprise.name) != fold(firm.name)
        or " ".join(enterprise.address.split()) != " ".join(firm.address.split())
        or enterprise.unit_id != firm.unit.id
    )
    if differs:
        outcome.notes.append(
            _(
                "Already registered as “%(name)s”: its registered name, address and unit are kept.",
                name=enterprise.name,
            )
        )


def _note_consent(outcome: RowOutcome, profile: SupplierProfile, firm: FirmRow) -> None:
    if firm.listing_consent is not None and firm.listing_consent != profile.listing_consent:
        outcome.notes.append(
            _("Listing consent is the enterprise's own choice: the register keeps the one it holds.")
        )


# Applying --------------------------------------------------------------------------------------------


def apply_import(report: ImportReport, user: User) -> ImportReport:
    """Create the new enterprises and write the profiles the plan found new or changed (the caller
    commits). Rows found unchanged are not touched, so importing the same file again writes nothing."""
    now = utcnow()
    written: list[tuple[SupplierProfile, dict]] = []
    for outcome in report.outcomes:
        firm = outcome.firm
        if firm is None or outcome.status == RowStatus.unchanged:
            continue
        before = entry_record(outcome.profile) if outcome.profile is not None else {}
        enterprise = outcome.enterprise
        if enterprise is None:
            enterprise = Enterprise(
                name=firm.name, tax_code=firm.tax_code, address=firm.address, unit=firm.unit,
                sector_id=firm.sector.sector_id,
            )  # fmt: skip
            db.session.add(enterprise)
            report.enterprises_created += 1
        profile = outcome.profile
        if profile is None:
            profile = SupplierProfile(enterprise=enterprise, certifications=[])
            db.session.add(profile)
        _write_profile(profile, firm, _wanted_state(outcome.profile, firm))
        profile.updated_at, profile.updated_by = now, user
        refresh_search_key(profile)
        written.append((profile, before))
    db.session.flush()
    # Audited as one act: each entry's chain says it came from this file (its digest), and what changed.
    changes = [(profile, changed_fields(before, entry_record(profile))) for profile, before in written]
    record_changes(
        [(profile, {"file": report.digest, "changes": changed}) for profile, changed in changes],
        user, Role.secretariat.value, "import_register_entry",
    )  # fmt: skip
    return report


def _write_profile(profile: SupplierProfile, firm: FirmRow, state: ProfileState) -> None:
    _sector_id, products, supplies, tier, consent, _certifications = state
    profile.supporting_sector = firm.sector
    profile.products = "\n".join(products)
    profile.supplies_multinationals, profile.tier, profile.listing_consent = supplies, tier, consent
    held = {(c.standard, c.number): c for c in profile.certifications}
    for entry in firm.certifications:
        certification = held.get(entry.key)
        if certification is None:
            certification = FirmCertification(standard=entry.standard, number=entry.number)
            profile.certifications.append(certification)
        certification.standard_name, certification.body = entry.standard_name, entry.body
        certification.expires_on = entry.expires_on


# Files to download ----------------------------------------------------------------------------------


def rejects_table(report: ImportReport) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The rejected rows with the file's own columns and a last one giving the reasons: corrected,
    the same file can be uploaded again (the reason column is ignored)."""
    width = len(report.headers)
    rows = [
        tuple(outcome.cells[:width]) + ("",) * (width - len(outcome.cells)) + ("; ".join(outcome.reasons),)
        for outcome in report.rejected
    ]
    return (*report.headers, REASON_HEADER), rows


def template_headers() -> tuple[str, ...]:
    return tuple(column.header_vi for column in COLUMNS)


def template_xlsx() -> bytes:
    """The empty list to fill: the headers, and a second sheet saying how to write each column."""
    guide = [("Cột / Column", "Bắt buộc / Required", "Cách ghi / How to write it")] + [
        (str(column), "x" if column.required else "", str(column.guide)) for column in COLUMNS
    ]
    return _text_workbook([template_headers()], guide)


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    return _text_workbook([headers, *rows])


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads the Vietnamese right; formula-like text quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in [headers, *rows]:
        writer.writerow([f"'{cell}" if is_formula_like(cell) else cell for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _text_workbook(rows: Iterable[Sequence[object]], guide: Sequence[Sequence[str]] = ()) -> bytes:
    """A workbook of text cells, the first row bold (never formulas: a cell starting with "=" stays
    text); the rows keep their places, blank ones too, so row numbers read the same as the source's."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    _write_text_rows(sheet, rows)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    if guide:
        _write_text_rows(workbook.create_sheet("Hướng dẫn - Guide"), guide)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_text_rows(sheet: Worksheet, rows: Iterable[Sequence[object]]) -> None:
    for row_index, row in enumerate(rows, start=1):
        for column_index, value in enumerate(row, start=1):
            text = _text(value)
            if text:
                cell = sheet.cell(row=row_index, column=column_index)
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
                cell.data_type = "s"
                cell.quotePrefix = is_formula_like(text)
