"""Alembic environment: runs on the connection the app hands over (never opens its own URL)."""

from __future__ import annotations

from alembic import context

from kkmp_pos.store.db import include_name
from kkmp_pos.store.models import Base


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("kkmp_pos migrations run through kkmp_pos.store.db.migrate()")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        include_name=include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
