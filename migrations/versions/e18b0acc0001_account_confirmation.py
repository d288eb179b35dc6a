"""Accounts: e-mail confirmation of self-registered accounts (2026-12-02)."""

import migration_helpers as helpers
import sqlalchemy as sa
from alembic import op
from migration_helpers import TIMESTAMP, columns

revision = "e18b0acc0001"
down_revision = "5f38e4f9287a"


def upgrade():
    helpers.add_columns("users", *columns(TIMESTAMP, "email_confirmed_at", nullable=True))
    # Accounts made before confirmation existed were made by people the system trusted: confirmed.
    users = sa.table("users", sa.column("created_at", TIMESTAMP), sa.column("email_confirmed_at", TIMESTAMP))
    op.get_bind().execute(users.update().values(email_confirmed_at=users.c.created_at))


def downgrade():
    helpers.drop_columns("users", "email_confirmed_at")
