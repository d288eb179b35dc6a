"""house rules: known states and statuses, review assignment invariants, vetting reports table

Revision ID: f17a0b1c0001
Revises: f16d0e5k0001
Create Date: 2026-12-03 08:47:58.834083

"""

from datetime import date

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "f17a0b1c0001"
down_revision = "f16d0e5k0001"
branch_labels = None
depends_on = None


# CHECK constraints, as the models declare them when this revision was written (frozen here: a new
# enum member later needs a revision that drops and re-creates its `known_*` check).
CHECKS = {
    "applications": {
        "known_state": "state IN ('draft', 'submitted', 'vetting', 'supplement_requested', 'endorsed', "
        "'unit_rejected', 'under_review', 'recommended', 'not_recommended', 'recognised', 'withdrawn')",
        "known_vetting_body": "vetting_body IN ('unit', 'secretariat')",
        "known_technology_level": "technology_level IN ('advanced', 'modern', 'average')",
    },
    "products": {"known_category": "category IN ('high_tech', 'other', 'handicraft', 'start_up')"},
    "documents": {
        "known_kind": "kind IN ('registration_form', 'business_registration', 'financial_statements', "
        "'quality_certificates', 'intellectual_property', 'environmental_compliance', 'product_description', "
        "'other')",
    },
    "rounds": {
        "known_status": "status IN ('draft', 'open', 'closed')",
        "known_vetting_body": "vetting_body IN ('unit', 'secretariat')",
        "known_supplement_expiry": "supplement_expiry IN ('remind', 'withdraw')",
    },
    "administrative_units": {"known_level": "level IN ('city', 'district', 'town', 'ward', 'commune')"},
    "role_memberships": {
        "known_role": "role IN ('applicant', 'unit_officer', 'council_member', 'secretariat', 'admin')",
    },
    "certificates": {"known_status": "status IN ('valid', 'expired', 'revoked', 'superseded')"},
    "objections": {"known_status": "status IN ('open', 'answered', 'resolved')"},
    "support_records": {
        "known_kind": "kind IN ('trade_promotion', 'technology', 'training', 'branding', 'land_procedures', "
        "'finance')",
    },
    "review_assignments": {
        "conflict_has_reason": "(has_conflict IS TRUE) = (conflict_reason IS NOT NULL AND conflict_reason <> '')",
        "submitted_without_conflict": "submitted_at IS NULL OR has_conflict IS FALSE",
        "total_when_submitted": "(submitted_at IS NULL) = (total_score IS NULL)",
    },
}
VETTING_CHECKS = (
    "business_registration_valid", "no_tax_arrears", "social_insurance_paid",
    "environmental_compliance", "no_violations",
)  # fmt: skip


def fill_vetting_reports(bind) -> None:
    """One vetting_reports row per application from its last endorse / reject_in_unit audit event."""
    events = sa.table(
        "audit_events",
        sa.column("application_id"),
        sa.column("seq"),
        sa.column("trigger"),
        sa.column("actor_id"),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("payload", sa.JSON),
    )
    reports = sa.table(
        "vetting_reports",
        sa.column("application_id"),
        sa.column("outcome"),
        sa.column("site_visit_date", sa.Date),
        sa.column("eligibility_confirmed", sa.Boolean),
        *(sa.column(c, sa.Boolean) for c in VETTING_CHECKS),
        *(sa.column(f"{c}_note") for c in VETTING_CHECKS),
        sa.column("recommendation"),
        sa.column("reason"),
        sa.column("officer_id"),
        sa.column("recorded_at", sa.DateTime(timezone=True)),
    )
    rows = bind.execute(
        sa.select(events.c.application_id, events.c.trigger, events.c.actor_id, events.c.at, events.c.payload)
        .where(events.c.trigger.in_(("endorse", "reject_in_unit")))
        .order_by(events.c.application_id, events.c.seq)
    ).all()
    last = {row.application_id: row for row in rows}  # vetting ends once; the last event wins anyway
    values = []
    for row in last.values():
        p = row.payload or {}
        endorsed = row.trigger == "endorse"
        visit = p.get("site_visit_date")
        values.append(
            {
                "application_id": row.application_id,
                "outcome": "endorsed" if endorsed else "rejected",
                "site_visit_date": date.fromisoformat(visit[:10]) if endorsed and visit else None,
                "eligibility_confirmed": bool(p.get("eligibility_confirmed")) if endorsed else None,
                **{c: bool(p.get(c)) if endorsed else None for c in VETTING_CHECKS},
                **{
                    f"{c}_note": (p.get(f"{c}_note") or "").strip() if endorsed else ""
                    for c in VETTING_CHECKS
                },
                "recommendation": (p.get("recommendation") or "").strip() if endorsed else None,
                "reason": None if endorsed else (p.get("reason") or "").strip(),
                "officer_id": row.actor_id,
                "recorded_at": row.at,
            }
        )
    if values:
        bind.execute(reports.insert(), values)


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "vetting_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("endorsed", "rejected", name="vettingoutcome", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("site_visit_date", sa.Date(), nullable=True),
        sa.Column("eligibility_confirmed", sa.Boolean(), nullable=True),
        sa.Column("business_registration_valid", sa.Boolean(), nullable=True),
        sa.Column("business_registration_valid_note", sa.String(length=1000), nullable=False),
        sa.Column("no_tax_arrears", sa.Boolean(), nullable=True),
        sa.Column("no_tax_arrears_note", sa.String(length=1000), nullable=False),
        sa.Column("social_insurance_paid", sa.Boolean(), nullable=True),
        sa.Column("social_insurance_paid_note", sa.String(length=1000), nullable=False),
        sa.Column("environmental_compliance", sa.Boolean(), nullable=True),
        sa.Column("environmental_compliance_note", sa.String(length=1000), nullable=False),
        sa.Column("no_violations", sa.Boolean(), nullable=True),
        sa.Column("no_violations_note", sa.String(length=1000), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome <> 'endorsed' OR (site_visit_date IS NOT NULL AND eligibility_confirmed IS TRUE AND business_registration_valid IS NOT NULL AND no_tax_arrears IS NOT NULL AND social_insurance_paid IS NOT NULL AND environmental_compliance IS NOT NULL AND no_violations IS NOT NULL AND recommendation IS NOT NULL)",
            name=op.f("ck_vetting_reports_endorsed_has_checklist"),
        ),
        sa.CheckConstraint(
            "outcome <> 'rejected' OR reason IS NOT NULL", name=op.f("ck_vetting_reports_rejected_has_reason")
        ),
        sa.CheckConstraint(
            "outcome IN ('endorsed', 'rejected')", name=op.f("ck_vetting_reports_known_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_vetting_reports_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["users.id"], name=op.f("fk_vetting_reports_officer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vetting_reports")),
        sa.UniqueConstraint("application_id", name=op.f("uq_vetting_reports_application_id")),
    )
    # ### end Alembic commands ###
    fill_vetting_reports(op.get_bind())
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in checks.items():
                batch_op.create_check_constraint(name, condition)


def downgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in checks:
                batch_op.drop_constraint(batch_op.f(f"ck_{table}_{name}"), type_="check")
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table("vetting_reports")
    # ### end Alembic commands ###
