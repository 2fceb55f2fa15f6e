"""A throwaway real PostgreSQL cluster (initdb + pg_ctl in a temp dir on 127.0.0.1) for tests and the bench."""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

__all__ = ["PostgresNotInstalled", "ThrowawayCluster", "find_bindir", "throwaway_cluster"]

INSTALL_HINT = (
    "PostgreSQL tidak ditemukan (initdb/pg_ctl). Pasang dengan: "
    "apt-get install -y --no-install-recommends postgresql   (Debian/Ubuntu)"
)
RUN_AS = "postgres"
"""PostgreSQL refuses to run as root; as root the cluster belongs to this system user instead."""
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class PostgresNotInstalled(RuntimeError):
    """No PostgreSQL server binaries on this machine; the message says what to install."""


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.name)) or (0,)


def find_bindir() -> Path:
    """The newest /usr/lib/postgresql/*/bin, else `pg_config --bindir`, else the directory of `initdb` on PATH."""
    candidates = [p / "bin" for p in Path("/usr/lib/postgresql").glob("*") if (p / "bin" / "initdb").exists()]
    if candidates:
        return max(candidates, key=lambda p: _version_key(p.parent))
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        bindir = Path(result.stdout.strip())
        if result.returncode == 0 and (bindir / "initdb").exists():
            return bindir
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresNotInstalled(INSTALL_HINT)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the cluster start retries if another process takes it first)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class ThrowawayCluster:
    """One private PostgreSQL server: `start()` makes and starts it, `stop()` stops it and deletes every file.

    `durable=False` turns fsync and synchronous commit off: only for tests (a bench must keep the defaults,
    which is why they are the default here).
    """

    def __init__(self, *, user: str = "kkmp", dbname: str = "kkmp_city", durable: bool = True,
                 max_connections: int = 200) -> None:
        if not (_NAME.fullmatch(user) and _NAME.fullmatch(dbname)):
            raise ValueError("user and dbname must be simple lowercase SQL names")
        self.user = user
        self.dbname = dbname
        self.durable = durable
        self.max_connections = max_connections
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.root: Path | None = None
        self._bindir: Path | None = None
        self._lock = threading.Lock()
        self._as_other_user = hasattr(os, "geteuid") and os.geteuid() == 0

    # -- paths and commands ------------------------------------------------------------------------------

    @property
    def datadir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def logfile(self) -> Path:
        assert self.root is not None
        return self.root / "postgres.log"

    def _command(self, tool: str, *args: str) -> list[str]:
        assert self._bindir is not None
        command = [str(self._bindir / tool), *args]
        if self._as_other_user:
            runuser = shutil.which("runuser")
            if runuser:
                return [runuser, "-u", RUN_AS, "--", *command]
            return ["su", RUN_AS, "-s", "/bin/sh", "-c", " ".join(_quote(part) for part in command)]
        return command

    def _run(self, tool: str, *args: str) -> None:
        # LC_ALL=C: initdb must not depend on (or complain about) the caller's locale settings.
        env = dict(os.environ, LC_ALL="C", LANG="C")
        result = subprocess.run(self._command(tool, *args), capture_output=True, text=True, env=env,
                                cwd=self.root, check=False)
        if result.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-2000:] if self.logfile.exists() else ""
            raise RuntimeError(f"{tool} {' '.join(args[:2])} failed ({result.returncode}):\n"
                               f"{result.stdout}{result.stderr}{log}")

    # -- lifecycle ---------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the cluster's database."""
        return self.url_for(self.dbname)

    def url_for(self, dbname: str) -> str:
        if self.port is None:
            raise RuntimeError("the cluster is not running")
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    @property
    def running(self) -> bool:
        return self.port is not None

    def start(self) -> ThrowawayCluster:
        """initdb into a fresh temp dir, start on a free 127.0.0.1 port, create the database."""
        with self._lock:
            if self.port is not None:
                return self
            self._bindir = find_bindir()
            if self._as_other_user and not _user_exists(RUN_AS):
                raise PostgresNotInstalled(f"running as root needs the system user {RUN_AS!r}: {INSTALL_HINT}")
            # As root the postgres user must reach the directory: /tmp is world-traversable, $TMPDIR may not be.
            parent = "/tmp" if self._as_other_user and Path("/tmp").is_dir() else None
            self.root = Path(tempfile.mkdtemp(prefix="kkmp-pg-", dir=parent))
            atexit.register(self.stop)
            try:
                if self._as_other_user:
                    shutil.chown(self.root, RUN_AS, RUN_AS)
                self._run("initdb", "-D", str(self.datadir), "--auth=trust", "-U", self.user,
                          "--encoding=UTF8", "--locale=C", "--no-instructions")
                self._start_server()
                self.create_database(self.dbname)
            except BaseException:
                self._teardown()
                raise
            return self

    def _start_server(self) -> None:
        assert self.root is not None
        settings = [f"-c listen_addresses={self.host}", f"-k {self.root}",
                    f"-c max_connections={self.max_connections}"]
        if not self.durable:
            settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        last_error: Exception | None = None
        for _attempt in range(5):
            port = free_port(self.host)
            try:
                self._run("pg_ctl", "start", "-D", str(self.datadir), "-w", "-t", "60", "-l", str(self.logfile),
                          "-o", " ".join([f"-p {port}", *settings]))
            except RuntimeError as exc:  # most likely another process took the port in between
                last_error = exc
                continue
            self.port = port
            return
        raise RuntimeError(f"PostgreSQL did not start: {last_error}")

    def stop(self) -> None:
        """`pg_ctl stop -m fast`, then delete the cluster's files. Idempotent; also runs at interpreter exit."""
        with self._lock:
            self._teardown()

    def _teardown(self) -> None:
        atexit.unregister(self.stop)
        if self.root is None:
            return
        try:
            if (self.datadir / "postmaster.pid").exists():
                with contextlib.suppress(RuntimeError):
                    self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", "fast", "-w", "-t", "60")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
            self.port = None

    # -- databases ---------------------------------------------------------------------------------------

    def _admin(self, statement: str) -> None:
        import psycopg  # the server extra; imported late so `find_bindir` works without it

        with psycopg.connect(host=self.host, port=self.port, user=self.user, dbname="postgres",
                             autocommit=True, connect_timeout=30) as connection:
            connection.execute(statement)  # type: ignore[arg-type]

    def create_database(self, name: str) -> str:
        """CREATE DATABASE `name` (a simple lowercase name); returns its SQLAlchemy URL."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a simple database name: {name!r}")
        self._admin(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """DROP DATABASE `name`, disconnecting anyone still connected to it."""
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a simple database name: {name!r}")
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def __enter__(self) -> ThrowawayCluster:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def _user_exists(name: str) -> bool:
    try:
        import pwd
    except ImportError:  # not POSIX: there is no root to step away from either
        return True
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _quote(part: str) -> str:
    import shlex

    return shlex.quote(part)


@contextlib.contextmanager
def throwaway_cluster(**options: object) -> Iterator[ThrowawayCluster]:
    """`with throwaway_cluster() as pg: engine = open_database(pg.url)` — stopped and deleted on exit."""
    cluster = ThrowawayCluster(**options)  # type: ignore[arg-type]
    with cluster:
        yield cluster


def main() -> int:
    """`python -m sync.server.devdb`: start a cluster, print its URL, keep it until Ctrl-C."""
    import signal

    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    with throwaway_cluster() as cluster:
        print(cluster.url, flush=True)
        signal.sigwait(stop_signals)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
