"""What a hostile or careless user tries: rebuilding IDs from the marts, bad options,
links out of the landing area, formulas in names, markup in headers, two runs at once.

Each test here failed before the fix it guards.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from cityops.lock import StateFolderBusy, state_lock
from cityops.warehouse import EmbeddedServer

from .test_ingest import ledger, run
from .test_security import login

pytestmark = pytest.mark.integration

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def check_char(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def candidates(masked: str, birth: dt.date, gender: str | None, regions: set[str]) -> set[str]:
    """Every valid ID number consistent with what a BI reader sees of one person."""
    found = set()
    for region in regions:
        if masked[0] != region[0]:
            continue
        for seq in range(1000):
            if gender in ("男", "女") and (seq % 2 == 1) != (gender == "男"):
                continue
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            if check_char(first17) == masked[-1]:
                found.add(first17 + masked[-1])
    return found


@pytest.mark.slow
def test_no_id_number_can_be_rebuilt_from_what_bi_reads(pipeline) -> None:
    with psycopg.connect(pipeline) as owner:
        real = {
            r[0]: r[1]
            for r in owner.execute(
                "select person_key, id_number_normalised from intermediate.int_person_identity "
                "where id_number_normalised is not null"
            )
        }
        masked_columns = owner.execute(
            "select table_name from information_schema.columns "
            "where table_schema = 'marts' and column_name = 'id_number_masked'"
        ).fetchall()
    assert {t for (t,) in masked_columns} >= {"dim_person", "mart_graduate_assistance"}
    with login(pipeline, "cityops_bi") as bi:
        rows = bi.execute(
            "select person_key, id_number_masked, birth_date, gender, district_code "
            "from marts.dim_person where id_number_masked is not null and birth_date is not null"
        ).fetchall()
        rebuilt = bi.execute(
            "select person_key, replace(id_number_masked, '********', to_char(birth_date, 'YYYYMMDD')) "
            "from marts.dim_person where id_number_masked is not null and birth_date is not null"
        ).fetchall()
        graduates = bi.execute(
            "select person_key, id_number_masked, birth_date from marts.mart_graduate_assistance "
            "where id_number_masked is not null"
        ).fetchall()
    assert rows and graduates
    assert rebuilt and not [k for k, guess in rebuilt if real.get(k) == guess], (
        "the masked form next to the birth date is the ID number"
    )
    districts = {r[4] for r in rows if r[4]}
    fewest = None
    for key, masked, birth, gender, district in rows[:300]:
        regions = {district} if district else districts
        found = candidates(masked, birth, gender, regions | {real[key][:6]})
        assert real[key] in found, "the enumeration must include the true ID"
        fewest = len(found) if fewest is None else min(fewest, len(found))
    assert fewest is not None and fewest >= 10, f"a person's ID narrows to {fewest} candidates"
    for key, masked, birth in graduates:
        assert real[key] not in (masked, masked.replace("*" * 8, f"{birth:%Y%m%d}", 1))
        assert masked.count("*") == 16


def cityops(*args: str, env: dict[str, str] | None = None, timeout: float = 300):
    return subprocess.run(
        [sys.executable, "-m", "cityops", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def assert_readable_failure(result, needle: str, code: int | None = None) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    if code is not None:
        assert result.returncode == code, output
    assert "Traceback" not in output and "╭" not in output, output
    assert needle in output, output


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "--as-of", "15/10/2026"], "is not a date as YYYY-MM-DD"),
        (["run", "--as-of", "2026-02-30"], "is not a date as YYYY-MM-DD"),
        (["export", "--as-of", "notadate"], "is not a date as YYYY-MM-DD"),
        (["export", "--as-of", "../../etc"], "is not a date as YYYY-MM-DD"),
        (["generate", "--as-of", "２０２６-01-01"], "is not a date as YYYY-MM-DD"),
        (["generate", "--scale", "galaxy"], "scale must be one of"),
        (["ingest", "--landing", "/does/not/exist"], "does not exist"),
        (["run", "--landing", "/does/not/exist"], "does not exist"),
        (["ingest", "--source", "nosuch"], "unknown source"),
        (["warehouse", "street-account", "999999"], "not a street code"),
        (["warehouse", "street-account", "310101999"], "no street has the code"),
        (["graduates", "--full-ids"], "needs a reason"),
        (["shops", "publish", "--base-url", "ftp://x/shops"], "--base-url must be"),
        (["shops", "worklist", "--top", "0"], "Invalid value"),
        (["no-such-command"], "No such command"),
    ],
)
def test_cli_errors_are_a_readable_line_and_a_non_zero_exit(args, needle, warehouse_url) -> None:
    assert_readable_failure(cityops(*args), needle)


def test_an_unreachable_warehouse_or_a_bad_setting_is_said_not_raised(tmp_path) -> None:
    unreachable = {"WAREHOUSE_URL": "postgresql://postgres@127.0.0.1:9/cityops"}
    assert_readable_failure(cityops("export", env=unreachable), "cannot be reached", 1)
    assert_readable_failure(
        cityops("warehouse", "status", env={"CITYOPS_DBT_THREADS": "many"}), "is not a number"
    )


def test_dbt_help_is_dbts_own() -> None:
    result = cityops("dbt", "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage" in result.stdout and "build" in result.stdout


def test_export_with_a_bad_date_writes_nothing(pipeline, tmp_path) -> None:
    from cityops.exports import write_exports

    with psycopg.connect(pipeline) as conn:
        before = conn.execute("select count(*) from ops.exports").fetchone()[0]
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        write_exports(pipeline, tmp_path / "exports", "notadate")
    assert not any((tmp_path / "exports").rglob("*.csv"))
    with psycopg.connect(pipeline) as conn:
        assert conn.execute("select count(*) from ops.exports").fetchone()[0] == before


def test_an_export_that_cannot_be_audited_is_never_published(pipeline, tmp_path) -> None:
    from cityops.exports import marts_as_of, write_exports

    root = tmp_path / "exports"
    reads = (
        "select count(*) from ops.audit_log where action = 'read_full_ids' "
        "and detail->>'reason' like 'scheduled matching export%%'"
    )
    with psycopg.connect(pipeline, autocommit=True) as conn:
        before = conn.execute(reads).fetchone()[0]
        conn.execute(
            "create function ops.refuse_export() returns trigger language plpgsql as "
            "$$ begin raise exception 'audit store unavailable'; end $$"
        )
        conn.execute(
            "create trigger refuse before insert on ops.exports "
            "for each row execute function ops.refuse_export()"
        )
        try:
            with pytest.raises(psycopg.Error, match="audit store unavailable"):
                write_exports(pipeline, root, marts_as_of(pipeline))
        finally:
            conn.execute("drop trigger refuse on ops.exports")
            conn.execute("drop function ops.refuse_export()")
        after = conn.execute(reads).fetchone()[0]
    assert not any(root.rglob("*.csv")) and not any(root.rglob("*.xlsx")), "nothing published"
    assert [p.name for p in root.iterdir()] == [], "no staging folder left behind"
    assert after == before, "the audited read rolled back with the export"


def test_csv_exports_escape_spreadsheet_formulas() -> None:
    import csv
    import io

    from cityops.fileio import csv_bytes

    hostile = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1+1", "-2+3", "\tx", "\rx"]
    data = csv_bytes(["姓名", "n"], [[v, -3] for v in hostile] + [["-1.5", "张三"]])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
    assert [r[0] for r in rows[:-1]] == ["'" + v for v in hostile]
    assert rows[-1] == ["-1.5", "张三"], "plain numbers and names are left alone"
    assert all(r[1] == "-3" for r in rows[:-1])


def _population(landing: Path, day: str, name: str = "persons_20261001.csv") -> Path:
    path = landing / "population" / day / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "身份证号,姓名,性别,出生日期,户号,与户主关系,区划代码,街道,户籍地址,人口状态,更新时间\n"
        "310104199001011237,张三,男,19900101,H1,户主,310104,徐家汇街道,上海市徐汇区1号,正常,2026-10-01 08:00:00\n",
        encoding="utf-8",
    )
    return path


def test_links_and_paths_out_of_the_landing_area_are_refused_unopened(fresh_url, tmp_path) -> None:
    from ingest.discover import discover
    from ingest.sources import get_source

    landing, elsewhere = tmp_path / "landing", tmp_path / "elsewhere"
    outside = _population(elsewhere, "2026-10-01")
    day = landing / "population" / "2026-10-02"
    day.mkdir(parents=True)
    (day / "persons_20261002.csv").symlink_to(outside)
    (day / "persons_20261003.csv").symlink_to("/etc/passwd")
    (landing / "population" / "2026-10-03").symlink_to(outside.parent)
    found = discover(landing, get_source("population"))
    assert found.deliveries == []
    reasons = "\n".join(found.ignored)
    assert reasons.count("symbolic link") == 3, reasons
    summary = run(fresh_url, "population", landing, tmp_path)
    assert summary.files == [] and ledger(fresh_url, "population") == []
    assert not (tmp_path / "quarantine").exists()
    assert outside.exists(), "nothing outside the landing area is touched"


def test_file_names_and_day_folders_match_in_ascii_digits_only(tmp_path) -> None:
    from ingest.discover import discover
    from ingest.sources import get_source

    assert not get_source("employment").entities[0].matches("insurance_２０２６１０.csv")
    assert get_source("employment").entities[0].matches("insurance_202610.csv")
    landing = tmp_path / "landing"
    for day in ("20261021", "2026-W43-3", "２０２６-10-21", "2026-10-21"):
        _population(landing, day)
    found = discover(landing, get_source("population"))
    assert [d.delivered_on.isoformat() for d in found.deliveries] == ["2026-10-21"]
    assert len([i for i in found.ignored if "not a delivery date" in i]) == 3


def test_markup_in_a_departments_header_is_printed_as_text(warehouse_url, tmp_path) -> None:
    landing = tmp_path / "landing"
    path = landing / "population" / "2026-10-01" / "persons_20261001.csv"
    path.parent.mkdir(parents=True)
    path.write_text("身份证号,[/]姓名[bold]\n310104199001011237,张三\n", encoding="utf-8")
    result = cityops("ingest", "--source", "population", "--landing", str(landing), timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "MarkupError" not in output
    assert "Found: 身份证号, [/]姓名[bold]" in output, "the header is printed as it was sent"
    assert output.rstrip().splitlines()[-1].startswith("failed: ingest DAG(s) of population")


def test_a_second_command_on_a_busy_state_folder_waits_or_says_so(tmp_path) -> None:
    from cityops.settings import get_settings

    lock = get_settings().lock_file
    with state_lock(lock, "run", wait=0):
        result = cityops("run", "--as-of", "2026-11-24", env={"CITYOPS_LOCK_WAIT": "0"})
        assert_readable_failure(result, "`cityops run`", 1)
        assert "is using" in result.stderr
        with pytest.raises(StateFolderBusy), state_lock(lock, "export", wait=0.2, poll=0.05):
            pass
    with state_lock(lock, "export", wait=0):  # released when its holder is done
        pass


def test_run_fails_when_an_ingest_dag_fails(monkeypatch) -> None:
    from cityops import airflow_env, report
    from cityops.cli import pipeline as cli

    class Run:
        run_id = "manual__test"

    def fake_run_dag(dag_id: str, conf: dict) -> Run:
        if dag_id.startswith("ingest_"):
            raise airflow_env.DagRunFailed(dag_id, "failed", ["ingest"], Run())
        return Run()

    found = type("Found", (), {"deliveries": ["one"], "ignored": []})()
    monkeypatch.setattr(cli, "_prepare_airflow", lambda: "postgresql://unused")
    monkeypatch.setattr(airflow_env, "run_dag", fake_run_dag)
    monkeypatch.setattr("ingest.pipeline.pending", lambda url, source, folder: found)
    monkeypatch.setattr(cli, "_ledger_table", lambda url, ids: ("", 0))
    monkeypatch.setattr(report, "print_summary", lambda *a: None)
    monkeypatch.setattr(report, "write_report", lambda *a: "report.html")
    said: list[str] = []
    monkeypatch.setattr(
        cli, "say", lambda label, message, style="": said.append(f"{label} {message}")
    )
    assert cli._run_pipeline(None, "2026-11-24", ["billboards"]) == 1
    assert any("ingest DAG(s) failed: billboards" in line for line in said), said


def test_the_embedded_server_needs_passwords_and_keeps_them_private(tmp_path) -> None:
    server = EmbeddedServer(tmp_path / "pgdata")
    port = server.start()
    try:
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres").close()
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(f"postgresql://postgres:guess@127.0.0.1:{port}/postgres").close()
        with psycopg.connect(server.url("postgres")) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        assert server.credentials_file.stat().st_mode & 0o777 == 0o600
        assert set(server.credentials()) >= {"postgres", "cityops_bi", "cityops_loader"}
    finally:
        server.stop()
    assert server.start() == port, "a restart keeps its port: URLs handed out stay valid"
    server.stop()


def test_a_cluster_that_trusted_local_logins_is_moved_to_passwords(tmp_path) -> None:
    server = EmbeddedServer(tmp_path / "pgdata")
    server.start()
    server.stop()
    hba = server.pgdata / "pg_hba.conf"
    hba.write_text("host all all 127.0.0.1/32 trust\n", encoding="utf-8")  # an earlier version's
    port = server.start()
    try:
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres").close()
        with psycopg.connect(server.url("postgres")) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    finally:
        server.stop()
