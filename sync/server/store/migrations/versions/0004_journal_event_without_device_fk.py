"""journal_event without its foreign key to device: a per-row trigger on the hottest insert in the city.

Every row of a batch fired `SELECT 1 FROM device … FOR KEY SHARE` (a third of a day's COPY, measured) for a
device whose row the ingest already holds locked FOR UPDATE; only ingest writes events, only for the device of
the token it checked, and devices are revoked, never deleted. A partitioned journal (README) keeps no such key.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 09:50:00
"""

from __future__ import annotations

from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

# SQLite's key has no name: batch mode rebuilds the table, naming it by this convention first.
_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint('journal_event_device_id_fkey', 'journal_event', type_='foreignkey')
        return
    with op.batch_alter_table('journal_event', naming_convention=_NAMES) as batch_op:
        batch_op.drop_constraint('fk_journal_event_device_id_device', type_='foreignkey')


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key('journal_event_device_id_fkey', 'journal_event', 'device', ['device_id'], ['id'])
        return
    with op.batch_alter_table('journal_event', naming_convention=_NAMES) as batch_op:
        batch_op.create_foreign_key('fk_journal_event_device_id_device', 'device', ['device_id'], ['id'])
