"""Integrity: submitted records, sealed audit, anchors (2026-12-02).

Existing rows are filled in: certificates take the names their dossier has today, dossiers past
draft get a record of what they hold today (unsealed: their trail predates the seal), and existing
audit events are sealed with the configured AUDIT_KEY.
"""

import hashlib
import hmac
import json
import unicodedata

import migration_helpers as helpers
import sqlalchemy as sa
from alembic import op
from flask import current_app
from migration_helpers import TIMESTAMP, columns, refs

revision = "e18a5e41ed00"
down_revision = "e18b0acc0001"

HASH = sa.String(64)
# Certificate columns copied from the dossier; NOT NULL once filled, except unit_id.
CERTIFICATE_COPIES = (
    ("product_name", sa.String(255)), ("enterprise_name", sa.String(255)), ("tax_code", sa.String(14)),
    ("sector_id", sa.Integer()), ("unit_id", sa.Integer()), ("names_folded", sa.String(520)),
)
CERTIFICATE_LINKS = {"sector_id": "sectors", "unit_id": "administrative_units"}


def upgrade():
    helpers.create_table("audit_anchors",
        *columns(sa.Date, "day"),
        *columns(TIMESTAMP, "cutoff"),
        *columns(sa.Integer, "chains"),
        *columns(HASH, "digest", "prev_mac", "mac"),
        *columns(TIMESTAMP, "created_at"),
        primary_key=("day",),
    )
    helpers.create_table("record_changes",
        *columns(sa.String(20), "subject_type"),
        *columns(sa.Integer, "subject_id", "seq"),
        *refs("users", "actor_id", nullable=True),
        *columns(sa.String(20), "actor_role"),
        *columns(sa.String(40), "action"),
        *columns(TIMESTAMP, "at", index=True),
        *columns(sa.JSON, "payload"),
        *columns(HASH, "prev_hash"),
        *columns(HASH, "hash", unique=True),
        *columns(HASH, "mac"),
        unique_together={"uq_record_changes_seq": ("subject_type", "subject_id", "seq")},
    )
    helpers.add_columns("applications", *columns(sa.JSON, "snapshot", nullable=True))
    helpers.add_columns("audit_events", *columns(HASH, "mac", nullable=True))
    copies = (sa.Column(name, type_, nullable=True) for name, type_ in CERTIFICATE_COPIES)
    helpers.add_columns("certificates", *copies)

    _fill_existing_rows()

    with op.batch_alter_table("certificates", schema=None) as batch_op:
        for name in ("product_name", "enterprise_name", "names_folded"):
            batch_op.alter_column(name, existing_type=sa.String(), nullable=False)
        batch_op.alter_column("tax_code", existing_type=sa.String(length=14), nullable=False)
        batch_op.alter_column("sector_id", existing_type=sa.Integer(), nullable=False)
        for column in CERTIFICATE_LINKS:
            batch_op.create_index(batch_op.f(f"ix_certificates_{column}"), [column], unique=False)
        for column, target in CERTIFICATE_LINKS.items():
            fk_name = batch_op.f(f"fk_certificates_{column}_{target}")
            batch_op.create_foreign_key(fk_name, target, [column], ["id"])


def downgrade():
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        for column, target in reversed(CERTIFICATE_LINKS.items()):
            batch_op.drop_constraint(batch_op.f(f"fk_certificates_{column}_{target}"), type_="foreignkey")
        for column in reversed(CERTIFICATE_LINKS):
            batch_op.drop_index(batch_op.f(f"ix_certificates_{column}"))
        for name, _type in reversed(CERTIFICATE_COPIES):
            batch_op.drop_column(name)
    helpers.drop_columns("audit_events", "mac")
    helpers.drop_columns("applications", "snapshot")
    helpers.drop_tables("record_changes", "audit_anchors")


def _fold(text):
    decomposed = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower().strip()


def _fill_existing_rows():
    bind = op.get_bind()
    product_fields = ("name", "category", "sector_id", "description", "year_started", "capacity",
                      "main_markets", "hs_code")
    rows = bind.execute(sa.text(
        "SELECT a.id, e.name, e.tax_code, e.address, e.unit_id, e.sector_id, "  # noqa: S608 -- constant names
        + ", ".join(f"p.{f}" for f in product_fields)
        + " FROM applications a JOIN enterprises e ON e.id = a.enterprise_id "
        "JOIN products p ON p.id = a.product_id WHERE a.state <> 'draft'"
    )).all()
    for row in rows:
        enterprise = dict(zip(("name", "tax_code", "address", "unit_id", "sector_id"), row[1:6], strict=True))
        product = dict(zip(product_fields, row[6:], strict=True))
        snapshot = {"enterprise": enterprise, "product": product, "figures": [], "certifications": [],
                    "documents": [], "taken_at": None}
        bind.execute(sa.text("UPDATE applications SET snapshot = :s WHERE id = :id"),
                     {"s": json.dumps(snapshot, ensure_ascii=False), "id": row[0]})
        bind.execute(sa.text(
            "UPDATE certificates SET product_name = :p, enterprise_name = :e, tax_code = :t, "
            "sector_id = :sector, unit_id = :unit, names_folded = :folded WHERE application_id = :id"
        ), {"p": product["name"], "e": enterprise["name"], "t": enterprise["tax_code"],
            "sector": product["sector_id"], "unit": enterprise["unit_id"],
            "folded": _fold(f"{product['name']} {enterprise['name']}"), "id": row[0]})
    key = current_app.config["AUDIT_KEY"].encode("utf-8")
    for event_id, event_hash in bind.execute(sa.text("SELECT id, hash FROM audit_events")).all():
        mac = hmac.new(key, event_hash.encode("utf-8"), hashlib.sha256).hexdigest()
        bind.execute(sa.text("UPDATE audit_events SET mac = :m WHERE id = :id"), {"m": mac, "id": event_id})
