"""Nomination details, certifications, working-day calendar (2026-11-25)."""

import migration_helpers as helpers
import sqlalchemy as sa
from migration_helpers import columns, refs

revision = "5f314c020058"
down_revision = "322cb619c83c"


def upgrade():
    helpers.create_table("calendar_exceptions",
        *columns(sa.Date, "day"),
        *columns(sa.Boolean, "is_working_day"),
        *columns(sa.String(255), "note"),
        primary_key=("day",),
    )
    helpers.create_table("certifications",
        *refs("applications", "application_id", ondelete="CASCADE", index=True),
        *columns(sa.String(120), "standard", "number"),
        *columns(sa.Date, "expires_on", nullable=True),
    )
    helpers.add_columns(
        "applications",
        *columns(helpers.TECHNOLOGY_LEVEL.type(), "technology_level", nullable=True),
        *columns(sa.BigInteger, "rnd_spending_vnd", nullable=True),
        *columns(sa.Text, "environmental_compliance", server_default=""),
    )
    helpers.add_columns(
        "products",
        *columns(sa.Integer, "year_started", nullable=True),
        *columns(sa.String(255), "capacity", server_default=""),
        *columns(sa.String(500), "main_markets", server_default=""),
        *columns(sa.String(12), "hs_code", server_default=""),
    )
    helpers.add_columns(
        "rounds",
        *columns(sa.Integer, "vetting_working_days", server_default="15"),
        *columns(sa.Integer, "supplement_working_days", server_default="10"),
    )


def downgrade():
    helpers.drop_columns("rounds", "vetting_working_days", "supplement_working_days")
    helpers.drop_columns("products", "year_started", "capacity", "main_markets", "hs_code")
    helpers.drop_columns("applications", "technology_level", "rnd_spending_vnd", "environmental_compliance")
    helpers.drop_tables("certifications", "calendar_exceptions")
