"""House rules: known states and statuses, review assignment invariants, vetting reports (2026-12-03)."""

from datetime import date

import migration_helpers as helpers
import sqlalchemy as sa
from alembic import op
from migration_helpers import TIMESTAMP, columns, known, refs

revision = "f17a0b1c0001"
down_revision = "f16d0e5k0001"

# The values the models allowed when this revision was written (frozen: a new value later needs a
# revision that drops and re-creates its `known_*` check), and the review assignment invariants.
CHECKS = {
    "applications": known(
        state=helpers.APPLICATION_STATE, vetting_body=helpers.VETTING_BODY,
        technology_level=helpers.TECHNOLOGY_LEVEL,
    ),
    "products": known(category=helpers.PRODUCT_CATEGORY),
    "documents": known(kind=helpers.DOCUMENT_KIND),
    "rounds": known(
        status=helpers.ROUND_STATUS, vetting_body=helpers.VETTING_BODY,
        supplement_expiry=helpers.SUPPLEMENT_EXPIRY,
    ),
    "administrative_units": known(level=helpers.UNIT_LEVEL),
    "role_memberships": known(role=helpers.ROLE),
    "certificates": known(status=helpers.CERTIFICATE_STATUS),
    "objections": known(status=helpers.OBJECTION_STATUS),
    "support_records": known(kind=helpers.SUPPORT_KIND),
    "review_assignments": {
        "conflict_has_reason":
            "(has_conflict IS TRUE) = (conflict_reason IS NOT NULL AND conflict_reason <> '')",
        "submitted_without_conflict": "submitted_at IS NULL OR has_conflict IS FALSE",
        "total_when_submitted": "(submitted_at IS NULL) = (total_score IS NULL)",
    },
}
VETTING_CHECKS = (
    "business_registration_valid", "no_tax_arrears", "social_insurance_paid",
    "environmental_compliance", "no_violations",
)  # fmt: skip
ENDORSED_HAS = (
    "site_visit_date IS NOT NULL",
    "eligibility_confirmed IS TRUE",
    *(f"{check} IS NOT NULL" for check in VETTING_CHECKS),
    "recommendation IS NOT NULL",
)


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


def _checklist_columns():
    """Each vetting check: its answer (none when the dossier was rejected) and the officer's note."""
    for check in VETTING_CHECKS:
        yield sa.Column(check, sa.Boolean(), nullable=True)
        yield sa.Column(f"{check}_note", sa.String(1000), nullable=False)


def upgrade():
    helpers.create_table("vetting_reports",
        *refs("applications", "application_id", unique=True),
        *columns(helpers.VETTING_OUTCOME.type(), "outcome"),
        *columns(sa.Date, "site_visit_date", nullable=True),
        *columns(sa.Boolean, "eligibility_confirmed", nullable=True),
        *_checklist_columns(),
        *columns(sa.Text, "recommendation", "reason", nullable=True),
        *refs("users", "officer_id", nullable=True),
        *columns(TIMESTAMP, "recorded_at"),
        checks={
            "endorsed_has_checklist": f"outcome <> 'endorsed' OR ({' AND '.join(ENDORSED_HAS)})",
            "rejected_has_reason": "outcome <> 'rejected' OR reason IS NOT NULL",
            **known(outcome=helpers.VETTING_OUTCOME),
        },
    )
    fill_vetting_reports(op.get_bind())
    for table, checks in CHECKS.items():
        helpers.add_columns(table, checks=checks)


def downgrade():
    for table, checks in CHECKS.items():
        helpers.drop_columns(table, checks=checks)
    helpers.drop_tables("vetting_reports")
