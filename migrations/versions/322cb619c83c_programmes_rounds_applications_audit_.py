"""Programmes, rounds, applications, audit trail (2026-11-25)."""

import migration_helpers as helpers
import sqlalchemy as sa
from migration_helpers import TIMESTAMP, columns, non_negative, refs

revision = "322cb619c83c"
down_revision = "b13df60ec611"


def upgrade():
    helpers.create_table("programmes",
        *columns(sa.String(30), "code", unique=True),
        *columns(sa.String(255), "name_vi", "name_en", "outcome_vi", "outcome_en"),
    )
    helpers.create_table("receipt_counters",
        *columns(sa.Date, "day"),
        *columns(sa.Integer, "last"),
        primary_key=("day",),
    )
    helpers.create_table("rounds",
        *refs("programmes", "programme_id", index=True),
        *columns(sa.Integer, "year"),
        *columns(sa.String(255), "title"),
        *columns(sa.Date, "opens_on", "closes_on"),
        *columns(helpers.ROUND_STATUS.type(), "status"),
        *columns(sa.Text, "legal_bases"),
        *columns(helpers.VETTING_BODY.type(), "vetting_body"),
        *columns(sa.JSON, "required_documents"),
        *columns(
            sa.Integer, "max_supplement_requests", "reviewers_per_dossier", "pass_threshold", "top_n",
            "certificate_validity_months",
        ),
        *columns(
            sa.BigInteger, "min_revenue_high_tech_vnd", "min_revenue_other_vnd", "min_exports_handicraft_usd"
        ),
        *columns(
            sa.Integer, "target_products_min", "target_products_max", "target_enterprises_min",
            "target_enterprises_max", nullable=True,
        ),
        *columns(TIMESTAMP, "results_published_at", nullable=True),
        *columns(sa.Date, "comment_deadline", nullable=True),
        checks={
            "validity_positive": "certificate_validity_months > 0",
            "dates_in_order": "closes_on >= opens_on",
            "supplement_limit_non_negative": non_negative("max_supplement_requests"),
            "threshold_in_range": "pass_threshold >= 0 AND pass_threshold <= 100",
            "at_least_one_reviewer": "reviewers_per_dossier >= 1",
        },
        unique_together={"uq_rounds_programme_year": ("programme_id", "year")},
    )
    helpers.create_table("products",
        *refs("enterprises", "enterprise_id", index=True),
        *columns(sa.String(255), "name"),
        *refs("sectors", "sector_id"),
        *columns(helpers.PRODUCT_CATEGORY.type(), "category"),
        *columns(sa.Text, "description"),
        *columns(TIMESTAMP, "created_at"),
    )
    helpers.create_table("applications",
        *refs("rounds", "round_id", index=True),
        *refs("products", "product_id", index=True),
        *refs("enterprises", "enterprise_id", index=True),
        *columns(helpers.APPLICATION_STATE.type(), "state", index=True),
        *columns(sa.String(40), "receipt_code", nullable=True, unique=True),
        *columns(sa.String(255), "lookup_secret_hash", nullable=True),
        *columns(helpers.VETTING_BODY.type(), "vetting_body", nullable=True),
        *refs("administrative_units", "vetting_unit_id", nullable=True, index=True),
        *columns(sa.Boolean, "compliance_committed", "declaration_accepted"),
        *columns(sa.String(60), "decision_number", nullable=True),
        *columns(sa.Date, "decision_date", nullable=True),
        *columns(TIMESTAMP, "created_at"),
        *columns(
            TIMESTAMP, "submitted_at", "vetting_started_at", "supplement_requested_at", "endorsed_at",
            "unit_rejected_at", "review_opened_at", "concluded_at", "recognised_at", "withdrawn_at",
            nullable=True,
        ),
        *columns(sa.Integer, "version"),
        checks={
            "recognised_has_decision": "state <> 'recognised' OR decision_number IS NOT NULL",
            "past_draft_was_submitted": "state IN ('draft', 'withdrawn') OR submitted_at IS NOT NULL",
            "unit_vetting_has_unit":
                "vetting_body IS NULL OR vetting_body = 'secretariat' OR vetting_unit_id IS NOT NULL",
            "submitted_has_receipt": "submitted_at IS NULL OR receipt_code IS NOT NULL",
        },
        unique_together={"uq_applications_round_product": ("round_id", "product_id")},
    )
    helpers.create_table("application_figures",
        *refs("applications", "application_id", ondelete="CASCADE", index=True),
        *columns(sa.Integer, "year"),
        *columns(
            sa.BigInteger, "production_value_vnd", "revenue_vnd", "export_value_usd",
            "budget_contribution_vnd",
        ),
        *columns(sa.Integer, "employees"),
        *columns(sa.BigInteger, "average_wage_vnd"),
        checks={
            "non_negative": non_negative(
                "production_value_vnd", "revenue_vnd", "export_value_usd", "budget_contribution_vnd",
                "employees", "average_wage_vnd",
            ),
        },
        unique_together={"uq_application_figures_year": ("application_id", "year")},
    )
    helpers.create_table("audit_events",
        *refs("applications", "application_id", index=True),
        *columns(sa.Integer, "seq"),
        *refs("users", "actor_id", nullable=True),
        *columns(sa.String(20), "actor_role"),
        *columns(sa.String(40), "trigger"),
        *columns(sa.String(24), "from_state", "to_state"),
        *columns(TIMESTAMP, "at"),
        *columns(sa.JSON, "payload"),
        *columns(sa.String(64), "prev_hash"),
        *columns(sa.String(64), "hash", unique=True),
        unique_together={"uq_audit_events_seq": ("application_id", "seq")},
    )
    helpers.create_table("documents",
        *refs("applications", "application_id", index=True),
        *columns(helpers.DOCUMENT_KIND.type(), "kind"),
        *columns(sa.String(255), "filename"),
        *columns(sa.String(64), "sha256", index=True),
        *columns(sa.BigInteger, "size"),
        *columns(sa.String(100), "content_type"),
        *refs("users", "uploaded_by_id", nullable=True),
        *columns(TIMESTAMP, "uploaded_at"),
        *columns(TIMESTAMP, "superseded_at", nullable=True),
    )
    helpers.create_table("notifications",
        *refs("applications", "application_id", nullable=True, index=True),
        *columns(sa.String(40), "event"),
        *columns(sa.String(20), "recipient_role"),
        *refs("users", "recipient_user_id", nullable=True, index=True),
        *refs("enterprises", "recipient_enterprise_id", nullable=True),
        *refs("administrative_units", "recipient_unit_id", nullable=True),
        *columns(sa.JSON, "payload"),
        *columns(TIMESTAMP, "created_at"),
        *columns(TIMESTAMP, "sent_at", nullable=True),
    )
    helpers.create_table("review_assignments",
        *refs("applications", "application_id", index=True),
        *refs("users", "reviewer_id", index=True),
        *columns(TIMESTAMP, "assigned_at"),
        *columns(sa.Boolean, "has_conflict", nullable=True),
        *columns(sa.String(1000), "conflict_reason", nullable=True),
        *columns(sa.Numeric(6, 2), "total_score", nullable=True),
        *columns(TIMESTAMP, "submitted_at", nullable=True),
        unique_together={"uq_review_assignments_pair": ("application_id", "reviewer_id")},
    )
    helpers.create_table("supplement_requests",
        *refs("applications", "application_id", index=True),
        *columns(sa.Integer, "number"),
        *columns(sa.JSON, "items"),
        *columns(sa.Date, "deadline"),
        *columns(TIMESTAMP, "requested_at"),
        *refs("users", "requested_by_id", nullable=True),
        *columns(sa.JSON, "answers", nullable=True),
        *columns(TIMESTAMP, "answered_at", nullable=True),
        unique_together={"uq_supplement_requests_number": ("application_id", "number")},
    )


def downgrade():
    helpers.drop_tables(
        "supplement_requests", "review_assignments", "notifications", "documents", "audit_events",
        "application_figures", "applications", "products", "rounds", "receipt_counters", "programmes",
    )
