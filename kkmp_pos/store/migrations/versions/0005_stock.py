"""Stock for the manager: suppliers, pack units, goods receipts, stock counts, adjustments, thresholds.

Revision ID: 0005_stock
Revises: 0004_lpg
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_stock'
down_revision = '0004_lpg'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('supplier',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('contact', sa.String(length=120), nullable=True),
    sa.Column('phone', sa.String(length=24), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier')),
    sa.UniqueConstraint('name', name=op.f('uq_supplier_name'))
    )
    op.create_table('product_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('factor_milli', sa.Integer(), nullable=False),
    sa.CheckConstraint('factor_milli > 0', name=op.f('ck_product_unit_factor')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_unit_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_unit')),
    sa.UniqueConstraint('product_id', 'unit', name=op.f('uq_product_unit_product_id_unit'))
    )
    with op.batch_alter_table('product_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_unit_product_id'), ['product_id'], unique=False)

    op.create_table('goods_receipt',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('receipt_no', sa.String(length=32), nullable=False),
    sa.Column('supplier_id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('received_on', sa.String(length=10), nullable=False),
    sa.Column('total_cost', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('cashier_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('journal_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_goods_receipt_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['journal_seq'], ['journal_event.seq'], name=op.f('fk_goods_receipt_journal_seq_journal_event')),
    sa.ForeignKeyConstraint(['supplier_id'], ['supplier.id'], name=op.f('fk_goods_receipt_supplier_id_supplier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goods_receipt')),
    sa.UniqueConstraint('journal_seq', name=op.f('uq_goods_receipt_journal_seq')),
    sa.UniqueConstraint('receipt_no', name=op.f('uq_goods_receipt_receipt_no'))
    )
    with op.batch_alter_table('goods_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goods_receipt_received_on'), ['received_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_goods_receipt_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('stock_count',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('count_no', sa.String(length=32), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('scope_value', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('started_by', sa.String(length=36), nullable=False),
    sa.Column('started_at', sa.String(length=32), nullable=False),
    sa.Column('approved_by', sa.String(length=36), nullable=True),
    sa.Column('approved_at', sa.String(length=32), nullable=True),
    sa.Column('counter_name', sa.String(length=120), nullable=True),
    sa.Column('witness_name', sa.String(length=120), nullable=True),
    sa.Column('journal_seq', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'approved', 'cancelled')", name=op.f('ck_stock_count_status')),
    sa.ForeignKeyConstraint(['approved_by'], ['app_user.id'], name=op.f('fk_stock_count_approved_by_app_user')),
    sa.ForeignKeyConstraint(['journal_seq'], ['journal_event.seq'], name=op.f('fk_stock_count_journal_seq_journal_event')),
    sa.ForeignKeyConstraint(['started_by'], ['app_user.id'], name=op.f('fk_stock_count_started_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_count')),
    sa.UniqueConstraint('count_no', name=op.f('uq_stock_count_count_no')),
    sa.UniqueConstraint('journal_seq', name=op.f('uq_stock_count_journal_seq'))
    )
    op.create_table('goods_receipt_line',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('receipt_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('unit_qty_milli', sa.Integer(), nullable=False),
    sa.Column('factor_milli', sa.Integer(), nullable=False),
    sa.Column('base_qty_milli', sa.Integer(), nullable=False),
    sa.Column('unit_cost', sa.Integer(), nullable=False),
    sa.Column('line_cost', sa.Integer(), nullable=False),
    sa.Column('expiry_date', sa.String(length=10), nullable=True),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_goods_receipt_line_product_id_product')),
    sa.ForeignKeyConstraint(['receipt_id'], ['goods_receipt.id'], name=op.f('fk_goods_receipt_line_receipt_id_goods_receipt')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goods_receipt_line')),
    sa.UniqueConstraint('receipt_id', 'line_no', name=op.f('uq_goods_receipt_line_receipt_id_line_no'))
    )
    with op.batch_alter_table('goods_receipt_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goods_receipt_line_expiry_date'), ['expiry_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_goods_receipt_line_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goods_receipt_line_receipt_id'), ['receipt_id'], unique=False)

    op.create_table('stock_adjustment',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('cashier_id', sa.String(length=36), nullable=False),
    sa.Column('approval_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('journal_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approval_id'], ['approval.id'], name=op.f('fk_stock_adjustment_approval_id_approval')),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_stock_adjustment_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['journal_seq'], ['journal_event.seq'], name=op.f('fk_stock_adjustment_journal_seq_journal_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_adjustment')),
    sa.UniqueConstraint('journal_seq', name=op.f('uq_stock_adjustment_journal_seq'))
    )
    with op.batch_alter_table('stock_adjustment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_adjustment_created_at'), ['created_at'], unique=False)

    op.create_table('stock_count_line',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('count_id', sa.String(length=36), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('counted_milli', sa.Integer(), nullable=True),
    sa.Column('expected_milli', sa.Integer(), nullable=True),
    sa.Column('counted_at', sa.String(length=32), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['count_id'], ['stock_count.id'], name=op.f('fk_stock_count_line_count_id_stock_count')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_stock_count_line_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_count_line')),
    sa.UniqueConstraint('count_id', 'product_id', name=op.f('uq_stock_count_line_count_id_product_id'))
    )
    with op.batch_alter_table('stock_count_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_count_line_count_id'), ['count_id'], unique=False)

    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('low_stock_milli', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('low_stock_milli')

    with op.batch_alter_table('stock_count_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_count_line_count_id'))

    op.drop_table('stock_count_line')
    with op.batch_alter_table('stock_adjustment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_adjustment_created_at'))

    op.drop_table('stock_adjustment')
    with op.batch_alter_table('goods_receipt_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goods_receipt_line_receipt_id'))
        batch_op.drop_index(batch_op.f('ix_goods_receipt_line_product_id'))
        batch_op.drop_index(batch_op.f('ix_goods_receipt_line_expiry_date'))

    op.drop_table('goods_receipt_line')
    op.drop_table('stock_count')
    with op.batch_alter_table('goods_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goods_receipt_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_goods_receipt_received_on'))

    op.drop_table('goods_receipt')
    with op.batch_alter_table('product_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_unit_product_id'))

    op.drop_table('product_unit')
    op.drop_table('supplier')
