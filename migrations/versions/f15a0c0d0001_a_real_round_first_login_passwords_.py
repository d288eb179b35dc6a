"""A real round: first-login passwords, official unit codes, round calendar, results (2026-12-02)."""

import migration_helpers as helpers
import sqlalchemy as sa
from migration_helpers import columns

revision = "f15a0c0d0001"
down_revision = "e18a5e41ed00"

ROUND_DATES = ("review_starts_on", "review_ends_on", "results_planned_on", "decision_planned_on")


def upgrade():
    helpers.add_columns(
        "administrative_units",
        *columns(sa.String(10), "official_code", nullable=True, unique=True),
    )
    helpers.add_columns(
        "rounds",
        *columns(sa.Date, *ROUND_DATES, nullable=True),
        *columns(sa.JSON, "published_results", nullable=True),
        checks={"review_dates_in_order": "review_ends_on >= review_starts_on"},
    )
    helpers.add_columns("users", *columns(sa.Boolean, "must_change_password", server_default=sa.false()))


def downgrade():
    helpers.drop_columns("users", "must_change_password")
    helpers.drop_columns("rounds", *ROUND_DATES, "published_results", checks=("review_dates_in_order",))
    helpers.drop_columns("administrative_units", "official_code", unique=("official_code",))
