"""The client against the server: in-process, over real HTTP, on SQLite and PostgreSQL."""
