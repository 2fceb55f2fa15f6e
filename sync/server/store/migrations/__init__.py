"""Alembic migrations of the city database (PostgreSQL or SQLite), applied by `db.migrate()`."""
