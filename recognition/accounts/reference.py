"""Reference data: administrative units (versioned, loaded from CSV) and the sectors."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import date

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from recognition.accounts.models import AdministrativeUnit, Sector, UnitLevel
from recognition.cases.errors import OperationRefused
from recognition.extensions import db

# Hanoi's units: the city, its 30 district-level units until 30/06/2025, and the 126 commune-level
# units (51 phường, 75 xã) of Resolution 1656/NQ-UBTVQH15 (16/06/2025), in force from 01/07/2025,
# each naming the district-level unit(s) whose area it took. Official codes: Cục Thống kê, Công văn
# 1027/CTK-CSCL (25/06/2025); the `code` column keeps the codes this system has always used.
HANOI_UNITS_CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "hanoi_units.csv")
UNIT_CSV_COLUMNS = ("code", "name", "level", "parent_code", "valid_from", "valid_to", "predecessor_codes")

# The eight sector groups of the 2022 round (hanoimoi.com.vn); editable reference data.
SECTORS = (
    ("CK", "Cơ khí chế tạo", "Mechanical engineering"),
    ("DDT", "Điện, điện tử", "Electrical and electronics"),
    ("CNTT", "Công nghệ thông tin", "Information technology"),
    ("DMDG", "Dệt may, da giày", "Textiles, garments, leather and footwear"),
    ("CBNS", "Chế biến nông sản, thực phẩm", "Agricultural and food processing"),
    ("HCCN", "Hóa chất, cao su, nhựa, dược phẩm", "Chemicals, rubber, plastics, pharmaceuticals"),
    ("VLXD", "Vật liệu xây dựng", "Construction materials"),
    ("TCMN", "Thủ công mỹ nghệ", "Handicrafts"),
)
SECTORS_VALID_FROM = date(2022, 1, 1)


class UnitImportError(OperationRefused):
    """A unit's data is wrong: `field` names the column (or form field) at fault, `value` what it
    held. The message never embeds the value (a form shows it beside the field, where it is escaped);
    from a file, the message names the line and the value."""

    def __init__(self, message: LazyString | str, field: str | None = None, value: str = ""):
        super().__init__(message)
        self.field = field
        self.value = value


@dataclass
class UnitRecord:
    """One unit as a CSV row or the administrator's form gives it: units are named by their codes."""

    code: str
    name: str
    level: str
    valid_from: date | None
    valid_to: date | None = None
    parent_code: str = ""
    predecessor_codes: tuple[str, ...] = ()
    official_code: str = ""


