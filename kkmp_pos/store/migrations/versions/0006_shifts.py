"""Cash shifts: the shift with its opening float and Z, cash in/out, and each sale's shift.

Revision ID: 0006_shifts
Revises: 0005_stock
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006_shifts'
down_revision = '0005_stock'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shift',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shift_no', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('opened_by', sa.String(length=36), nullable=False),
    sa.Column('opened_at', sa.String(length=32), nullable=False),
    sa.Column('opening_float', sa.Integer(), nullable=False),
    sa.Column('opening_counts', sa.Text(), nullable=False),
    sa.Column('open_seq', sa.Integer(), nullable=False),
    sa.Column('closed_by', sa.String(length=36), nullable=True),
    sa.Column('approved_by', sa.String(length=36), nullable=True),
    sa.Column('closed_at', sa.String(length=32), nullable=True),
    sa.Column('closing_counts', sa.Text(), nullable=True),
    sa.Column('counted_cash', sa.Integer(), nullable=True),
    sa.Column('expected_cash', sa.Integer(), nullable=True),
    sa.Column('close_seq', sa.Integer(), nullable=True),
    sa.Column('z_report', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_shift_status')),
    sa.ForeignKeyConstraint(['approved_by'], ['app_user.id'], name=op.f('fk_shift_approved_by_app_user')),
    sa.ForeignKeyConstraint(['close_seq'], ['journal_event.seq'], name=op.f('fk_shift_close_seq_journal_event')),
    sa.ForeignKeyConstraint(['closed_by'], ['app_user.id'], name=op.f('fk_shift_closed_by_app_user')),
    sa.ForeignKeyConstraint(['open_seq'], ['journal_event.seq'], name=op.f('fk_shift_open_seq_journal_event')),
    sa.ForeignKeyConstraint(['opened_by'], ['app_user.id'], name=op.f('fk_shift_opened_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shift')),
    sa.UniqueConstraint('close_seq', name=op.f('uq_shift_close_seq')),
    sa.UniqueConstraint('open_seq', name=op.f('uq_shift_open_seq')),
    sa.UniqueConstraint('shift_no', name=op.f('uq_shift_shift_no'))
    )
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_status'), ['status'], unique=False)

    op.create_table('cash_movement',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('shift_id', sa.String(length=36), nullable=False),
    sa.Column('direction', sa.String(length=4), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('cashier_id', sa.String(length=36), nullable=False),
    sa.Column('approval_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('journal_seq', sa.Integer(), nullable=False),
    sa.CheckConstraint("direction IN ('in', 'out')", name=op.f('ck_cash_movement_direction')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_cash_movement_amount_positive')),
    sa.ForeignKeyConstraint(['approval_id'], ['approval.id'], name=op.f('fk_cash_movement_approval_id_approval')),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_cash_movement_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['journal_seq'], ['journal_event.seq'], name=op.f('fk_cash_movement_journal_seq_journal_event')),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], name=op.f('fk_cash_movement_shift_id_shift')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_movement')),
    sa.UniqueConstraint('journal_seq', name=op.f('uq_cash_movement_journal_seq'))
    )
    with op.batch_alter_table('cash_movement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cash_movement_shift_id'), ['shift_id'], unique=False)

    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shift_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_sale_shift_id'), ['shift_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_sale_shift_id_shift'), 'shift', ['shift_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sale_shift_id_shift'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sale_shift_id'))
        batch_op.drop_column('shift_id')

    with op.batch_alter_table('cash_movement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cash_movement_shift_id'))

    op.drop_table('cash_movement')
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shift_status'))

    op.drop_table('shift')
