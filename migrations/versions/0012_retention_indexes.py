"""retention indexes: the prune job finds old finished rows, /metrics counts live ones, without scanning

The prune job (jobs/prune.py) deletes handled inbox rows by `done_at` and sent or expired outbox rows by
`created_at`, a batch at a time: (status, time) indexes give it each batch as a range. `/metrics` counts job
ticks that did not end done and reads each job's latest done tick: (status, job, scheduled_for) answers both
from the index. Nothing is dropped.

Building them on big PostgreSQL tables blocks writes to them for a while, and inbox_event takes every
callback: on a large database create them beforehand with CREATE INDEX CONCURRENTLY under the same names,
and the upgrade skips them (IF NOT EXISTS).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 09:00:00
"""
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_inbox_event_done', 'inbox_event', ['status', 'done_at']),
    ('ix_outbox_message_closed', 'outbox_message', ['status', 'created_at']),
    ('ix_job_tick_status', 'job_tick', ['status', 'job', 'scheduled_for']),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, if_not_exists=True)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
