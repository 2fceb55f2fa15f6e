"""Alembic environment: runs on the connection `sync.server.store.db.migrate()` hands over (never its own URL)."""

from __future__ import annotations

from alembic import context

from sync.server.store.schema import metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("city server migrations run through sync.server.store.db.migrate()")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table (a no-op on PostgreSQL).
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
