"""open work: one open next step per customer and rep, closed with its deal (issue 21)

Today's piles are brought to the model the code now keeps, and no row is deleted:

1. `replaced` (the SOP's first follow-up a rep's plan took over) is `superseded`, its name from now on.
2. Per rep and customer, the step set last stays open; the other open ones are superseded at the time it was
   set (same-minute duplicates go with them).
3. A customer whose deals with the rep are all closed (won or lost): that step, if set before the last close,
   is closed with it (`deal_closed`, at the close's time, so `重新打开` restores it). A step set with the close
   or after it (a delivery visit) stays open.

Then the status column refuses a value outside FollowUpStatus (`ck_follow_up_status`, as migration 0013 does
for the other tables: a row changed by hand to another value is kept, with a warning, and the check applies to
what is written from then on), and a unique index keeps at most one open step per rep, customer and minute (the
code may add a second step at another minute when the rep says so). On a large PostgreSQL table create the
index beforehand with CREATE UNIQUE INDEX CONCURRENTLY under the same name, once the data is clean: the upgrade
skips it (IF NOT EXISTS). On SQLite the table is copied once (batch mode), its partial indexes with it.

Downgrade drops the index and the check and leaves the statuses: the code before this reads only `open` and
`done`.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:00:00
"""
import logging

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

STATUSES = ('open', 'done', 'superseded', 'deal_closed', 'cancelled')  # FollowUpStatus at this revision
CHECK = "status IN ({})".format(", ".join(f"'{status}'" for status in STATUSES))
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
    _check_statuses()
    op.create_index('uq_follow_up_open_step', 'follow_up', ['userid', 'external_userid', 'due_at'], unique=True,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN), if_not_exists=True)


def _check_statuses() -> None:
    bind = op.get_bind()
    rows = sa.table('follow_up', sa.column('status', sa.String()))
    query = sa.select(rows.c.status, sa.func.count()).where(rows.c.status.not_in(STATUSES)).group_by(rows.c.status)
    found = dict(bind.execute(query).all())
    if found:
        log.warning(
            "follow_up: %d rows hold a status outside %s (%s); kept as they are, and the check applies to what "
            "is written from now on: correct them before the next upgrade",
            sum(found.values()), ', '.join(STATUSES), ', '.join(f'{v!r}: {n}' for v, n in found.items()),
        )
    if bind.dialect.name == 'postgresql':
        op.create_check_constraint('ck_follow_up_status', 'follow_up', CHECK, postgresql_not_valid=bool(found))
        return
    bind.exec_driver_sql('PRAGMA ignore_check_constraints = ON')  # the copy keeps a row changed by hand
    try:
        with op.batch_alter_table('follow_up') as batch_op:
            batch_op.create_check_constraint('ck_follow_up_status', CHECK)
    finally:
        bind.exec_driver_sql('PRAGMA ignore_check_constraints = OFF')


def downgrade() -> None:
    op.drop_index('uq_follow_up_open_step', table_name='follow_up')
    with op.batch_alter_table('follow_up') as batch_op:
        batch_op.drop_constraint('ck_follow_up_status', type_='check')
