"""The city server's Ed25519 key: made once, kept in `server_setting`, shared by every server process."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from sync.protocol.keys import Ed25519PrivateKey, generate_private_key, load_private_key, private_key_b64
from sync.server.store.schema import server_setting

SETTING_KEY = "server_private_key"


def _insert_if_absent(engine: Engine, value: str):  # type: ignore[no-untyped-def]
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    return insert(server_setting).values(key=SETTING_KEY, value=value).on_conflict_do_nothing(
        index_elements=["key"])


def load_or_create_server_key(engine: Engine) -> Ed25519PrivateKey:
    """The stored key, or a new one stored first.

    Two processes starting together may both generate a key; `ON CONFLICT DO NOTHING` lets only the first
    insert win and both then read back the winner, so every process signs with the same key.
    """
    query = select(server_setting.c.value).where(server_setting.c.key == SETTING_KEY)
    with engine.connect() as connection:
        stored = connection.execute(query).scalar_one_or_none()
    if stored is None:
        with engine.begin() as connection:
            connection.execute(_insert_if_absent(engine, private_key_b64(generate_private_key())))
            stored = connection.execute(query).scalar_one()
    return load_private_key(stored)
