"""summaries: who purged an event's data, and the summaries mailed to registrants

Revision ID: 0007_summaries
Revises: 0006_speaker_view
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_summaries"
down_revision = "0006_speaker_view"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("data_purges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_data_purges_staff_id_staff_users"),
            "staff_users",
            ["staff_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "summary_mailings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_summary_mailings_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_summary_mailings_staff_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summary_mailings")),
    )
    with op.batch_alter_table("summary_mailings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_summary_mailings_session_id"), ["session_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("summary_mailings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_summary_mailings_session_id"))
    op.drop_table("summary_mailings")
    with op.batch_alter_table("data_purges", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_data_purges_staff_id_staff_users"), type_="foreignkey"
        )
        batch_op.drop_column("staff_id")