def _parse_date(text: str, column: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise UnitImportError(_l("This is not a YYYY-MM-DD date."), column, text) from error


def _record_from_row(row: dict) -> UnitRecord:
    return UnitRecord(
        code=(row["code"] or "").strip(),
        name=(row["name"] or "").strip(),
        level=(row["level"] or "").strip(),
        valid_from=_parse_date(row["valid_from"], "valid_from"),
        valid_to=_parse_date(row["valid_to"], "valid_to"),
        parent_code=(row["parent_code"] or "").strip(),
        predecessor_codes=tuple(c.strip() for c in (row["predecessor_codes"] or "").split(";") if c.strip()),
        official_code=(row.get("official_code") or "").strip(),
    )


def apply_unit_fields(unit: AdministrativeUnit, record: UnitRecord) -> None:
    """Check a unit's own fields (required, level, dates in order) and copy them onto `unit`."""
    if not record.code:
        raise UnitImportError(_l("A code is required."), "code")
    if not record.name:
        raise UnitImportError(_l("A name is required."), "name")
    try:
        level = UnitLevel(record.level)
    except ValueError as error:
        raise UnitImportError(_l("Unknown level."), "level", record.level) from error
    if record.valid_from is None:
        raise UnitImportError(_l("The date it is valid from is required."), "valid_from")
    if record.valid_to is not None and record.valid_to < record.valid_from:
        raise UnitImportError(_l("A unit cannot end before it starts."), "valid_to")
    unit.code = record.code
    unit.name = record.name
    unit.level = level
    unit.valid_from = record.valid_from
    unit.valid_to = record.valid_to
    unit.official_code = record.official_code or None


def link_unit(unit: AdministrativeUnit, record: UnitRecord, by_code: dict[str, AdministrativeUnit]) -> None:
    """Set the parent and the predecessors named by code; each must exist and not be the unit itself,
    and the parent must not sit below the unit (no loops)."""
    for field, codes in (
        ("parent_code", (record.parent_code,)),
        ("predecessor_codes", record.predecessor_codes),
    ):
        for code in codes:
            if code and code not in by_code:
                raise UnitImportError(_l("There is no unit with this code."), field, code)
            if code and by_code[code] is unit:
                raise UnitImportError(_l("A unit cannot name itself."), field)
    parent = by_code[record.parent_code] if record.parent_code else None
    ancestor = parent
    while ancestor is not None:
        if ancestor is unit:
            raise UnitImportError(
                _l("The parent unit cannot be one of this unit's own sub-units."), "parent_code"
            )
        ancestor = ancestor.parent
    unit.parent = parent
    unit.predecessors = [by_code[code] for code in record.predecessor_codes]


def units_by_code() -> dict[str, AdministrativeUnit]:
    return {u.code: u for u in db.session.scalars(select(AdministrativeUnit))}


def import_units(text: str) -> int:
    """Create or update units from CSV text (header: UNIT_CSV_COLUMNS, and `official_code` if the file
    has official codes); returns rows read.

    Idempotent: a unit is matched by code, so a file can be loaded again after corrections.
    Parents and predecessors may appear later in the file than the units naming them.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = set(UNIT_CSV_COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise UnitImportError(f"missing columns: {', '.join(sorted(missing))}")
    by_code = units_by_code()
    records: list[tuple[int, UnitRecord, AdministrativeUnit]] = []
    for line, row in enumerate(reader, start=2):
        try:
            record = _record_from_row(row)
            unit = by_code.get(record.code) or AdministrativeUnit()
            apply_unit_fields(unit, record)
        except UnitImportError as error:
            raise _on_line(line, error) from error
        by_code[record.code] = unit
        db.session.add(unit)
        records.append((line, record, unit))
    for line, record, unit in records:
        try:
            link_unit(unit, record, by_code)
        except UnitImportError as error:
            raise _on_line(line, error) from error
    db.session.flush()
    return len(records)


def _on_line(line: int, error: UnitImportError) -> UnitImportError:
    where = f"line {line}, {error.field} {error.value!r}" if error.value else f"line {line}"
    return UnitImportError(f"{where}: {error.message}", error.field, error.value)


def save_unit(record: UnitRecord, unit: AdministrativeUnit | None = None) -> AdministrativeUnit:
    """The administrator's form: create a unit (`unit` None) or change one, with the import's checks;
    codes, official codes too, stay unique. The caller commits."""
    by_code = units_by_code()
    holder = by_code.get(record.code)
    if holder is not None and holder is not unit:
        raise UnitImportError(_l("Another unit already has this code."), "code")
    if record.official_code:
        taken = db.session.scalar(
            select(AdministrativeUnit.id).where(AdministrativeUnit.official_code == record.official_code)
        )
        if taken is not None and (unit is None or taken != unit.id):
            raise UnitImportError(_l("Another unit already has this official code."), "official_code")
    unit = unit or AdministrativeUnit()
    if unit.code and unit.code != record.code:
        by_code.pop(unit.code, None)
    apply_unit_fields(unit, record)
    by_code[record.code] = unit
    link_unit(unit, record, by_code)
    db.session.add(unit)
    db.session.flush()
    return unit


def load_sectors() -> int:
    """Insert the sectors that are missing; returns how many were added."""
    existing = set(db.session.scalars(select(Sector.code)))
    added = 0
    for code, name_vi, name_en in SECTORS:
        if code not in existing:
            db.session.add(Sector(code=code, name_vi=name_vi, name_en=name_en, valid_from=SECTORS_VALID_FROM))
            added += 1
    db.session.flush()
    return added
