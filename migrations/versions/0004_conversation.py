"""conversation: when the last customer was talked about (a continuation may use them only shortly after)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 02:00:00
"""
from alembic import op
import sqlalchemy as sa
import scrm.types  # noqa: F401


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('chat_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_customer_at', scrm.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('chat_state', schema=None) as batch_op:
        batch_op.drop_column('last_customer_at')
