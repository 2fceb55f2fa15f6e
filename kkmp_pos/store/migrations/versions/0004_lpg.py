"""Elpiji: 3 kg buyers by NIK, the LPG line of each sale, cylinder ledger, deliveries, allocations.

Revision ID: 0004_lpg
Revises: 0003_full_till
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_lpg'
down_revision = '0003_full_till'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cylinder_movement',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('size', sa.String(length=8), nullable=False),
    sa.Column('full_delta', sa.Integer(), nullable=False),
    sa.Column('empty_delta', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('ref_id', sa.String(length=36), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.CheckConstraint("size IN ('3kg', '5_5kg', '12kg')", name=op.f('ck_cylinder_movement_size')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cylinder_movement'))
    )
    with op.batch_alter_table('cylinder_movement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cylinder_movement_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cylinder_movement_size'), ['size'], unique=False)

    op.create_table('lpg_buyer',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=240), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('nib', sa.String(length=20), nullable=True),
    sa.Column('on_government_list', sa.Boolean(), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.CheckConstraint("category IN ('rumah_tangga', 'usaha_mikro', 'nelayan_sasaran', 'petani_sasaran', 'pengecer')", name=op.f('ck_lpg_buyer_category')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_lpg_buyer_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lpg_buyer')),
    sa.UniqueConstraint('nik', name=op.f('uq_lpg_buyer_nik'))
    )
    op.create_table('lpg_allocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('size', sa.String(length=8), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('set_by', sa.String(length=36), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.CheckConstraint('quantity >= 0', name=op.f('ck_lpg_allocation_quantity')),
    sa.ForeignKeyConstraint(['set_by'], ['app_user.id'], name=op.f('fk_lpg_allocation_set_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lpg_allocation')),
    sa.UniqueConstraint('month', 'size', name=op.f('uq_lpg_allocation_month_size'))
    )
    op.create_table('lpg_delivery',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('do_number', sa.String(length=40), nullable=False),
    sa.Column('delivered_on', sa.String(length=10), nullable=False),
    sa.Column('agen', sa.String(length=120), nullable=False),
    sa.Column('size', sa.String(length=8), nullable=False),
    sa.Column('full_received', sa.Integer(), nullable=False),
    sa.Column('empties_returned', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('journal_seq', sa.Integer(), nullable=False),
    sa.CheckConstraint('full_received >= 0 AND empties_returned >= 0', name=op.f('ck_lpg_delivery_counts_not_negative')),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_lpg_delivery_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['journal_seq'], ['journal_event.seq'], name=op.f('fk_lpg_delivery_journal_seq_journal_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lpg_delivery')),
    sa.UniqueConstraint('do_number', name=op.f('uq_lpg_delivery_do_number')),
    sa.UniqueConstraint('journal_seq', name=op.f('uq_lpg_delivery_journal_seq'))
    )
    with op.batch_alter_table('lpg_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lpg_delivery_delivered_on'), ['delivered_on'], unique=False)

    op.create_table('lpg_sale_line',
    sa.Column('sale_line_id', sa.String(length=36), nullable=False),
    sa.Column('buyer_id', sa.String(length=36), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('business_date', sa.String(length=10), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('map_entered_at', sa.String(length=32), nullable=True),
    sa.Column('map_entered_by', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['buyer_id'], ['lpg_buyer.id'], name=op.f('fk_lpg_sale_line_buyer_id_lpg_buyer')),
    sa.ForeignKeyConstraint(['map_entered_by'], ['app_user.id'], name=op.f('fk_lpg_sale_line_map_entered_by_app_user')),
    sa.ForeignKeyConstraint(['sale_line_id'], ['sale_line.id'], name=op.f('fk_lpg_sale_line_sale_line_id_sale_line')),
    sa.PrimaryKeyConstraint('sale_line_id', name=op.f('pk_lpg_sale_line'))
    )
    with op.batch_alter_table('lpg_sale_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lpg_sale_line_business_date'), ['business_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_lpg_sale_line_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lpg_sale_line_month'), ['month'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('lpg_sale_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lpg_sale_line_month'))
        batch_op.drop_index(batch_op.f('ix_lpg_sale_line_buyer_id'))
        batch_op.drop_index(batch_op.f('ix_lpg_sale_line_business_date'))

    op.drop_table('lpg_sale_line')
    with op.batch_alter_table('lpg_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lpg_delivery_delivered_on'))

    op.drop_table('lpg_delivery')
    op.drop_table('lpg_allocation')
    op.drop_table('lpg_buyer')
    with op.batch_alter_table('cylinder_movement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cylinder_movement_size'))
        batch_op.drop_index(batch_op.f('ix_cylinder_movement_created_at'))

    op.drop_table('cylinder_movement')
