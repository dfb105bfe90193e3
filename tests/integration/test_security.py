"""Least privilege, row-level security, audit and secrets, proved by logging in as each role.

Runs against the warehouse the real pipeline filled (``pipeline_run``): the grants and
policies under test are the ones the bootstrap and the dbt models install.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import errors

from cityops.roles import ROLES, create_street_account, role_url

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")


def login(url: str, role: str, password: str | None = None) -> psycopg.Connection:
    """Connect as ``role`` itself: with its password on the embedded server (generated for
    the project's roles), as a trusted local login on CI's server."""
    from cityops.warehouse import generated_passwords

    if password is None:
        step = next((s for s, r in ROLES.items() if r == role), None)
        password = generated_passwords().get(step) if step else None
    parts = urlsplit(url)
    user = f"{role}:{quote(password, safe='')}" if password else role
    netloc = f"{user}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return psycopg.connect(urlunsplit((parts.scheme, netloc, parts.path, "", "")), autocommit=True)


def true_id_numbers(city: Path) -> set[str]:
    """Every real ID number of a generated city: its persons', its shop operators' and its
    enterprises' legal representatives'."""
    with open(city / "truth" / "person_records.csv", encoding="utf-8") as f:
        ids = {r["true_id_number"] for r in csv.DictReader(f)}
    with open(city / "truth" / "shops.csv", encoding="utf-8") as f:
        ids |= {r["operator_id_number"] for r in csv.DictReader(f)}
    with open(city / "truth" / "enterprises.csv", encoding="utf-8") as f:
        ids |= {r["legal_rep_id_number"] for r in csv.DictReader(f)}
    return ids


def can(conn: psycopg.Connection, statement: str) -> bool:
    try:
        with conn.transaction():
            conn.execute(statement)
            raise _Rollback
    except _Rollback:
        return True
    except errors.InsufficientPrivilege:
        return False


class _Rollback(Exception):
    pass


def a_table(conn: psycopg.Connection, schema: str) -> str:
    row = conn.execute(
        "select format('%%I.%%I', table_schema, table_name) from information_schema.tables "
        "where table_schema = %s order by table_name limit 1",
        (schema,),
    ).fetchone()
    assert row, f"no table in {schema}"
    return row[0]


@pytest.fixture(scope="module")
def tables(pipeline) -> dict[str, str]:
    with psycopg.connect(pipeline) as conn:
        schemas = ("raw", "raw_batches", "staging", "intermediate", "marts", "ops")
        return {s: a_table(conn, s) for s in schemas} | {"secret": "ops.person_key_secret"}


def test_bootstrap_creates_every_role(pipeline) -> None:
    with psycopg.connect(pipeline) as conn:
        found = {
            r[0]
            for r in conn.execute("select rolname from pg_roles where rolname like 'cityops_%'")
        }
    assert set(ROLES.values()) | {"cityops_street"} <= found


def test_bi_reads_marts_and_nothing_else(pipeline, tables) -> None:
    with login(pipeline, "cityops_bi") as bi:
        assert can(bi, "select * from marts.mart_facade_risk limit 1")
        assert can(bi, "select * from marts.dim_person limit 1")
        for schema in ("raw", "raw_batches", "staging", "intermediate", "ops", "secret"):
            assert not can(bi, f"select * from {tables[schema]} limit 1"), schema
        assert not can(
            bi, "insert into marts.dim_weather_station select * from marts.dim_weather_station"
        )
        assert not can(bi, "create table marts.mine (x int)")
        assert not can(bi, "select ops.person_key('310104199001011234')")
        assert not can(bi, "select * from ops.graduate_ids('curious')")


def test_nothing_bi_can_read_holds_an_id_number(pipeline, tiny_city) -> None:
    """Every column of every relation cityops_bi may select, scanned for real ID numbers."""
    true_ids = true_id_numbers(tiny_city)
    with login(pipeline, "cityops_bi") as bi:
        readable = bi.execute(
            "select c.table_schema, c.table_name, c.column_name from information_schema.columns as c "
            "where c.table_schema not in ('pg_catalog', 'information_schema') "
            "and has_column_privilege(format('%I.%I', c.table_schema, c.table_name), c.column_name, 'select') "
            "and c.data_type in ('text', 'character varying', 'character', 'jsonb', 'json', 'ARRAY')"
        ).fetchall()
        assert {s for s, _, _ in readable} == {"marts"}
        scanned = 0
        for schema, table, column in readable:
            values = bi.execute(f'select "{column}"::text from "{schema}"."{table}"').fetchall()
            scanned += len(values)
            leaked = {m for (v,) in values if v for m in ID_PATTERN.findall(v)} & true_ids
            assert not leaked, f"{schema}.{table}.{column} holds ID numbers"
    assert scanned > 1000


def test_loader_writes_raw_and_the_ledger_only(pipeline, tables) -> None:
    with login(pipeline, "cityops_loader") as loader:
        assert can(loader, f"select * from {tables['raw']} limit 1")
        assert can(
            loader,
            "insert into ops.load_batches (source, entity, source_file, delivered_on, file_sha256, "
            "file_bytes, status) values ('x', 'x', 'x', current_date, 'x', 0, 'loading')",
        )
        assert can(loader, "create table raw.scratch (x int)")
        for schema in ("staging", "intermediate", "marts", "secret"):
            assert not can(loader, f"select * from {tables[schema]} limit 1"), schema
        assert not can(loader, "select * from ops.exports")
        assert not can(loader, "create table marts.mine (x int)")


def test_transformer_reads_raw_but_cannot_change_it(pipeline, tables) -> None:
    with login(pipeline, "cityops_transformer") as transformer:
        assert can(transformer, f"select * from {tables['raw']} limit 1")
        assert can(transformer, "select ops.person_key('310104199001011234')")
        assert can(transformer, "create table marts.scratch (x int)")
        assert not can(transformer, f"delete from {tables['raw']}")
        assert not can(transformer, f"delete from {tables['raw_batches']}")  # one file's rows
        assert not can(transformer, "update ops.load_batches set status = 'refused'")
        assert not can(transformer, "delete from ops.audit_log")


def test_exporter_reads_full_ids_only_through_the_audited_function(pipeline, tables) -> None:
    with login(pipeline, "cityops_exporter") as exporter:
        assert can(exporter, "select * from marts.mart_graduate_assistance limit 1")
        assert not can(exporter, "select * from intermediate.int_person_identity limit 1")
        assert not can(exporter, f"select * from {tables['raw']} limit 1")
        assert not can(exporter, f"select * from {tables['raw_batches']} limit 1")
        assert not can(exporter, "delete from ops.audit_log")
        assert not can(exporter, "update ops.exports set row_count = 0")
        with pytest.raises(errors.RaiseException, match="needs a reason"):
            exporter.execute("select * from ops.graduate_ids('')")
        before = exporter.execute(
            "select count(*) from ops.graduate_ids('count check') as g"
        ).fetchone()[0]
    assert before > 0
    with psycopg.connect(pipeline) as conn:
        audit = conn.execute(
            "select detail from ops.audit_log where action = 'read_full_ids' "
            "and detail->>'reason' = 'count check'"
        ).fetchall()
    assert [a[0]["rows"] for a in audit] == [before]
    assert audit[0][0]["session_user"] == "cityops_exporter"


def test_street_account_sees_only_its_street(pipeline) -> None:
    with psycopg.connect(pipeline, autocommit=True) as conn:
        street, graduates, buildings = conn.execute(
            "select g.street_code, count(distinct g.person_key), "
            "(select count(*) from marts.mart_facade_risk as f where f.street_code = g.street_code) "
            "from marts.mart_graduate_assistance as g where g.street_code is not null "
            "group by g.street_code order by count(*) desc limit 1"
        ).fetchone()
        totals = conn.execute(
            "select (select count(*) from marts.mart_graduate_assistance), "
            "(select count(*) from marts.mart_facade_risk)"
        ).fetchone()
        role = create_street_account(conn, street, "street-test-password")
        create_street_account(conn, street, "street-test-password")  # idempotent
    assert totals[0] > graduates, "the tiny city should have graduates in several streets"
    with login(pipeline, role, "street-test-password") as account:
        seen = account.execute(
            "select count(*), count(distinct street_code) from marts.mart_graduate_assistance"
        ).fetchone()
        assert seen == (graduates, 1)
        facades = account.execute(
            "select count(*), count(*) filter (where street_code <> %s) from marts.mart_facade_risk",
            (street,),
        ).fetchone()
        assert facades == (buildings, 0)
        # Setting another street does not widen what a street account sees.
        account.execute("set cityops.street = '000000000'")
        assert (
            account.execute("select count(*) from marts.mart_graduate_assistance").fetchone()[0]
            == graduates
        )
        assert not can(account, "select * from marts.dim_person limit 1")
    with login(pipeline, "cityops_bi") as bi:
        assert (
            bi.execute("select count(*) from marts.mart_graduate_assistance").fetchone()[0]
            == totals[0]
        )
        bi.execute("select set_config('cityops.street', %s, false)", (street,))
        assert (
            bi.execute("select count(*) from marts.mart_graduate_assistance").fetchone()[0]
            == graduates
        )


def test_pipeline_steps_run_as_their_roles(pipeline) -> None:
    with psycopg.connect(pipeline) as conn:
        owners = dict(
            conn.execute(
                "select n.nspname, string_agg(distinct pg_get_userbyid(c.relowner), ',') "
                "from pg_class as c inner join pg_namespace as n on n.oid = c.relnamespace "
                "where n.nspname in ('raw', 'raw_batches', 'staging', 'intermediate', 'marts') "
                "and c.relkind in ('r', 'p', 'v') group by n.nspname"
            ).fetchall()
        )
        exported_by = {
            r[0]
            for r in conn.execute(
                "select distinct detail->>'session_user' from ops.audit_log "
                "where detail->>'reason' like 'scheduled matching export%'"
            )
        }
    assert owners == {
        "raw": "cityops_loader",
        "raw_batches": "cityops_loader",
        "staging": "cityops_transformer",
        "intermediate": "cityops_transformer",
        "marts": "cityops_transformer",
    }
    assert exported_by, "the export read the full IDs through ops.graduate_ids()"
    with psycopg.connect(role_url(pipeline, "bi")) as conn:
        assert conn.execute("select current_user").fetchone()[0] == "cityops_bi"


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cityops", *args],
        env=dict(os.environ, COLUMNS="400", **(env or {})),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_full_id_reads_need_a_reason_and_are_audited(pipeline, tmp_path: Path) -> None:
    env = {"WAREHOUSE_URL": pipeline, "CITYOPS_ACTOR": "auditor-alice"}
    masked = _cli("graduates", env=env)
    assert masked.returncode == 0, masked.stderr
    assert "****" in masked.stdout and not ID_PATTERN.search(masked.stdout)
    refused = _cli("graduates", "--full-ids", env=env)
    assert refused.returncode == 2 and "reason" in refused.stderr
    out = tmp_path / "list.csv"
    done = _cli("graduates", "--full-ids", "--reason", "case review 42", "--csv", str(out), env=env)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) > 1 and all(ID_PATTERN.fullmatch(r[0]) for r in rows[1:])
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    with psycopg.connect(pipeline) as conn:
        audit = conn.execute(
            "select actor, detail->>'rows' from ops.audit_log where detail->>'reason' = 'case review 42'"
        ).fetchall()
    assert audit == [("auditor-alice", str(len(rows) - 1))]


def test_production_refuses_the_development_key() -> None:
    env = dict(os.environ, CITYOPS_ENV="production")
    env.pop("CITYOPS_HMAC_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "cityops", "warehouse", "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "CITYOPS_HMAC_KEY" in result.stderr


def test_logs_of_a_full_run_hold_no_id_number(pipeline_run, tiny_city) -> None:
    """What the run printed, and every log file it wrote, searched for the city's real IDs."""
    from cityops.settings import get_settings

    true_ids = true_id_numbers(tiny_city)
    texts = {"run output": pipeline_run.output}
    for path in get_settings().home.rglob("*.log"):
        texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    assert len(pipeline_run.output) > 1000 and len(texts) > 1
    for where, text in texts.items():
        leaked = set(ID_PATTERN.findall(text)) & true_ids
        assert not leaked, f"{where} shows {len(leaked)} ID number(s), e.g. {sorted(leaked)[:1]}"
