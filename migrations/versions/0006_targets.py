"""targets: per rep or team, per metric and period

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 05:20:00
"""
from alembic import op
import sqlalchemy as sa
import scrm.types  # noqa: F401


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'target',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=8), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('metric', sa.String(length=32), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('starts', sa.Date(), nullable=False),
        sa.Column('value', sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column('set_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', scrm.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('scope', 'subject', 'metric', 'period', 'starts'),
    )


def downgrade() -> None:
    op.drop_table('target')
