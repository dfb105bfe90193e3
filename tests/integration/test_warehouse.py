import socket
import subprocess
import sys

import psycopg
import pytest

from cityops.warehouse import SCHEMAS, EmbeddedServer, bootstrap

pytestmark = pytest.mark.integration


def test_bootstrap_is_idempotent(warehouse_url: str, db: psycopg.Connection) -> None:
    bootstrap(warehouse_url)
    bootstrap(warehouse_url)
    present = {r[0] for r in db.execute("select nspname from pg_namespace").fetchall()}
    assert set(SCHEMAS) <= present
    tables = {
        r[0]
        for r in db.execute(
            "select table_name from information_schema.tables where table_schema = 'ops'"
        ).fetchall()
    }
    assert {"load_batches", "rejected_rows", "exports", "audit_log"} <= tables


def test_bootstrap_gives_an_old_ledger_the_statuses_of_today(fresh_url: str) -> None:
    """A ledger from when 'failed' meant refused, deferred and interrupted is split on bootstrap."""
    with psycopg.connect(fresh_url, autocommit=True) as conn:
        conn.execute("alter table ops.load_batches drop constraint load_batches_status_check")
        conn.execute(
            "alter table ops.load_batches add constraint load_batches_status_check "
            "check (status in ('loading', 'loaded', 'failed', 'duplicate'))"
        )
        for name, errors, quarantine in (
            ("refused.csv", '[{"error": "critical expectation(s) failed"}]', "/q/refused.csv"),
            ("interrupted.csv", '[{"error": "interrupted: the load did not finish"}]', None),
            ("deferred.csv", '[{"error": "the file changed while it was being loaded"}]', None),
        ):
            conn.execute(
                "insert into ops.load_batches (source, entity, source_file, delivered_on, "
                "file_sha256, file_bytes, status, errors, quarantine_path) "
                "values ('weather', 'observations', %s, current_date, %s, 1, 'failed', %s, %s)",
                (name, name, errors, quarantine),
            )
    bootstrap(fresh_url)
    with psycopg.connect(fresh_url) as conn:
        statuses = dict(conn.execute("select source_file, status from ops.load_batches"))
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("update ops.load_batches set status = 'failed'")
    assert statuses == {
        "refused.csv": "refused",
        "interrupted.csv": "interrupted",
        "deferred.csv": "deferred",
    }


def test_embedded_server_starts_on_tcp_is_reused_and_stops(tmp_path) -> None:
    server = EmbeddedServer(tmp_path / "pgdata")
    port = server.start()
    try:
        assert server.is_running()
        socket.create_connection(("127.0.0.1", port), 2).close()
        assert server.start() == port, "a running server is reused, not started twice"
        with psycopg.connect(server.url("postgres")) as conn:
            assert conn.execute("show server_version").fetchone()[0].startswith("16")
    finally:
        assert server.stop()
    assert not server.is_running()
    assert server.port() is None
    assert server.stop() is False
    # Data survive a restart.
    port = server.start()
    try:
        assert server.is_running()
    finally:
        server.stop()


def test_cli_reports_the_warehouse(warehouse_url: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cityops", "warehouse", "url"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == warehouse_url
