"""session log: start, end and reopen of a session, with who and what it closed

Revision ID: 0005_session_lifecycle
Revises: 0004_mail
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_session_lifecycle"
down_revision = "0004_mail"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "session_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_session_log_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_log")),
    )
    with op.batch_alter_table("session_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_log_session_id"), ["session_id"], unique=False)


def downgrade():
    with op.batch_alter_table("session_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_log_session_id"))
    op.drop_table("session_log")
