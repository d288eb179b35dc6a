"""What the revisions in versions/ share, said once: column kinds, table and column operations.

The revisions import it by its bare name (alembic.ini puts this folder on sys.path). Its output is
history: once a revision uses a helper or a value list, neither changes; a new need gets a new helper
or plain Alembic code in the new revision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic import op

TIMESTAMP = sa.DateTime(timezone=True)


@dataclass(frozen=True)
class Choices:
    """The values a VARCHAR column may hold (sa.Enum without a native type), as first created."""

    name: str
    values: tuple[str, ...]
    length: int

    def type(self) -> sa.Enum:
        return sa.Enum(*self.values, name=self.name, native_enum=False, length=self.length)


UNIT_LEVEL = Choices("unitlevel", ("city", "district", "town", "ward", "commune"), 20)
ROLE = Choices("role", ("applicant", "unit_officer", "council_member", "secretariat", "admin"), 20)
ROUND_STATUS = Choices("roundstatus", ("draft", "open", "closed"), 10)
VETTING_BODY = Choices("vettingbody", ("unit", "secretariat"), 12)
PRODUCT_CATEGORY = Choices("productcategory", ("high_tech", "other", "handicraft", "start_up"), 12)
APPLICATION_STATE = Choices(
    "state",
    ("draft", "submitted", "vetting", "supplement_requested", "endorsed", "unit_rejected", "under_review",
     "recommended", "not_recommended", "recognised", "withdrawn"),
    24,
)
DOCUMENT_KIND = Choices(
    "documentkind",
    ("registration_form", "business_registration", "financial_statements", "quality_certificates",
     "intellectual_property", "environmental_compliance", "product_description", "other"),
    30,
)
TECHNOLOGY_LEVEL = Choices("technologylevel", ("advanced", "modern", "average"), 12)
SUPPLEMENT_EXPIRY = Choices("supplementexpiry", ("remind", "withdraw"), 10)
CERTIFICATE_STATUS = Choices("certificatestatus", ("valid", "expired", "revoked", "superseded"), 12)
OBJECTION_STATUS = Choices("objectionstatus", ("open", "answered", "resolved"), 10)
SUPPORT_KIND = Choices(
    "supportkind", ("trade_promotion", "technology", "training", "branding", "land_procedures", "finance"), 20
)
MAIL_STATUS = Choices("mailstatus", ("queued", "sending", "sent", "failed", "interrupted"), 12)
VETTING_OUTCOME = Choices("vettingoutcome", ("endorsed", "rejected"), 10)


def check_in(column: str, values: Iterable[str]) -> str:
    """The condition of a `known_*` CHECK: `column IN ('a', 'b')`."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


def known(**choices: Choices) -> dict[str, str]:
    """The `known_<column>` CHECKs that keep each column to its values."""
    return {f"known_{column}": check_in(column, allowed.values) for column, allowed in choices.items()}


def non_negative(*names: str) -> str:
    """The condition that each of the columns is at least 0."""
    return " AND ".join(f"{name} >= 0" for name in names)


def columns(
    type_: Any, *names: str, nullable: bool = False, unique: bool = False, index: bool = False, **options: Any
) -> list[sa.Column[Any]]:
    """One column per name, all of one type, NOT NULL unless said. `unique` and `index` ask
    create_table / add_columns for a uq_ constraint or an ix_ index on each."""
    return [
        sa.Column(name, type_, nullable=nullable, info={"unique": unique, "index": index}, **options)
        for name in names
    ]


def refs(target: str, *names: str, ondelete: str | None = None, **flags: bool) -> list[sa.Column[Any]]:
    """Integer columns pointing at `target`.id (`flags` as for columns); create_table gives each its
    fk_ constraint."""
    made = columns(sa.Integer, *names, **flags)
    for column in made:
        column.info.update(references=target, ondelete=ondelete)
    return made


def validity_columns() -> list[sa.Column[Any]]:
    """valid_from / valid_to of reference data: from a day, open-ended unless closed."""
    return columns(sa.Date, "valid_from") + columns(sa.Date, "valid_to", nullable=True)


