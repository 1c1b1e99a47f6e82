"""organiser's workspace: revoked and invited staff accounts

Revision ID: 0003_workspace
Revises: 0002_webconference_url
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_workspace"
down_revision = "0002_webconference_url"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("invited_at")
        batch_op.drop_column("revoked_at")
