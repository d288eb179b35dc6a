"""A round's applications, score sheets and certificates as tables, written as XLSX (one workbook, a
sheet per table) or CSV (a file per table).

Headers follow the reader's language (Vietnamese by default). Each table is read in a fixed number of
queries, whatever the number of rows. Text that a spreadsheet would run as a formula (OWASP "CSV
injection": a cell starting with =, +, -, @, tab or carriage return) is written as plain text in
both formats, by the one rule in `is_formula_like`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from recognition.accounts.models import AdministrativeUnit, Sector, User
from recognition.cases.models import STATE_LABELS, Application, State
from recognition.clock import format_day, to_local
from recognition.extensions import db
from recognition.honours.models import Certificate
from recognition.review.models import Criterion, CriterionGroup, ReviewAssignment, Score
from recognition.review.scoring import board
from recognition.rounds.models import Round

TEXT, DATE, POINTS, AMOUNT = "text", "date", "points", "amount"
NUMBER_FORMATS = {POINTS: "0.00", AMOUNT: "#,##0"}
# Days as the pages show them (recognition.clock.format_day): dd/mm/yyyy in Vietnamese, "Dec 3, 2026".
XLSX_DAY_FORMATS = {"vi": "DD/MM/YYYY", "en": "mmm d, yyyy"}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"

# The council's conclusion, as the applications table states it.
OUTCOMES = {
    State.recommended: STATE_LABELS[State.recommended],
    State.recognised: STATE_LABELS[State.recommended],
    State.not_recommended: STATE_LABELS[State.not_recommended],
}


# What one cell of an exported table holds: text, a number, a day, or nothing.
CellValue = str | int | float | Decimal | dt.date | None


@dataclass(frozen=True)
class Column:
    header: LazyString
    kind: str = TEXT
    width: int = 18


def day_column(header: LazyString) -> Column:
    """A column of days, as wide as a day written out (dd/mm/yyyy, "Dec 31, 2026") needs."""
    return Column(header, DATE, 14)


@dataclass(frozen=True)
class Table:
    """One exported table: `name` names its CSV file, `title` its sheet."""

    name: str
    title: LazyString
    columns: tuple[Column, ...]
    rows: Sequence[tuple[CellValue, ...]]


APPLICATION_COLUMNS = (
    Column(_l("Receipt code"), width=20),
    Column(_l("Enterprise"), width=40),
    Column(_l("Tax code"), width=16),
    Column(_l("Product"), width=40),
    Column(_l("Administrative unit"), width=24),
    Column(_l("Sector"), width=30),
    Column(_l("Status"), width=24),
    day_column(_l("Submitted on")),
    Column(_l("Total score"), POINTS, 12),
    Column(_l("Outcome"), width=24),
)
SCORE_COLUMNS = (
    Column(_l("Receipt code"), width=20),
    Column(_l("Council member"), width=30),
    Column(_l("Criterion"), width=12),
    Column(_l("Points"), POINTS, 10),
)
CERTIFICATE_COLUMNS = (
    Column(_l("Serial"), width=20),
    Column(_l("Product"), width=40),
    Column(_l("Enterprise"), width=40),
    Column(_l("Decision number"), width=20),
    day_column(_l("Decision date")),
    day_column(_l("Valid until")),
    Column(_l("Status"), width=16),
)


def applications_table(round_: Round) -> Table:
    """Every submitted dossier of the round, as submitted, with its state, total and outcome."""
    applications = list(
        db.session.scalars(
            select(Application)
            .where(Application.round_id == round_.id, Application.submitted_at.is_not(None))
            .options(selectinload(Application.enterprise), selectinload(Application.product))
            .order_by(Application.submitted_at, Application.id)
        )
    )
    totals = {result.application.id: result.total for result in board(round_)}
    records = [(a, a.enterprise_record, a.product_record) for a in applications]
    unit_ids = {enterprise.unit_id for _a, enterprise, _p in records if enterprise.unit_id}
    units: dict[int | None, str] = {
        u.id: u.name
        for u in db.session.scalars(
            select(AdministrativeUnit).where(AdministrativeUnit.id.in_(unit_ids or [-1]))
        )
    }
    locale = str(get_locale() or "vi")
    sectors = {s.id: s.name_for(locale) for s in db.session.scalars(select(Sector))}
    rows = [
        (
            application.receipt_code,
            enterprise.name,
            enterprise.tax_code,
            product.name,
            units.get(enterprise.unit_id),
            sectors.get(product.sector_id),
            str(STATE_LABELS[application.state]),
            to_local(application.submitted_at).date() if application.submitted_at else None,
            totals.get(application.id),
            str(OUTCOMES[application.state]) if application.state in OUTCOMES else None,
        )
        for application, enterprise, product in records
    ]
    return Table("applications", _l("Applications"), APPLICATION_COLUMNS, rows)


def scores_table(round_: Round) -> Table:
    """One row per criterion of every submitted score sheet (drafts stay the member's own)."""
    rows = db.session.execute(
        select(Application.receipt_code, User.full_name, Criterion.code, Score.points)
        .select_from(Score)
        .join(ReviewAssignment, ReviewAssignment.id == Score.assignment_id)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .join(User, User.id == ReviewAssignment.reviewer_id)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .join(CriterionGroup, CriterionGroup.id == Criterion.group_id)
        .where(Application.round_id == round_.id, ReviewAssignment.submitted_at.is_not(None))
        .order_by(
            Application.receipt_code,
            User.full_name,
            ReviewAssignment.id,
            CriterionGroup.position,
            Criterion.position,
        )  # fmt: skip
    ).all()
    return Table("scores", _l("Scores"), SCORE_COLUMNS, [tuple(row) for row in rows])


def certificates_table(round_: Round) -> Table:
    """The round's certificates in serial order, with their status as of today."""
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.round_id == round_.id).order_by(Certificate.sequence)
    )
    rows = [
        (
            c.serial,
            c.product_name,
            c.enterprise_name,
            c.decision_number,
            c.decision_date,
            c.valid_until,
            str(c.current_status.label),
        )
        for c in certificates
    ]
    return Table("certificates", _l("Certificates"), CERTIFICATE_COLUMNS, rows)


