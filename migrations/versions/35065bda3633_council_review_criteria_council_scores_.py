"""Council review: criteria, council, scores, self-assessment (2026-11-25)."""

import migration_helpers as helpers
import sqlalchemy as sa
from migration_helpers import TIMESTAMP, columns, non_negative, refs

revision = "35065bda3633"
down_revision = "8f77abe02f3e"

POINTS = sa.Numeric(6, 2)


def upgrade():
    helpers.create_table("council_members",
        *refs("rounds", "round_id", ondelete="CASCADE", index=True),
        *refs("users", "user_id", index=True),
        *columns(sa.String(255), "title"),
        unique_together={"uq_council_members_pair": ("round_id", "user_id")},
    )
    helpers.create_table("criterion_groups",
        *refs("rounds", "round_id", ondelete="CASCADE", index=True),
        *columns(sa.String(20), "code"),
        *columns(sa.String(255), "name_vi", "name_en"),
        *columns(sa.Integer, "position"),
        *columns(POINTS, "min_points", nullable=True),
        unique_together={"uq_criterion_groups_code": ("round_id", "code")},
    )
    helpers.create_table("criteria",
        *refs("rounds", "round_id", ondelete="CASCADE", index=True),
        *refs("criterion_groups", "group_id", ondelete="CASCADE", index=True),
        *columns(sa.String(20), "code"),
        *columns(sa.String(255), "name_vi", "name_en"),
        *columns(POINTS, "max_points"),
        *columns(sa.Text, "guidance_vi", "guidance_en"),
        *columns(sa.Integer, "position"),
        checks={"max_positive": "max_points > 0"},
        unique_together={"uq_criteria_code": ("round_id", "code")},
    )
    helpers.create_table("criterion_assignments",
        *refs("criteria", "criterion_id", ondelete="CASCADE"),
        *refs("users", "user_id"),
        primary_key=("criterion_id", "user_id"),
    )
    helpers.create_table("self_assessments",
        *refs("applications", "application_id", ondelete="CASCADE", index=True),
        *refs("criteria", "criterion_id", ondelete="CASCADE", index=True),
        *columns(POINTS, "points"),
        *columns(sa.Text, "justification"),
        checks={"points_non_negative": non_negative("points")},
        unique_together={"uq_self_assessments_pair": ("application_id", "criterion_id")},
    )
    helpers.create_table("scores",
        *refs("review_assignments", "assignment_id", ondelete="CASCADE", index=True),
        *refs("criteria", "criterion_id", index=True),
        *columns(POINTS, "points"),
        *columns(sa.Text, "comment"),
        checks={"points_non_negative": non_negative("points")},
        unique_together={"uq_scores_pair": ("assignment_id", "criterion_id")},
    )
    helpers.add_columns("review_assignments", *columns(TIMESTAMP, "declared_at", nullable=True))
    helpers.add_columns("rounds", *columns(sa.Integer, "spread_flag_points", server_default="15"))


def downgrade():
    helpers.drop_columns("rounds", "spread_flag_points")
    helpers.drop_columns("review_assignments", "declared_at")
    helpers.drop_tables(
        "scores", "self_assessments", "criterion_assignments", "criteria", "criterion_groups",
        "council_members",
    )
