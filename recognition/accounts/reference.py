"""Reference data: administrative units (versioned, loaded from CSV) and the sectors."""

from __future__ import annotations

import csv
import io
import os
from datetime import date

from sqlalchemy import select

from recognition.accounts.models import AdministrativeUnit, Sector, UnitLevel
from recognition.extensions import db

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


class UnitImportError(ValueError):
    """A row of a units file is malformed; the message names the line."""


def _parse_date(text: str, line: int, column: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise UnitImportError(f"line {line}: {column} {text!r} is not a YYYY-MM-DD date") from error


def import_units(text: str) -> int:
    """Create or update units from CSV text (header: UNIT_CSV_COLUMNS); returns rows read.

    Idempotent: a unit is matched by code, so a file can be loaded again after corrections.
    Parents and predecessors may appear later in the file than the units naming them.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = set(UNIT_CSV_COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise UnitImportError(f"missing columns: {', '.join(sorted(missing))}")
    rows = list(reader)
    by_code = {u.code: u for u in db.session.scalars(select(AdministrativeUnit))}
    for line, row in enumerate(rows, start=2):
        code = row["code"].strip()
        if not code or not row["name"].strip():
            raise UnitImportError(f"line {line}: code and name are required")
        try:
            level = UnitLevel(row["level"].strip())
        except ValueError as error:
            raise UnitImportError(f"line {line}: unknown level {row['level']!r}") from error
        valid_from = _parse_date(row["valid_from"], line, "valid_from")
        if valid_from is None:
            raise UnitImportError(f"line {line}: valid_from is required")
        unit = by_code.get(code) or AdministrativeUnit(code=code)
        unit.name = row["name"].strip()
        unit.level = level
        unit.valid_from = valid_from
        unit.valid_to = _parse_date(row["valid_to"], line, "valid_to")
        by_code[code] = unit
        db.session.add(unit)
    for line, row in enumerate(rows, start=2):
        unit = by_code[row["code"].strip()]
        parent_code = row["parent_code"].strip()
        try:
            unit.parent = by_code[parent_code] if parent_code else None
            unit.predecessors = [by_code[c.strip()] for c in row["predecessor_codes"].split(";") if c.strip()]
        except KeyError as error:
            raise UnitImportError(f"line {line}: unknown unit code {error.args[0]!r}") from error
    db.session.flush()
    return len(rows)


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
