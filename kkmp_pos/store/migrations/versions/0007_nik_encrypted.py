"""NIKs sealed at rest: ciphertext, blind index and masked copy beside the (soon emptied) clear column.

The data move needs nik.key, which lives outside the database and outside Alembic's reach: the start-up step
`kkmp_pos.services.nik_vault.convert_clear_niks` seals every clear NIK and empties the `nik` column.

Revision ID: 0007_nik_encrypted
Revises: 0006_shifts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_nik_encrypted'
down_revision = '0006_shifts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nik_enc', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('nik_index', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('nik_masked', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_member_nik_index'), ['nik_index'], unique=False)

    with op.batch_alter_table('lpg_buyer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nik_enc', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('nik_index', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('nik_masked', sa.String(length=16), nullable=True))
        batch_op.alter_column('nik', existing_type=sa.String(length=16), nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_lpg_buyer_nik_index'), ['nik_index'])


def downgrade() -> None:
    # Sealed NIKs cannot come back without the key: a downgrade keeps only rows still holding a clear NIK.
    with op.batch_alter_table('lpg_buyer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_lpg_buyer_nik_index'), type_='unique')
        batch_op.alter_column('nik', existing_type=sa.String(length=16), nullable=False)
        batch_op.drop_column('nik_masked')
        batch_op.drop_column('nik_index')
        batch_op.drop_column('nik_enc')

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_nik_index'))
        batch_op.drop_column('nik_masked')
        batch_op.drop_column('nik_index')
        batch_op.drop_column('nik_enc')
