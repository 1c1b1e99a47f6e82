"""webconference link of a session

Revision ID: 0002_webconference_url
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_webconference_url"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("webconference_url", sa.String(length=1000), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.drop_column("webconference_url")
