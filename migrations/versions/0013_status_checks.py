"""status checks: each table's status column refuses a value outside its set (scrm/statuses.py)

Every row the code has written holds one of these values (the history of every status the code ever set was
read for this revision), so on a database only the code wrote, each check is validated like any other.

A row a person changed by hand to some other value is kept as it is, and the upgrade does not fail on it: that
table's check is added without checking existing rows (PostgreSQL: NOT VALID; SQLite: the copy batch mode makes
ignores checks), and a warning names the table, the values and how many rows hold each. What is written from
then on is checked: on PostgreSQL such a row can only be updated to a known status, and on SQLite a later
migration that copies its table fails on it, so an operator corrects those rows (then, on PostgreSQL, `ALTER
TABLE <table> VALIDATE CONSTRAINT ck_<table>_status`). Mapping them to a known status would guess at what the
person meant; failing would stop a deployment over a few rows.

On SQLite each of the six tables is copied once (batch mode); on PostgreSQL each check reads its table once.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:00:00
"""
import logging

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

# The statuses of each table at this revision (a later revision that adds one widens its table's check).
STATUSES = {
    'inbox_event': ('pending', 'processing', 'done', 'failed', 'dead'),
    'outbox_message': ('pending', 'processing', 'sent', 'failed', 'dead', 'expired'),
    'job_tick': ('running', 'done', 'failed', 'paused', 'skipped'),
    'customer_rep': ('', 'half', 'active', 'deleted_by_rep', 'transferred', 'lost'),
    'deal': ('open', 'won', 'lost'),
    'group_chat': ('active', 'dismissed'),
}


def condition(values: tuple[str, ...]) -> str:
    return "status IN ({})".format(", ".join(f"'{value}'" for value in values))


def unknown(table: str, values: tuple[str, ...]) -> dict[str, int]:
    """The values outside the set that rows hold, and how many rows hold each."""
    rows = sa.table(table, sa.column('status', sa.String()))
    query = sa.select(rows.c.status, sa.func.count()).where(rows.c.status.not_in(values)).group_by(rows.c.status)
    return dict(op.get_bind().execute(query).all())


def upgrade() -> None:
    bind = op.get_bind()
    for table, values in STATUSES.items():
        found = unknown(table, values)
        if found:
            log.warning(
                "%s: %d rows hold a status outside %s (%s); kept as they are, and the check applies to "
                "what is written from now on: correct them before the next upgrade",
                table, sum(found.values()), ', '.join(values), ', '.join(f'{v!r}: {n}' for v, n in found.items()),
            )
        name = f'ck_{table}_status'
        if bind.dialect.name == 'postgresql':
            op.create_check_constraint(name, table, condition(values), postgresql_not_valid=bool(found))
            continue
        bind.exec_driver_sql('PRAGMA ignore_check_constraints = ON')  # the copy keeps a row changed by hand
        try:
            with op.batch_alter_table(table) as batch_op:
                batch_op.create_check_constraint(name, condition(values))
        finally:
            bind.exec_driver_sql('PRAGMA ignore_check_constraints = OFF')


def downgrade() -> None:
    for table in reversed(STATUSES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f'ck_{table}_status', type_='check')
