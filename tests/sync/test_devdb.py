"""The throwaway PostgreSQL cluster: a real server on 127.0.0.1 that starts, serves SQL and leaves nothing behind."""

from __future__ import annotations

import socket

import psycopg
import pytest
from sqlalchemy import create_engine, text

from sync.server.devdb import ThrowawayCluster, find_bindir, throwaway_cluster


def test_find_bindir_has_the_server_tools() -> None:
    bindir = find_bindir()
    assert (bindir / "initdb").exists()
    assert (bindir / "pg_ctl").exists()


def test_cluster_serves_sql_and_is_gone_after_stop() -> None:
    with throwaway_cluster(durable=False) as pg:
        root, port = pg.root, pg.port
        assert root is not None and port is not None
        assert pg.url == f"postgresql+psycopg://kkmp@127.0.0.1:{port}/kkmp_city"
        engine = create_engine(pg.url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT current_database(), current_user")).one() == (
                "kkmp_city", "kkmp")
            encoding = connection.execute(text("SHOW server_encoding")).scalar_one()
            assert encoding == "UTF8"
            assert connection.execute(text("SHOW fsync")).scalar_one() == "off"
        engine.dispose()
        assert (root / "data" / "PG_VERSION").exists()
    assert not pg.running
    assert not root.exists()
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass


def test_durable_by_default_and_databases_come_and_go() -> None:
    cluster = ThrowawayCluster()
    try:
        cluster.start()
        assert cluster.start() is cluster  # a second start is a no-op
        url = cluster.create_database("t_contract")
        assert url.endswith("/t_contract")
        engine = create_engine(url)
        with engine.connect() as connection:
            assert connection.execute(text("SHOW fsync")).scalar_one() == "on"
            assert connection.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
        engine.dispose()
        # A database still in use is dropped anyway (FORCE): a test's leftover connection must not leak it.
        with psycopg.connect(host="127.0.0.1", port=cluster.port, user="kkmp", dbname="t_contract"):
            cluster.drop_database("t_contract")
        with psycopg.connect(host="127.0.0.1", port=cluster.port, user="kkmp", dbname="postgres") as admin:
            names = {row[0] for row in admin.execute("SELECT datname FROM pg_database")}
        assert "t_contract" not in names
        assert "kkmp_city" in names
    finally:
        cluster.stop()
    cluster.stop()  # idempotent
    assert cluster.root is None


def test_refuses_names_that_are_not_plain_identifiers() -> None:
    with pytest.raises(ValueError):
        ThrowawayCluster(dbname='x"; DROP DATABASE postgres; --')
    cluster = ThrowawayCluster()
    with pytest.raises(ValueError):
        cluster.create_database("Robert'); DROP")
    with pytest.raises(RuntimeError):
        _ = cluster.url  # not started
