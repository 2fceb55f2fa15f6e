"""The full till: logins, approvals, members, simpanan, kasbon, refunds, held carts, price ceilings.

Revision ID: 0003_full_till
Revises: 0002_product_search
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003_full_till'
down_revision = '0002_product_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('member',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('member_no', sa.String(length=24), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_norm', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=240), nullable=False),
    sa.Column('kelurahan_code', sa.String(length=16), nullable=True),
    sa.Column('rt', sa.String(length=3), nullable=True),
    sa.Column('rw', sa.String(length=3), nullable=True),
    sa.Column('phone', sa.String(length=24), nullable=True),
    sa.Column('join_date', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('credit_limit', sa.Integer(), nullable=False),
    sa.Column('credit_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.CheckConstraint("kind IN ('anggota', 'pelanggan')", name=op.f('ck_member_kind')),
    sa.CheckConstraint("status IN ('aktif', 'nonaktif', 'keluar')", name=op.f('ck_member_status')),
    sa.CheckConstraint('credit_limit >= 0', name=op.f('ck_member_credit_limit_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member')),
    sa.UniqueConstraint('member_no', name=op.f('uq_member_member_no'))
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_name_norm'), ['name_norm'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_nik'), ['nik'], unique=False)

    op.create_table('price_ceiling',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('region', sa.String(length=60), nullable=False),
    sa.Column('effective_from', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.CheckConstraint("kind IN ('HET', 'HAP')", name=op.f('ck_price_ceiling_kind')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_price_ceiling_amount_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_ceiling')),
    sa.UniqueConstraint('sku', 'kind', 'region', 'effective_from', name=op.f('uq_price_ceiling_sku_kind_region_effective_from'))
    )
    with op.batch_alter_table('price_ceiling', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_ceiling_sku'), ['sku'], unique=False)

    op.create_table('approval',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('cashier_id', sa.String(length=36), nullable=False),
    sa.Column('approver_id', sa.String(length=36), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('subject', sa.String(length=160), nullable=True),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('used_by', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('journal_seq', sa.Integer(), nullable=False),
    sa.CheckConstraint("outcome IN ('approved', 'refused')", name=op.f('ck_approval_outcome')),
    sa.ForeignKeyConstraint(['approver_id'], ['app_user.id'], name=op.f('fk_approval_approver_id_app_user')),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_approval_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['journal_seq'], ['journal_event.seq'], name=op.f('fk_approval_journal_seq_journal_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval')),
    sa.UniqueConstraint('journal_seq', name=op.f('uq_approval_journal_seq'))
    )
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_created_at'), ['created_at'], unique=False)

    op.create_table('held_cart',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('cashier_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_held_cart_cashier_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_held_cart'))
    )
    op.create_table('login_attempt',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_login_attempt_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempt'))
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempt_at'), ['at'], unique=False)

    op.create_table('savings_entry',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('receipt_no', sa.String(length=32), nullable=False),
    sa.Column('cashier_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('journal_seq', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('pokok', 'wajib', 'sukarela')", name=op.f('ck_savings_entry_kind')),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_savings_entry_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['journal_seq'], ['journal_event.seq'], name=op.f('fk_savings_entry_journal_seq_journal_event')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_savings_entry_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_savings_entry')),
    sa.UniqueConstraint('journal_seq', name=op.f('uq_savings_entry_journal_seq')),
    sa.UniqueConstraint('receipt_no', name=op.f('uq_savings_entry_receipt_no'))
    )
    with op.batch_alter_table('savings_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_savings_entry_member_id'), ['member_id'], unique=False)

    op.create_table('credit_entry',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('sale_id', sa.String(length=36), nullable=True),
    sa.Column('receipt_no', sa.String(length=32), nullable=True),
    sa.Column('due_date', sa.String(length=10), nullable=True),
    sa.Column('cashier_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('journal_seq', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('kasbon', 'bayar', 'koreksi')", name=op.f('ck_credit_entry_kind')),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_credit_entry_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['journal_seq'], ['journal_event.seq'], name=op.f('fk_credit_entry_journal_seq_journal_event')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_credit_entry_member_id_member')),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], name=op.f('fk_credit_entry_sale_id_sale')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_entry'))
    )
    with op.batch_alter_table('credit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_entry_member_id'), ['member_id'], unique=False)

    op.create_table('refund',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('outlet_id', sa.String(length=36), nullable=False),
    sa.Column('sale_id', sa.String(length=36), nullable=False),
    sa.Column('refund_no', sa.String(length=32), nullable=False),
    sa.Column('refund_seq', sa.Integer(), nullable=False),
    sa.Column('cashier_id', sa.String(length=36), nullable=False),
    sa.Column('approval_id', sa.String(length=36), nullable=True),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=32), nullable=False),
    sa.Column('business_date', sa.String(length=10), nullable=False),
    sa.Column('journal_seq', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approval_id'], ['approval.id'], name=op.f('fk_refund_approval_id_approval')),
    sa.ForeignKeyConstraint(['cashier_id'], ['app_user.id'], name=op.f('fk_refund_cashier_id_app_user')),
    sa.ForeignKeyConstraint(['journal_seq'], ['journal_event.seq'], name=op.f('fk_refund_journal_seq_journal_event')),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlet.id'], name=op.f('fk_refund_outlet_id_outlet')),
    sa.ForeignKeyConstraint(['sale_id'], ['sale.id'], name=op.f('fk_refund_sale_id_sale')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund')),
    sa.UniqueConstraint('journal_seq', name=op.f('uq_refund_journal_seq')),
    sa.UniqueConstraint('outlet_id', 'refund_seq', name=op.f('uq_refund_outlet_id_refund_seq')),
    sa.UniqueConstraint('refund_no', name=op.f('uq_refund_refund_no'))
    )
    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_business_date'), ['business_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_sale_id'), ['sale_id'], unique=False)

    op.create_table('refund_line',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('refund_id', sa.String(length=36), nullable=False),
    sa.Column('sale_line_id', sa.String(length=36), nullable=False),
    sa.Column('qty_milli', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['refund_id'], ['refund.id'], name=op.f('fk_refund_line_refund_id_refund')),
    sa.ForeignKeyConstraint(['sale_line_id'], ['sale_line.id'], name=op.f('fk_refund_line_sale_line_id_sale_line')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund_line'))
    )
    with op.batch_alter_table('refund_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_line_refund_id'), ['refund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_line_sale_line_id'), ['sale_line_id'], unique=False)

    op.create_table('refund_payment',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('refund_id', sa.String(length=36), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['refund_id'], ['refund.id'], name=op.f('fk_refund_payment_refund_id_refund')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund_payment'))
    )
    with op.batch_alter_table('refund_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_payment_refund_id'), ['refund_id'], unique=False)

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_pins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.String(length=32), nullable=True))

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('verified_at', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('verified_by', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_payment_status'), ['status'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_payment_verified_by_app_user'), 'app_user', ['verified_by'], ['id'])

    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subtotal', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('discount_total', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_sale_member_id'), ['member_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_sale_member_id_member'), 'member', ['member_id'], ['id'])

    with op.batch_alter_table('sale_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('list_price', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('line_discount', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('cart_discount_share', sa.Integer(), server_default='0', nullable=False))

    # Sales written before discounts existed: nothing was discounted and the price charged was the list price.
    op.execute("UPDATE sale SET subtotal = total WHERE subtotal = 0")
    op.execute("UPDATE sale_line SET list_price = unit_price WHERE list_price = 0")


def downgrade() -> None:
    with op.batch_alter_table('sale_line', schema=None) as batch_op:
        batch_op.drop_column('cart_discount_share')
        batch_op.drop_column('line_discount')
        batch_op.drop_column('list_price')

    with op.batch_alter_table('sale', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sale_member_id_member'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sale_member_id'))
        batch_op.drop_column('discount_total')
        batch_op.drop_column('subtotal')

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_payment_verified_by_app_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_payment_status'))
        batch_op.drop_column('verified_by')
        batch_op.drop_column('verified_at')
        batch_op.drop_column('bank')

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_pins')

    with op.batch_alter_table('refund_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_payment_refund_id'))

    op.drop_table('refund_payment')
    with op.batch_alter_table('refund_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_line_sale_line_id'))
        batch_op.drop_index(batch_op.f('ix_refund_line_refund_id'))

    op.drop_table('refund_line')
    with op.batch_alter_table('refund', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_sale_id'))
        batch_op.drop_index(batch_op.f('ix_refund_created_at'))
        batch_op.drop_index(batch_op.f('ix_refund_business_date'))

    op.drop_table('refund')
    with op.batch_alter_table('credit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_entry_member_id'))

    op.drop_table('credit_entry')
    with op.batch_alter_table('savings_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_savings_entry_member_id'))

    op.drop_table('savings_entry')
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempt_at'))

    op.drop_table('login_attempt')
    op.drop_table('held_cart')
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_created_at'))
        batch_op.drop_index(batch_op.f('ix_approval_action'))

    op.drop_table('approval')
    with op.batch_alter_table('price_ceiling', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_ceiling_sku'))

    op.drop_table('price_ceiling')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_nik'))
        batch_op.drop_index(batch_op.f('ix_member_name_norm'))

    op.drop_table('member')
