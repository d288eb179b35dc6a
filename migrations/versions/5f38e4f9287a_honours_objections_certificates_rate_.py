"""Honours: objections, certificates, rate limits, product search name (2026-11-25)."""

import migration_helpers as helpers
import sqlalchemy as sa
from migration_helpers import TIMESTAMP, columns, refs

revision = "5f38e4f9287a"
down_revision = "35065bda3633"


def upgrade():
    helpers.create_table("rate_limit_hits",
        *columns(sa.String(200), "key"),
        *columns(TIMESTAMP, "window_start"),
        *columns(sa.Integer, "count"),
        primary_key=("key", "window_start"),
    )
    helpers.create_table("certificates",
        *columns(sa.String(40), "serial", unique=True),
        *columns(sa.Integer, "sequence"),
        *refs("applications", "application_id", unique=True),
        *refs("rounds", "round_id", index=True),
        *refs("products", "product_id", index=True),
        *refs("enterprises", "enterprise_id", index=True),
        *columns(sa.Boolean, "top_n"),
        *columns(sa.String(60), "decision_number"),
        *columns(sa.Date, "decision_date"),
        *columns(sa.String(200), "decision_signer"),
        *columns(sa.Date, "issued_on"),
        *columns(sa.Date, "valid_until", index=True),
        *columns(helpers.CERTIFICATE_STATUS.type(), "status", index=True),
        *columns(sa.Date, "status_changed_on", "revoked_on", nullable=True),
        *columns(sa.Text, "revoke_reason", nullable=True),
        *columns(sa.String(60), "revoke_decision", nullable=True),
        checks={
            "revoked_has_reason":
                "status <> 'revoked' OR (revoked_on IS NOT NULL AND revoke_reason IS NOT NULL)",
            "validity_after_issue": "valid_until > issued_on",
        },
    )
    helpers.create_table("objections",
        *refs("applications", "application_id", index=True),
        *columns(sa.String(200), "name"),
        *columns(sa.String(254), "contact"),
        *columns(sa.Text, "text"),
        *columns(sa.Boolean, "is_objection"),
        *columns(sa.String(64), "document_sha256", nullable=True),
        *columns(sa.String(255), "document_name", nullable=True),
        *columns(sa.String(100), "document_type", nullable=True),
        *columns(TIMESTAMP, "created_at"),
        *columns(helpers.OBJECTION_STATUS.type(), "status"),
        *columns(sa.Text, "answer"),
        *columns(TIMESTAMP, "resolved_at", nullable=True),
        *refs("users", "handled_by_id", nullable=True),
        checks={"resolved_has_time": "status <> 'resolved' OR resolved_at IS NOT NULL"},
    )
    helpers.add_columns(
        "products", *columns(sa.String(255), "name_folded", server_default=""), index=("sector_id",)
    )
    helpers.fill_folded_names("products")  # created before the search column existed


def downgrade():
    helpers.drop_columns("products", "name_folded", index=("sector_id",))
    helpers.drop_tables("objections", "certificates", "rate_limit_hits")
