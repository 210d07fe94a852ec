"""outbox digest: what WeCom's duplicate check compares, so a reply can carry the check on its first send

The sender (bot/sender.py) looks for an identical app message that may have reached WeCom within the reply's
interval; `digest` (scrm.outbox.digest) with `sent_at` answers that with an index range. Rows written before
this revision are filled in when they can still matter: app messages not yet sent, or sent in the last day.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 09:00:00
"""
import hashlib
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import scrm.types

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

KINDS = {'AppText': ('text', 'text'), 'AppMarkdown': ('markdown', 'content')}  # payload type -> (msgtype, field)


def digest(payload: object) -> str | None:
    """scrm.outbox.digest as it is at this revision, from a row's payload (None for one it cannot read)."""
    if not isinstance(payload, dict) or payload.get('type') not in KINDS:
        return None
    kind, field = KINDS[payload['type']]
    to, content = payload.get('to'), payload.get(field)
    if not isinstance(to, list) or not all(isinstance(t, str) for t in to) or not isinstance(content, str):
        return None
    return hashlib.sha256(f"{kind}\n{'|'.join(to)}\n{content}".encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index('ix_outbox_message_digest', ['digest', 'sent_at'], unique=False)
    rows = sa.table('outbox_message', sa.column('id', sa.Integer()), sa.column('channel', sa.String()),
                    sa.column('status', sa.String()), sa.column('payload', sa.JSON()),
                    sa.column('sent_at', scrm.types.UTCDateTime()), sa.column('digest', sa.String()))
    since = datetime.now(UTC) - timedelta(days=1)
    connection = op.get_bind()
    found = connection.execute(sa.select(rows.c.id, rows.c.payload).where(
        rows.c.channel == 'app',
        sa.or_(rows.c.sent_at >= since, rows.c.status.in_(('pending', 'failed', 'processing'))))).all()
    values = [{'row_id': row_id, 'value': digest(payload)} for row_id, payload in found]
    if values:
        connection.execute(rows.update().where(rows.c.id == sa.bindparam('row_id'))
                           .values(digest=sa.bindparam('value')), values)


def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_digest')
        batch_op.drop_column('digest')
