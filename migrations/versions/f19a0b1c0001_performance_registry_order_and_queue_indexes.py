"""Performance at city scale: each certificate keeps its round's year, so the registry's order is
an index range; the vetting queues read their scope, state and deadline from an index (2026-12-04)."""

import sqlalchemy as sa
from alembic import op

revision = "f19a0b1c0001"
down_revision = "f18c0d1e0001"

QUEUE_INDEXES = {
    "ix_applications_unit_queue": ["vetting_unit_id", "state", "due_on", "submitted_at"],
    "ix_applications_body_queue": ["vetting_body", "state", "due_on", "submitted_at"],
}
REGISTRY_ORDER = ["status", sa.column("round_year").desc(), sa.column("top_n").desc(), "sequence", "id"]


def upgrade():
    with op.batch_alter_table("certificates") as batch_op:
        batch_op.add_column(sa.Column("round_year", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE certificates SET round_year = (SELECT rounds.year FROM rounds WHERE rounds.id = certificates.round_id)"
    )
    with op.batch_alter_table("certificates") as batch_op:
        batch_op.alter_column("round_year", existing_type=sa.Integer(), nullable=False)
    op.create_index("ix_certificates_registry_order", "certificates", REGISTRY_ORDER)
    for name, indexed in QUEUE_INDEXES.items():
        op.create_index(name, "applications", indexed)


def downgrade():
    for name in QUEUE_INDEXES:
        op.drop_index(name, table_name="applications")
    op.drop_index("ix_certificates_registry_order", table_name="certificates")
    with op.batch_alter_table("certificates") as batch_op:
        batch_op.drop_column("round_year")
