"""Supporting industries: the register of firms and certifications, yearly figures, selections for
support, and the round settings that tell the programmes apart (2026-12-04)."""

import migration_helpers as helpers
import sqlalchemy as sa
from migration_helpers import TIMESTAMP, columns, known, refs

revision = "f18c0d1e0001"
down_revision = "f17a0b1c0001"

NEW_COLUMNS = {
    "applications": [sa.Column("support_sought", sa.JSON(), nullable=False, server_default="[]")],
    "programmes": [
        *columns(sa.Integer, "target_firms", "target_certified_firms", nullable=True),
        *columns(sa.Numeric(5, 2), "target_output_share_percent", nullable=True),
        *columns(sa.Numeric(6, 2), "target_index_growth_percent", nullable=True),
    ],
    "rounds": [
        sa.Column("outcome", helpers.ROUND_OUTCOME.type(), nullable=False, server_default="certificate"),
        sa.Column(
            "vetting_report", helpers.VETTING_REPORT_KIND.type(), nullable=False, server_default="checklist"
        ),
        sa.Column("support_areas", sa.JSON(), nullable=False, server_default="[]"),
    ],
    "vetting_reports": [
        *columns(sa.Text, "capacity_assessment", nullable=True),
        *columns(sa.JSON, "certifications_seen", nullable=True),
        *columns(sa.Text, "supply_chain_note", nullable=True),
    ],
}
ROUND_CHECKS = known(outcome=helpers.ROUND_OUTCOME, vetting_report=helpers.VETTING_REPORT_KIND)


def upgrade():
    helpers.create_table(
        "programme_year_figures",
        *refs("programmes", "programme_id"),
        *columns(sa.Integer, "year"),
        *columns(sa.Numeric(5, 2), "output_share_percent", nullable=True),
        *columns(sa.Numeric(6, 2), "index_growth_percent", nullable=True),
        *refs("users", "recorded_by_id", nullable=True),
        *columns(TIMESTAMP, "recorded_at"),
        primary_key=("programme_id", "year"),
    )
    helpers.create_table(
        "supporting_sectors",
        *columns(sa.String(20), "code", unique=True),
        *columns(sa.String(200), "name_vi", "name_en"),
        *refs("sectors", "sector_id"),
    )
    helpers.create_table(
        "supplier_profiles",
        *refs("enterprises", "enterprise_id", unique=True),
        *refs("supporting_sectors", "supporting_sector_id", index=True),
        *columns(sa.Text, "products"),
        *columns(sa.Boolean, "supplies_multinationals"),
        *columns(helpers.SUPPLIER_TIER.type(), "tier", nullable=True),
        *columns(sa.Text, "customers"),
        *columns(sa.Boolean, "active", "listing_consent"),
        *columns(sa.Text, "search_folded"),
        *columns(TIMESTAMP, "updated_at"),
        *refs("users", "updated_by_id", nullable=True),
        checks={
            **known(tier=helpers.SUPPLIER_TIER),
            "tier_only_for_suppliers": "tier IS NULL OR supplies_multinationals IS TRUE",
        },
    )
    helpers.create_table(
        "firm_certifications",
        *refs("supplier_profiles", "profile_id", ondelete="CASCADE", index=True),
        *columns(helpers.STANDARD.type(), "standard"),
        *columns(sa.String(120), "standard_name", "number"),
        *columns(sa.String(200), "body"),
        *columns(sa.Date, "expires_on", nullable=True, index=True),
        *columns(sa.Date, "reminded_for", nullable=True),
        checks={
            "other_is_named": "standard <> 'other' OR standard_name <> ''",
            **known(standard=helpers.STANDARD),
        },
        unique_together={"uq_firm_certifications_number": ("profile_id", "standard", "number")},
    )
    helpers.create_table(
        "support_selections",
        *columns(sa.String(40), "serial", unique=True),
        *columns(sa.Integer, "sequence"),
        *refs("applications", "application_id", unique=True),
        *refs("rounds", "round_id", index=True),
        *refs("enterprises", "enterprise_id", index=True),
        *columns(sa.String(60), "decision_number"),
        *columns(sa.Date, "decision_date"),
        *columns(sa.String(200), "decision_signer"),
        *columns(sa.Date, "issued_on"),
        *columns(sa.JSON, "support_areas"),
        *columns(sa.String(255), "enterprise_name"),
        *columns(sa.String(14), "tax_code"),
        *columns(sa.String(255), "product_name"),
    )
    for table, added in NEW_COLUMNS.items():
        helpers.add_columns(table, *added, checks=ROUND_CHECKS if table == "rounds" else None)
    helpers.drop_columns("support_records", checks=["known_kind"])
    helpers.add_columns("support_records", checks=known(kind=helpers.SUPPORT_KIND_WITH_CNHT))


def downgrade():
    helpers.drop_columns("support_records", checks=["known_kind"])
    helpers.add_columns("support_records", checks=known(kind=helpers.SUPPORT_KIND))
    for table, added in NEW_COLUMNS.items():
        helpers.drop_columns(
            table, *(c.name for c in added), checks=ROUND_CHECKS if table == "rounds" else ()
        )
    helpers.drop_tables(
        "support_selections",
        "firm_certifications",
        "supplier_profiles",
        "supporting_sectors",
        "programme_year_figures",
    )
