"""The warehouse handle: an embedded PostgreSQL or the server named by ``WAREHOUSE_URL``.

With ``WAREHOUSE_URL`` unset the warehouse is a private PostgreSQL 16 from the
``pgserver`` wheel, kept under ``CITYOPS_HOME/pgdata`` and listening on
127.0.0.1 on a free TCP port (Asset URIs and the Airflow connection need a real
host, not a socket path). The server outlives the process that started it:
``cityops warehouse stop`` stops it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from .settings import Settings, get_settings

DATABASE = "cityops"
SCHEMAS = ("raw", "raw_batches", "staging", "intermediate", "marts", "ops")
_RUN_AS = "pgserver"  # PostgreSQL refuses to run as root


#: The embedded server is tuned for a warehouse's work (bulk COPY, whole-table builds, big
#: sorts and hash joins) rather than PostgreSQL's small-machine defaults. A server of your
#: own wants the same kind of settings: see docs/scaling.md.
#:
#: ``wal_level = minimal``: a table created and filled in one transaction (dbt's table
#: builds, each file's raw partition, COPY ... FREEZE) is written once and synced at commit
#: instead of going through the WAL as well; crash safety is unchanged, what it rules out
#: is streaming replication and point-in-time recovery, which a single-machine warehouse
#: started by ``cityops`` does not have. Measured on a 3 M-row, 450 MB CREATE TABLE AS:
#: 1.7x faster than with ``replica``, PostgreSQL's default.
EMBEDDED_SERVER_SETTINGS = {
    "max_connections": "200",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "shared_buffers": "1GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "15min",
    "wal_compression": "on",
    "effective_cache_size": "8GB",
}


class WarehouseError(RuntimeError):
    """The warehouse cannot be started, reached or bootstrapped."""


def _pg_bin(name: str) -> Path:
    """A PostgreSQL program shipped in the ``pgserver`` wheel.

    Located without importing ``pgserver`` (its package import touches the user's
    runtime directory and warns when ``XDG_RUNTIME_DIR`` is unset).
    """
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise WarehouseError("the pgserver wheel is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin" / name


def pg_program(name: str) -> Path:
    """Path of a client program (``psql``, ``pg_dump``) matching the embedded server."""
    return _pg_bin(name)


def _open_path_to(path: Path) -> None:
    """Let the unprivileged server user traverse every parent folder of ``path``."""
    for parent in path.parents:
        mode = parent.stat().st_mode
        wanted = mode | stat.S_IXOTH | stat.S_IXGRP
        if wanted != mode:
            parent.chmod(wanted)


def _ensure_system_user(name: str) -> None:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        # PATH of a non-login shell may lack the sbin folders
        useradd = shutil.which("useradd", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
        if useradd is None:
            raise WarehouseError(
                f"running as root, the embedded PostgreSQL needs an unprivileged user {name!r}: "
                "useradd was not found; create the user or run as a normal user"
            ) from None
        subprocess.run(
            [useradd, "--system", "--no-create-home", "-s", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
            text=True,
        )


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _run_as_kwargs() -> dict[str, str]:
    if os.name == "posix" and os.geteuid() == 0:
        return {"user": _RUN_AS}
    return {}


class EmbeddedServer:
    """A PostgreSQL cluster in ``pgdata``, started and stopped with ``pg_ctl``."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self.logfile = pgdata.parent / "pgdata.log"

    # -- state -----------------------------------------------------------------
    def port(self) -> int | None:
        """Port of the running server, read from ``postmaster.pid``; None when stopped."""
        pidfile = self.pgdata / "postmaster.pid"
        try:
            lines = pidfile.read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None
        if len(lines) < 4:
            return None
        try:
            os.kill(int(lines[0]), 0)
        except (ProcessLookupError, ValueError):
            return None
        except PermissionError:
            pass  # alive, owned by the postgres system user
        return int(lines[3])

    def is_running(self) -> bool:
        port = self.port()
        if port is None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return True
        return False

    # -- lifecycle -------------------------------------------------------------
    def _prepare_permissions(self) -> None:
        kwargs = _run_as_kwargs()
        if not kwargs:
            return
        import pwd

        _ensure_system_user(_RUN_AS)
        _open_path_to(self.pgdata)
        install = _pg_bin("postgres").parent.parent
        _open_path_to(install)
        for folder, _dirs, files in os.walk(install):
            os.chmod(folder, os.stat(folder).st_mode | 0o055)
            for name in files:
                file = os.path.join(folder, name)
                os.chmod(file, os.stat(file).st_mode | 0o044)
        entry = pwd.getpwnam(_RUN_AS)
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        self.logfile.touch(exist_ok=True)
        os.chown(self.logfile, entry.pw_uid, entry.pw_gid)

    def start(self) -> int:
        """Start the server if needed (initialising the cluster once); return its port."""
        if self.is_running():
            port = self.port()
            assert port is not None
            return port
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._prepare_permissions()
        kwargs = _run_as_kwargs()
        if not (self.pgdata / "PG_VERSION").exists():
            subprocess.run(
                [
                    str(_pg_bin("initdb")),
                    "-D",
                    str(self.pgdata),
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "-U",
                    "postgres",
                ],
                check=True,
                capture_output=True,
                text=True,
                **kwargs,
            )
        port = _free_port()
        settings = " ".join(f"-c {k}={v}" for k, v in EMBEDDED_SERVER_SETTINGS.items())
        options = f"-h 127.0.0.1 -p {port} -k '' {settings}"
        result = subprocess.run(
            [
                str(_pg_bin("pg_ctl")),
                "-D",
                str(self.pgdata),
                "-w",
                "-t",
                "60",
                "-l",
                str(self.logfile),
                "-o",
                options,
                "start",
            ],
            capture_output=True,
            text=True,
            **kwargs,
        )
        if result.returncode != 0:
            log_tail = (
                self.logfile.read_text(errors="replace")[-2000:] if self.logfile.exists() else ""
            )
            raise WarehouseError(
                f"embedded PostgreSQL did not start (pg_ctl exit {result.returncode}):\n"
                f"{result.stderr.strip()}\n{log_tail}"
            )
        deadline = time.monotonic() + 30
        while not self.is_running():
            if time.monotonic() > deadline:
                raise WarehouseError(
                    f"embedded PostgreSQL started but does not answer; see {self.logfile}"
                )
            time.sleep(0.1)
        return port

    def stop(self) -> bool:
        """Stop the server; return False when it was not running."""
        if self.port() is None:
            return False
        subprocess.run(
            [str(_pg_bin("pg_ctl")), "-D", str(self.pgdata), "-w", "-m", "fast", "stop"],
            check=True,
            capture_output=True,
            text=True,
            **_run_as_kwargs(),
        )
        return True