TABLES = {"applications": applications_table, "scores": scores_table, "certificates": certificates_table}


def round_tables(round_: Round) -> list[Table]:
    return [build(round_) for build in TABLES.values()]


def file_stem(round_: Round) -> str:
    """`CNCL-2025`: the programme's code and the year, safe in a file name."""
    return re.sub(r"[^A-Za-z0-9_-]", "", f"{round_.programme.code}-{round_.year}") or f"round-{round_.id}"


# Writing ----------------------------------------------------------------------------------------


def is_formula_like(text: str) -> bool:
    """The one rule for formula injection: text a spreadsheet would run instead of show."""
    return text.startswith(FORMULA_PREFIXES)


def _xlsx_cell(cell: Cell, column: Column, value: CellValue) -> None:
    if value is None:
        return
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XLSX cannot hold
        if is_formula_like(cell.value):
            cell.data_type = "s"  # stored as a string, never a formula
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return
    cell.value = value
    if column.kind == DATE:
        cell.number_format = XLSX_DAY_FORMATS.get(str(get_locale() or "vi"), XLSX_DAY_FORMATS["vi"])
    elif column.kind in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[column.kind]


def to_xlsx(tables: list[Table]) -> bytes:
    """A workbook with a sheet per table: bold frozen header, set widths, real dates and numbers."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook starts with
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(title=str(table.title)[:31])
        for index, column in enumerate(table.columns, start=1):
            header = sheet.cell(row=1, column=index)
            _xlsx_cell(header, column, str(column.header))
            header.font = bold
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        for row_index, row in enumerate(table.rows, start=2):
            for index, (column, value) in enumerate(zip(table.columns, row, strict=True), start=1):
                _xlsx_cell(sheet.cell(row=row_index, column=index), column, value)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return f"'{value}" if is_formula_like(value) else value
    if isinstance(value, dt.date):
        return format_day(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads the Vietnamese right; header row first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_value(str(column.header)) for column in table.columns])
    writer.writerows([_csv_value(value) for value in row] for row in table.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