def create_table(
    name: str,
    *table_columns: sa.Column[Any],
    checks: dict[str, str] | None = None,
    unique_together: dict[str, tuple[str, ...]] | None = None,
    primary_key: tuple[str, ...] | None = None,
) -> None:
    """op.create_table with the constraints and indexes the columns ask for, named as usual.

    The key is an integer `id`, the first column, unless `primary_key` names the key columns.
    Constraints come in the order Alembic's autogenerate wrote them: the checks as given, then the
    foreign keys and unique constraints sorted by column, the indexes by name. SQLite keeps the
    CREATE TABLE text as written, so the order is part of the schema.
    """
    if primary_key is None:
        table_columns = (sa.Column("id", sa.Integer(), nullable=False), *table_columns)
        primary_key = ("id",)
    constraints: list[sa.Constraint] = [
        sa.CheckConstraint(condition, name=op.f(f"ck_{name}_{check}"))
        for check, condition in (checks or {}).items()
    ]
    references = sorted((c for c in table_columns if "references" in c.info), key=lambda c: c.name)
    constraints += [_foreign_key(name, column) for column in references]
    constraints.append(sa.PrimaryKeyConstraint(*primary_key, name=op.f(f"pk_{name}")))
    uniques = [((c.name,), op.f(f"uq_{name}_{c.name}")) for c in table_columns if c.info.get("unique")]
    uniques += [(cols, uq_name) for uq_name, cols in (unique_together or {}).items()]
    constraints += [sa.UniqueConstraint(*cols, name=uq_name) for cols, uq_name in sorted(uniques)]
    op.create_table(name, *table_columns, *constraints)
    indexed = sorted(c.name for c in table_columns if c.info.get("index"))
    if indexed:
        add_columns(name, index=indexed)


def _foreign_key(table: str, column: sa.Column[Any]) -> sa.ForeignKeyConstraint:
    target = column.info["references"]
    return sa.ForeignKeyConstraint(
        [column.name], [f"{target}.id"], name=op.f(f"fk_{table}_{column.name}_{target}"),
        ondelete=column.info["ondelete"],
    )


def drop_tables(*names: str) -> None:
    """Drop each table in turn (its indexes go with it)."""
    for name in names:
        op.drop_table(name)


def add_columns(
    table: str, *added: sa.Column[Any], index: Iterable[str] = (), checks: dict[str, str] | None = None
) -> None:
    """One batch on `table`: the columns, the ix_ indexes and uq_ constraints they ask for (and an
    ix_ index on each existing column in `index`), then the ck_ checks."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in added:
            batch_op.add_column(column)
        for column_name in [c.name for c in added if c.info.get("index")] + list(index):
            batch_op.create_index(batch_op.f(f"ix_{table}_{column_name}"), [column_name], unique=False)
        for column_name in [c.name for c in added if c.info.get("unique")]:
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_{column_name}"), [column_name])
        for check, condition in (checks or {}).items():
            batch_op.create_check_constraint(batch_op.f(f"ck_{table}_{check}"), condition)


def drop_columns(
    table: str, *names: str, index: Iterable[str] = (), unique: Iterable[str] = (), checks: Iterable[str] = ()
) -> None:
    """The inverse of add_columns given the same names: constraints and indexes first, then the
    columns, each list last added first."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for check in reversed(list(checks)):
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_{check}"), type_="check")
        for column_name in reversed(list(unique)):
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_{column_name}"), type_="unique")
        for column_name in reversed(list(index)):
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column_name}"))
        for name in reversed(names):
            batch_op.drop_column(name)


def fill_folded_names(table: str) -> None:
    """name_folded (the accent-free search key) for the rows made before the column existed."""
    from recognition.i18n import fold

    connection = op.get_bind()
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column("name", sa.String),
                    sa.column("name_folded", sa.String))
    for row_id, name in connection.execute(sa.select(rows.c.id, rows.c.name)).all():
        connection.execute(rows.update().where(rows.c.id == row_id).values(name_folded=fold(name)))


# Added with the supporting-industries programme (2026-12-04).
SUPPORT_KIND_WITH_CNHT = Choices(
    "supportkind",
    ("trade_promotion", "technology", "training", "branding", "land_procedures", "finance", "standards",
     "supply_chain"),
    20,
)
ROUND_OUTCOME = Choices("roundoutcome", ("certificate", "selection"), 12)
VETTING_REPORT_KIND = Choices("vettingreportkind", ("checklist", "survey"), 10)
SUPPLIER_TIER = Choices("suppliertier", ("tier1", "tier2", "tier3"), 8)
STANDARD = Choices("standard", ("iso_9001", "iso_14001", "iatf_16949", "iso_13485", "as9100", "other"), 12)
