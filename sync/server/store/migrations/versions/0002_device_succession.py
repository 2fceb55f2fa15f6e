"""A device may continue the journal of another device of its outlet (a till restored from a backup).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 07:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inherited_seq', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('inherited_hash', sa.String(length=64), server_default='0' * 64,
                                      nullable=False))
        batch_op.add_column(sa.Column('inherited_from', sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.drop_column('inherited_from')
        batch_op.drop_column('inherited_hash')
        batch_op.drop_column('inherited_seq')
