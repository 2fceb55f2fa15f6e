"""Dashboard login lockout in the database, so several server processes share it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'dashboard_login_failure',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
        sa.Column('locked_until', sa.String(length=40), nullable=True),
        sa.Column('updated_at', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('username'),
    )
    with op.batch_alter_table('dashboard_login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_login_failure_updated_at'), ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dashboard_login_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_login_failure_updated_at'))
    op.drop_table('dashboard_login_failure')
