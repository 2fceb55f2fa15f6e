"""The city server's own database: tables, engine, migrations (PostgreSQL in production, SQLite for a demo)."""
