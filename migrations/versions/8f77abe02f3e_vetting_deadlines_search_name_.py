"""Vetting: deadlines, search name, supplement expiry (2026-11-25)."""

import migration_helpers as helpers
import sqlalchemy as sa
from migration_helpers import columns

revision = "8f77abe02f3e"
down_revision = "5f314c020058"


def upgrade():
    helpers.add_columns(
        "applications",
        *columns(sa.Date, "due_on", nullable=True, index=True),
        *columns(sa.Integer, "vetting_days_left", nullable=True),
        *columns(sa.Date, "overdue_reminded_on", nullable=True),
    )
    helpers.add_columns(
        "enterprises", *columns(sa.String(255), "name_folded", server_default="", index=True)
    )
    helpers.add_columns(
        "rounds", *columns(helpers.SUPPLEMENT_EXPIRY.type(), "supplement_expiry", server_default="remind")
    )
    helpers.fill_folded_names("enterprises")  # registered before the search column existed


def downgrade():
    helpers.drop_columns("rounds", "supplement_expiry")
    helpers.drop_columns("enterprises", "name_folded", index=("name_folded",))
    helpers.drop_columns(
        "applications", "due_on", "vetting_days_left", "overdue_reminded_on", index=("due_on",)
    )
