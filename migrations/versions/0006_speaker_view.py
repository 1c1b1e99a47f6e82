"""speaker view: a speaker's link can be replaced

Revision ID: 0006_speaker_view
Revises: 0005_session_lifecycle
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_speaker_view"
down_revision = "0005_session_lifecycle"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("token_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("speakers", schema=None) as batch_op:
        batch_op.drop_column("token_version")
