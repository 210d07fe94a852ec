"""open work: one open next step per customer and rep, closed with its deal (issue 21)

Today's piles are brought to the model the code now keeps, and no row is deleted:

1. `replaced` (the SOP's first follow-up a rep's plan took over) is `superseded`, its name from now on.
2. Per rep and customer, the step set last stays open; the other open ones are superseded at the time it was
   set (same-minute duplicates go with them).
3. A customer whose deals with the rep are all closed (won or lost): that step, if set before the last close,
   is closed with it (`deal_closed`, at the close's time, so `重新打开` restores it). A step set with the close
   or after it (a delivery visit) stays open.

Then a unique index keeps at most one open step per rep, customer and minute (the code may add a second step
at another minute when the rep says so). On a large PostgreSQL table create it beforehand with CREATE UNIQUE
INDEX CONCURRENTLY under the same name, once the data is clean: the upgrade skips it (IF NOT EXISTS).

Downgrade drops the index and leaves the statuses: the code before this reads only `open` and `done`.

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None

OPEN = "status = 'open'"
SAME_PAIR = "d.external_userid = follow_up.external_userid AND d.userid = follow_up.userid"
LAST_CLOSE = f"(SELECT MAX(d.closed_at) FROM deal d WHERE {SAME_PAIR} AND d.status IN ('won', 'lost'))"
STEPS = [
    "UPDATE follow_up SET status = 'superseded' WHERE status = 'replaced'",
    # The step set last is never superseded, so the statement reads the same on SQLite, which sees its own
    # changes row by row, as on PostgreSQL, which reads the rows as they were.
    """UPDATE follow_up SET status = 'superseded', done_at = (
            SELECT MAX(n.created_at) FROM follow_up n
            WHERE n.external_userid = follow_up.external_userid AND n.userid = follow_up.userid AND n.status = 'open')
        WHERE status = 'open' AND EXISTS (
            SELECT 1 FROM follow_up n
            WHERE n.external_userid = follow_up.external_userid AND n.userid = follow_up.userid AND n.status = 'open'
              AND (n.created_at > follow_up.created_at OR (n.created_at = follow_up.created_at AND n.id > follow_up.id)))""",
    f"""UPDATE follow_up SET status = 'deal_closed', done_at = {LAST_CLOSE}
        WHERE status = 'open' AND created_at < {LAST_CLOSE}
          AND NOT EXISTS (SELECT 1 FROM deal d WHERE {SAME_PAIR} AND d.status = 'open')""",
]


def upgrade() -> None:
    for step in STEPS:
        op.execute(step)
    op.create_index('uq_follow_up_open_step', 'follow_up', ['userid', 'external_userid', 'due_at'], unique=True,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN), if_not_exists=True)


def downgrade() -> None:
    op.drop_index('uq_follow_up_open_step', table_name='follow_up')
