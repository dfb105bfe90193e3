"""The warehouse handle: an embedded PostgreSQL or the server named by ``WAREHOUSE_URL``.

With ``WAREHOUSE_URL`` unset the warehouse is a private PostgreSQL 16 from the
``pgserver`` wheel, kept under ``CITYOPS_HOME/pgdata`` and listening on
127.0.0.1 on a TCP port (Asset URIs and the Airflow connection need a real host, not a
socket path): the port of its last start when that is still free, so URLs handed out
earlier keep working. The server outlives the process that started it:
``cityops warehouse stop`` stops it.

Every login needs a password (``scram-sha-256``): other users of a shared host can reach
127.0.0.1 too. The passwords of the superuser and of the project's roles are generated on
the first start and kept in ``CITYOPS_HOME/warehouse-credentials.json`` (mode 0600); a
cluster made by an earlier version with ``trust`` is moved to passwords on its next start.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

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


#: Logins of the embedded cluster whose passwords are generated on its first start.
EMBEDDED_LOGINS = (
    "postgres",
    "cityops_loader",
    "cityops_transformer",
    "cityops_bi",
    "cityops_exporter",
)

_HBA = """\
# Written by cityops: every login needs its password (the credentials file, mode 0600).
# TYPE  DATABASE  USER  ADDRESS       METHOD
host    all       all   127.0.0.1/32  scram-sha-256
host    all       all   ::1/128       scram-sha-256
"""


class EmbeddedServer:
    """A PostgreSQL cluster in ``pgdata``, started and stopped with ``pg_ctl``."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata
        self.logfile = pgdata.parent / "pgdata.log"
        self.credentials_file = pgdata.parent / "warehouse-credentials.json"
        self._port_file = pgdata.parent / "pgdata.port"

    # -- credentials -------------------------------------------------------------
    def credentials(self) -> dict[str, str]:
        """Login -> password of this cluster, generated (and kept 0600) the first time."""
        try:
            known = json.loads(self.credentials_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            known = {}
        missing = [login for login in EMBEDDED_LOGINS if login not in known]
        if missing:
            known.update({login: secrets.token_urlsafe(24) for login in missing})
            self.credentials_file.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(known, f, indent=2)
        os.chmod(self.credentials_file, 0o600)
        return known

    def url(self, database: str = DATABASE, *, login: str = "postgres") -> str:
        """The URL of a login of the running server, password included."""
        port = self.port()
        if port is None:
            raise WarehouseError(
                "the embedded warehouse is not running: run `cityops warehouse start`"
            )
        password = quote(self.credentials()[login], safe="")
        return f"postgresql://{login}:{password}@127.0.0.1:{port}/{database}"

    def _uses_passwords(self) -> bool:
        hba = self.pgdata / "pg_hba.conf"
        return hba.exists() and hba.read_text(encoding="utf-8", errors="replace") == _HBA

    def _require_passwords(self, port: int) -> None:
        """Move a cluster that trusts local logins (an earlier version's) to passwords."""
        if self._uses_passwords():
            return
        password = self.credentials()["postgres"]
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True
        ) as conn:
            conn.execute(
                sql.SQL("alter role postgres with password {}").format(sql.Literal(password))
            )
            (self.pgdata / "pg_hba.conf").write_text(_HBA, encoding="utf-8")
            conn.execute("select pg_reload_conf()")

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
            self._initdb(kwargs)
        port = self._port()
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
        self._port_file.write_text(str(port), encoding="utf-8")
        self._require_passwords(port)
        return port

    def _initdb(self, kwargs: dict[str, str]) -> None:
        password = self.credentials()["postgres"]
        with tempfile.TemporaryDirectory(prefix="cityops-initdb-") as tmp:
            pwfile = Path(tmp) / "pw"
            pwfile.write_text(password + "\n", encoding="utf-8")
            pwfile.chmod(0o600)
            if kwargs:  # initdb runs as the unprivileged server user: let it read the file
                import pwd

                entry = pwd.getpwnam(_RUN_AS)
                os.chown(tmp, entry.pw_uid, entry.pw_gid)
                os.chown(pwfile, entry.pw_uid, entry.pw_gid)
            subprocess.run(
                [
                    str(_pg_bin("initdb")),
                    "-D",
                    str(self.pgdata),
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
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
        (self.pgdata / "pg_hba.conf").write_text(_HBA, encoding="utf-8")

    def _port(self) -> int:
        """The port of the last start while it is free, else a free one."""
        with contextlib.suppress(FileNotFoundError, ValueError, OSError):
            last = int(self._port_file.read_text(encoding="utf-8"))
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                # as PostgreSQL binds: closed connections in TIME_WAIT do not hold the port
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", last))
            return last
        return _free_port()

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


@contextlib.contextmanager
def scratch_database(base_url: str, prefix: str = "cityops_scratch") -> Iterator[str]:
    """A new, bootstrapped, empty database on ``base_url``'s server, dropped afterwards
    (tests and benchmarks)."""
    name = f"{prefix}_{secrets.token_hex(5)}"
    admin = with_database(base_url, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    url = with_database(base_url, name)
    try:
        bootstrap(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
            )


def warehouse_url(settings: Settings | None = None, *, start: bool = True) -> str:
    """The warehouse's connection URL, starting the embedded server when needed."""
    settings = settings or get_settings()
    if settings.warehouse_url:
        return settings.warehouse_url
    server = embedded_server(settings)
    if start:
        server.start()
    url = server.url(DATABASE)
    if start:
        ensure_database(url)
    return url


def generated_passwords(settings: Settings | None = None) -> dict[str, str]:
    """Step -> password of the project's roles on the embedded cluster (none for a server
    of your own: there ``CITYOPS_<ROLE>_PASSWORD`` sets them)."""
    from .roles import ROLES

    settings = settings or get_settings()
    server = embedded_server(settings)
    if not server.credentials_file.exists():
        return {}
    known = server.credentials()
    return {step: known[role] for step, role in ROLES.items() if role in known}


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
        set_passwords(conn, extra=generated_passwords() if _is_embedded(url) else None)


def _is_embedded(url: str) -> bool:
    """Whether ``url`` points at this state folder's embedded server."""
    server = embedded_server()
    port = server.port()
    parts = urlsplit(url)
    return port is not None and parts.hostname in ("127.0.0.1", "localhost") and parts.port == port
