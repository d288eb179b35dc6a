"""Issue 16 and the desk: comment period closed early, objection references, notices, mail outbox, city
totals, support log (2026-12-03)."""

import migration_helpers as helpers
import sqlalchemy as sa
from alembic import op
from migration_helpers import TIMESTAMP, columns, known, non_negative, refs

revision = "f16d0e5k0001"
down_revision = "f15a0c0d0001"


def upgrade():
    helpers.create_table("city_totals",
        *columns(sa.Integer, "year", unique=True),
        *columns(sa.BigInteger, "industrial_output_vnd", "export_value_usd"),
        *refs("users", "entered_by_id", nullable=True),
        *columns(TIMESTAMP, "entered_at"),
        checks={"non_negative": non_negative("industrial_output_vnd", "export_value_usd")},
    )
    helpers.create_table("support_records",
        *refs("enterprises", "enterprise_id", index=True),
        *columns(helpers.SUPPORT_KIND.type(), "kind"),
        *columns(sa.Date, "date", index=True),
        *columns(sa.String(255), "programme"),
        *columns(sa.BigInteger, "amount_vnd", nullable=True),
        *columns(sa.Text, "note"),
        *refs("users", "recorded_by_id"),
        *columns(TIMESTAMP, "recorded_at"),
        checks={"amount_non_negative": "amount_vnd IS NULL OR amount_vnd >= 0"},
    )
    helpers.create_table("notice_reads",
        *refs("users", "user_id", ondelete="CASCADE", index=True),
        *refs("notifications", "notification_id", ondelete="CASCADE"),
        *columns(TIMESTAMP, "read_at"),
        unique_together={"uq_notice_read": ("user_id", "notification_id")},
    )
    helpers.create_table("outgoing_mails",
        *refs("notifications", "notification_id", index=True),
        *refs("users", "user_id", nullable=True),
        *columns(sa.String(254), "to_address"),
        *columns(sa.String(5), "locale"),
        *columns(sa.String(300), "subject"),
        *columns(sa.Text, "body"),
        *columns(helpers.MAIL_STATUS.type(), "status", index=True),
        *columns(sa.Integer, "attempts"),
        *columns(TIMESTAMP, "next_attempt_at"),
        *columns(TIMESTAMP, "claimed_at", "sent_at", nullable=True),
        *columns(sa.String(500), "last_error"),
        *columns(TIMESTAMP, "created_at"),
        checks={
            **known(status=helpers.MAIL_STATUS),
            "attempts_non_negative": non_negative("attempts"),
        },
        unique_together={"uq_outgoing_mail_per_address": ("notification_id", "to_address")},
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mails_queued_at", TIMESTAMP, nullable=True))
        batch_op.create_index(batch_op.f("ix_notifications_mails_queued_at"), ["mails_queued_at"])
        batch_op.drop_column("sent_at")
    # What was queued before mail was sent at all stays unsent: old links would only confuse.
    op.execute(sa.text("UPDATE notifications SET mails_queued_at = CURRENT_TIMESTAMP"))

    helpers.add_columns(
        "objections",
        *columns(sa.String(20), "reference", nullable=True, unique=True),
        *columns(sa.String(255), "lookup_secret_hash", nullable=True),
        *columns(TIMESTAMP, "answered_at", nullable=True),
    )
    helpers.add_columns(
        "rounds",
        *columns(TIMESTAMP, "comment_closed_at", nullable=True),
        *columns(sa.Text, "comment_closed_reason", nullable=True),
        checks={"early_close_has_reason": "comment_closed_at IS NULL OR comment_closed_reason IS NOT NULL"},
    )
    helpers.add_columns("users", *columns(sa.String(5), "locale", server_default="vi"))


def downgrade():
    helpers.drop_columns("users", "locale")
    helpers.drop_columns(
        "rounds", "comment_closed_at", "comment_closed_reason", checks=("early_close_has_reason",)
    )
    helpers.drop_columns(
        "objections", "reference", "lookup_secret_hash", "answered_at", unique=("reference",)
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_at", TIMESTAMP, nullable=True))
        batch_op.drop_index(batch_op.f("ix_notifications_mails_queued_at"))
        batch_op.drop_column("mails_queued_at")
    helpers.drop_tables("outgoing_mails", "notice_reads", "support_records", "city_totals")
