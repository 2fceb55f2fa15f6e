"""Initial schema: outlet, users, catalogue, stock ledger, sales, payments, journal.

Revision ID: 0001_initial
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('journal_event',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('schema_v', sa.Integer(), nullable=False),
    sa.Column('device_time', sa.String(length=40), nullable=False),
    sa.Column('master_version', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_journal_event')),
    sa.UniqueConstraint('event_id', name=op.f('uq_journal_event_event_id')),
    sa.UniqueConstraint('hash', name=op.f('uq_journal_event_hash'))
    )
    op.create_table('outlet',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('koperasi_name', sa.String(length=120), nullable=False),
    sa.Column('gerai_name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=240), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outlet')),
    sa.UniqueConstraint('code', name=op.f('uq_outlet_code'))
    )
    op.create_table('product',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('name_norm', sa.String(length=160), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('sold_by_weight', sa.Boolean(), nullable=False),
    sa.Column('price', sa.Integer(), nullable=False),
    sa.Column('member_price', sa.Integer(), nullable=True),
    sa.Column('het', sa.Integer(), nullable=True),
    sa.Column('het_source', sa.String(length=200), nullable=True),
    sa.Column('ppn', sa.String(length=8), nullable=False),
    sa.Column('lpg_kind', sa.String(length=20), nullable=True),
    sa.Column('cost_price', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.CheckConstraint("ppn IN ('bebas', 'kena')", name=op.f('ck_product_ppn')),
    sa.CheckConstraint('price >= 0', name=op.f('ck_product_price_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product')),
    sa.UniqueConstraint('sku', name=op.f('uq_product_sku'))
    )
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_name_norm'), ['name_norm'], unique=False)

    op.create_table('setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('app_user',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('outlet_id', sa.String(length=36), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('pin_hash', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.CheckConstraint("role IN ('kasir', 'manajer', 'pengawas', 'admin')", name=op.f('ck_app_user_role')),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlet.id'], name=op.f('fk_app_user_outlet_id_outlet')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    op.create_table('product_barcode',
    sa.Column('barcode', sa.String(length=32), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_barcode_product_id_product')),
    sa.PrimaryKeyConstraint('barcode', name=op.f('pk_product_barcode'))
    )
    with op.batch_alter_table('product_barcode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_barcode_product_id'), ['product_id'], unique=False)

    op.create_table('stock_movement',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('qty_milli', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('ref_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_stock_movement_product_id_product')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movement'))
    )
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.create_index('ix_stock_movement_product_id_created_at', ['product_id', 'created_at'], unique=False)

    op.create_table('sale',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('outlet_id', sa.String(length=36), nullable=False),
    sa.Column('receipt_no', sa.String(length=32), nullable=False),
    sa.Column('receipt_seq', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('business_date', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('master_version', sa.Integer(), nullable=False),
    sa.Column('journal_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_sale_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['journal_seq'], ['journal_event.seq'], name=op.f('fk_sale_journal_seq_journal_event')),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlet.id'], name=op.f('fk_sale_outlet_id_outlet')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sale')),
    sa.UniqueConstraint('journal_seq', name=op.f('uq_sale_journal_seq')),
    sa.UniqueConstraint('outlet_id', 'receipt_seq', name=op.f('uq_sale_outlet_id_receipt_seq')),
    sa.UniqueConstraint('receipt_no', name=op.f('uq_sale_receipt_no'))
    )
    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_business_date'), ['business_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_sale_created_at'), ['created_at'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sale_id', sa.String(length=36), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('tendered', sa.Integer(), nullable=False),
    sa.Column('change', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], name=op.f('fk_payment_sale_id_sale')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment'))
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_sale_id'), ['sale_id'], unique=False)

    op.create_table('sale_line',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('sale_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('sold_by_weight', sa.Boolean(), nullable=False),
    sa.Column('qty_milli', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_sale_line_product_id_product')),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], name=op.f('fk_sale_line_sale_id_sale')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sale_line')),
    sa.UniqueConstraint('sale_id', 'line_no', name=op.f('uq_sale_line_sale_id_line_no'))
    )
    with op.batch_alter_table('sale_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_line_product_id'), ['product_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('sale_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_line_product_id'))

    op.drop_table('sale_line')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_sale_id'))

    op.drop_table('payment')
    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_created_at'))
        batch_op.drop_index(batch_op.f('ix_sale_business_date'))

    op.drop_table('sale')
    with op.batch_alter_table('stock_movement', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_movement_product_id_created_at')

    op.drop_table('stock_movement')
    with op.batch_alter_table('product_barcode', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_barcode_product_id'))

    op.drop_table('product_barcode')
    op.drop_table('app_user')
    op.drop_table('setting')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_name_norm'))

    op.drop_table('product')
    op.drop_table('outlet')
    op.drop_table('journal_event')
