"""Accounts and reference data (2026-11-25)."""

import migration_helpers as helpers
import sqlalchemy as sa
from migration_helpers import TIMESTAMP, columns, refs, validity_columns

revision = "b13df60ec611"
down_revision = None


def upgrade():
    helpers.create_table("administrative_units",
        *columns(sa.String(20), "code", unique=True),
        *columns(sa.String(120), "name"),
        *columns(helpers.UNIT_LEVEL.type(), "level"),
        *refs("administrative_units", "parent_id", nullable=True),
        *validity_columns(),
        checks={"validity_order": "valid_to IS NULL OR valid_to >= valid_from"},
    )
    helpers.create_table("sectors",
        *columns(sa.String(20), "code", unique=True),
        *columns(sa.String(200), "name_vi", "name_en"),
        *validity_columns(),
    )
    helpers.create_table("users",
        *columns(sa.String(254), "email", unique=True),
        *columns(sa.String(200), "full_name"),
        *columns(sa.String(255), "password_hash"),
        *columns(sa.Boolean, "active"),
        *columns(sa.String(64), "session_token"),
        *columns(TIMESTAMP, "created_at"),
    )
    helpers.create_table("enterprises",
        *columns(sa.String(255), "name"),
        *columns(sa.String(14), "tax_code", unique=True),
        *columns(sa.String(500), "address"),
        *refs("administrative_units", "unit_id", index=True),
        *refs("sectors", "sector_id", index=True),
        *columns(TIMESTAMP, "created_at"),
    )
    helpers.create_table("unit_predecessors",
        *refs("administrative_units", "unit_id", ondelete="CASCADE"),
        *refs("administrative_units", "predecessor_id", ondelete="CASCADE"),
        primary_key=("unit_id", "predecessor_id"),
    )
    helpers.create_table("role_memberships",
        *refs("users", "user_id", ondelete="CASCADE", index=True),
        *columns(helpers.ROLE.type(), "role"),
        *refs("enterprises", "enterprise_id", nullable=True, index=True),
        *refs("administrative_units", "unit_id", nullable=True, index=True),
        checks={
            "applicant_has_enterprise": "(role = 'applicant') = (enterprise_id IS NOT NULL)",
            "officer_has_unit": "(role = 'unit_officer') = (unit_id IS NOT NULL)",
        },
        unique_together={"uq_role_membership": ("user_id", "role", "enterprise_id", "unit_id")},
    )


def downgrade():
    helpers.drop_tables(
        "role_memberships", "unit_predecessors", "enterprises", "users", "sectors", "administrative_units"
    )
