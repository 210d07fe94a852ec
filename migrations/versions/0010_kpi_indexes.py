"""KPI indexes: each rep's rows by time, so the digests and `业绩` read a range per rep

The KPI engine (scrm.kpis.by_rep) asks "these reps' rows in this period" of five tables. A (userid, time)
index answers that with a range per rep; on PostgreSQL the columns the aggregates need are INCLUDEd, so
the heap is not read at all. Each replaces the table's single-column userid index (a prefix of it). Measured
in bench/digests.py (docs/benchmarks.md): every team's digest at 10,000 reps went from minutes to seconds.

Building them on a big PostgreSQL table blocks writes to it for a while (about 15 s for 10M interactions
on 2 cores). To avoid that, create them beforehand with CREATE INDEX CONCURRENTLY under the same names: the
upgrade then skips them (IF NOT EXISTS).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 08:00:00
"""
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# (index, table, columns, included columns on PostgreSQL, the single-column index it replaces)
INDEXES = [
    ('ix_interaction_rep_at', 'interaction', ['userid', 'at'], ['kind', 'channel'], 'ix_interaction_userid'),
    ('ix_follow_up_rep_due', 'follow_up', ['userid', 'due_at'], ['status', 'done_at'], 'ix_follow_up_userid'),
    ('ix_deal_rep_closed', 'deal', ['userid', 'closed_at'], ['status', 'amount'], 'ix_deal_userid'),
    ('ix_customer_rep_rep_added', 'customer_rep', ['userid', 'added_at'], [], 'ix_customer_rep_userid'),
    ('ix_stage_change_rep_at', 'stage_change', ['userid', 'at'], [], None),
]


def upgrade() -> None:
    for name, table, columns, include, replaced in INDEXES:
        op.create_index(name, table, columns, postgresql_include=include, if_not_exists=True)
        if replaced:
            op.drop_index(replaced, table_name=table, if_exists=True)


def downgrade() -> None:
    for name, table, columns, _include, replaced in reversed(INDEXES):
        if replaced:
            op.create_index(replaced, table, [columns[0]], if_not_exists=True)
        op.drop_index(name, table_name=table)
