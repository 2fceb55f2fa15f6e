"""The outlet's local store: SQLite through SQLAlchemy 2, schema by Alembic migrations."""
