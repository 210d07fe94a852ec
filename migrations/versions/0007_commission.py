"""commission: the tiered commission plan

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 05:30:00
"""
from alembic import op
import sqlalchemy as sa
import scrm.types  # noqa: F401


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'commission_plan',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('tiers', sa.JSON(), nullable=False),
        sa.Column('bonus', sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column('bonus_over', sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column('updated_at', scrm.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('commission_plan')
