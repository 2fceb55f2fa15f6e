"""Alembic migrations of the outlet database, applied automatically at start-up."""