def embedded_server(settings: Settings | None = None) -> EmbeddedServer:
    return EmbeddedServer((settings or get_settings()).pgdata)


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` when the server does not have it yet."""
    name = database_name(url)
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'create database "{name}"')


def warehouse_url(settings: Settings | None = None, *, start: bool = True) -> str:
    """The warehouse's connection URL, starting the embedded server when needed."""
    settings = settings or get_settings()
    if settings.warehouse_url:
        return settings.warehouse_url
    server = embedded_server(settings)
    port = server.start() if start else server.port()
    if port is None:
        raise WarehouseError("the embedded warehouse is not running: run `cityops warehouse start`")
    url = f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}"
    if start:
        ensure_database(url)
    return url


@contextlib.contextmanager
def connect(url: str | None = None, *, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    """A psycopg connection to the warehouse, closed on exit (committed on success)."""
    conn = psycopg.connect(url or warehouse_url(), autocommit=autocommit)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def bootstrap(url: str | None = None, *, hmac_key: str | None = None) -> None:
    """Create schemas, operations tables, roles and the person-key function; idempotent."""
    from .privacy import install_person_key
    from .roles import set_passwords

    url = url or warehouse_url()
    ensure_database(url)
    ddl = resources.files("cityops").joinpath("sql/bootstrap.sql").read_text(encoding="utf-8")
    with connect(url) as conn:
        # Serialise concurrent bootstraps (two DAGs starting at once).
        conn.execute("select pg_advisory_xact_lock(hashtext('cityops.bootstrap'))")
        conn.execute(ddl)
        conn.execute(
            resources.files("cityops").joinpath("sql/roles.sql").read_text(encoding="utf-8")
        )
        install_person_key(conn, hmac_key or get_settings().hmac_key)
        set_passwords(conn)
