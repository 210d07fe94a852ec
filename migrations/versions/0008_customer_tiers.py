"""customer tiers: A/B/C per rep and customer, recomputed daily

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 05:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customer_rep', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier', sa.String(length=1), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('customer_rep', schema=None) as batch_op:
        batch_op.drop_column('tier')
