"""anomaly alerts: what the anomalies job reported, for the day's digest

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 05:50:00
"""
from alembic import op
import sqlalchemy as sa
import scrm.types  # noqa: F401


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'anomaly_alert',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('userid', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('line', sa.Text(), nullable=False),
        sa.Column('at', scrm.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_anomaly_alert_userid', 'anomaly_alert', ['userid'])
    op.create_index('ix_anomaly_alert_at', 'anomaly_alert', ['at'])


def downgrade() -> None:
    op.drop_index('ix_anomaly_alert_at', table_name='anomaly_alert')
    op.drop_index('ix_anomaly_alert_userid', table_name='anomaly_alert')
    op.drop_table('anomaly_alert')
