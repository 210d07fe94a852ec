"""scheduled jobs: the tick and ledger tables, team group chats, and what reminders and escalation read

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 04:30:00
"""
from alembic import op
import sqlalchemy as sa
import scrm.types  # noqa: F401


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TO_REMIND = "status = 'open' AND reminded_at IS NULL"
OPEN = "status = 'open'"


def upgrade() -> None:
    op.create_table(
        'job_tick',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=32), nullable=False),
        sa.Column('scheduled_for', scrm.types.UTCDateTime(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('started_at', scrm.types.UTCDateTime(), nullable=False),
        sa.Column('finished_at', scrm.types.UTCDateTime(), nullable=True),
        sa.Column('runner', sa.String(length=120), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('job', 'scheduled_for'),
    )
    op.create_table(
        'job_ledger',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('job', sa.String(length=32), nullable=False),
        sa.Column('created_at', scrm.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index('ix_job_ledger_created_at', 'job_ledger', ['created_at'])
    op.create_table(
        'team_chat',
        sa.Column('department_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('target', sa.String(length=128), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('disabled_reason', sa.String(length=200), nullable=False),
        sa.Column('updated_at', scrm.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('department_id'),
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalated_at', scrm.types.UTCDateTime(), nullable=True))
    op.create_index('ix_follow_up_to_remind', 'follow_up', ['due_at'],
                    postgresql_where=sa.text(TO_REMIND), sqlite_where=sa.text(TO_REMIND))
    op.create_index('ix_follow_up_open_by_rep', 'follow_up', ['userid', 'due_at'],
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade() -> None:
    op.drop_index('ix_follow_up_open_by_rep', table_name='follow_up')
    op.drop_index('ix_follow_up_to_remind', table_name='follow_up')
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_column('escalated_at')
    op.drop_table('team_chat')
    op.drop_index('ix_job_ledger_created_at', table_name='job_ledger')
    op.drop_table('job_ledger')
    op.drop_table('job_tick')
