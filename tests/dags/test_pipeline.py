"""The whole pipeline through the real DAGs on a tiny city: ingest -> transform (cosmos)
-> exports, checked against the generator's ground truth (the ``pipeline`` fixture runs
``cityops run`` in its own process; see conftest)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import stat
from pathlib import Path

import psycopg
import pytest

from cityops import evaluation
from cityops.settings import get_settings

from ..helpers import headless_chromium

pytestmark = [pytest.mark.integration, pytest.mark.slow]
AS_OF = "2026-11-24"
ID_PATTERN = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def test_graduate_list_matches_the_truth_exactly(pipeline, tiny_city) -> None:
    score = evaluation.graduates(pipeline, tiny_city / "truth", get_settings().hmac_key)
    assert score.expected > 0
    assert (score.precision, score.recall) == (1.0, 1.0), score


def test_billboard_alerts_match_the_truth(pipeline, tiny_city) -> None:
    score = evaluation.billboard_alerts(pipeline, tiny_city / "truth")
    assert score.expected > 0 and (score.precision, score.recall) == (1.0, 1.0), score


def test_people_and_buildings_resolve(pipeline, tiny_city) -> None:
    people = evaluation.person_resolution(pipeline, tiny_city / "truth", get_settings().hmac_key)
    assert people.precision >= 0.995 and people.recall >= 0.99, people
    links = evaluation.building_linkage(pipeline, tiny_city / "truth")
    assert links.wrong == 0 and links.linked_correctly_share >= 0.99, links


def test_every_building_is_scored_with_factors_and_actions(pipeline) -> None:
    with psycopg.connect(pipeline) as conn:
        rows = conn.execute(
            "select risk_tier, risk_score, top_factor_1, recommended_action, is_hard_rule_override, "
            "action_deadline_hours from marts.mart_facade_risk"
        ).fetchall()
        buildings = conn.execute(
            "select count(*) from marts.dim_building where building_code <> 'UNKNOWN'"
        ).fetchone()[0]
        columns = {
            r[0]
            for r in conn.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name = 'mart_facade_risk'"
            ).fetchall()
        }
    assert len(rows) == buildings == 60
    assert all(
        0 <= float(r[1]) <= 100 and r[0] in ("red", "orange", "yellow", "green") for r in rows
    )
    assert all(r[2] for r in rows if float(r[1]) > 0)
    assert all(
        r[3] == "emergency: remove, fence off, warn within 24 h" and r[5] == 24
        for r in rows
        if r[4]
    )
    assert len([c for c in columns if c.endswith("_norm")]) == 30


def test_marts_hold_no_raw_id_numbers(pipeline) -> None:
    with psycopg.connect(pipeline) as conn:
        text_columns = conn.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and data_type in ('text', 'character varying')"
        ).fetchall()
        for table, column in text_columns:
            hits = conn.execute(
                f'select count(*) from marts."{table}" '
                f"where \"{column}\" ~ '(^|[^0-9a-fA-F])[0-9]{{17}}[0-9Xx]([^0-9a-fA-F]|$)' "
                # a credit code may be all digits too: one that passes both its checks is a code
                f'and staging.uscc_normalised("{column}") is distinct from "{column}"'
            ).fetchone()[0]
            assert hits == 0, f"marts.{table}.{column} holds ID numbers"
        masked = conn.execute(
            "select id_number_masked from marts.dim_person where is_registered limit 1"
        ).fetchone()[0]
    assert re.fullmatch(r"[0-9]\*{16}[0-9X]", masked)


def test_the_dbt_privacy_test_fails_a_mart_that_holds_an_id_number(pipeline) -> None:
    from cityops.dbt import DbtFailed, run_dbt

    select = ["test", "--select", "dim_weather_station,test_name:no_raw_id_numbers"]
    run_dbt(select, pipeline, as_of=AS_OF, quiet=True)  # as built: passes
    with psycopg.connect(pipeline, autocommit=True) as conn:
        station, name = conn.execute(
            "select station_id, station_name from marts.dim_weather_station limit 1"
        ).fetchone()
        conn.execute(
            "update marts.dim_weather_station set station_name = %s where station_id = %s",
            (f"{name} 31010119900307123X", station),
        )
        try:
            with pytest.raises(DbtFailed, match="no_raw_id_numbers_dim_weather_station"):
                run_dbt(select, pipeline, as_of=AS_OF, quiet=True)
        finally:
            conn.execute(
                "update marts.dim_weather_station set station_name = %s where station_id = %s",
                (name, station),
            )


def _unique_key_indexes(conn: psycopg.Connection, table: str) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "select i.relname from pg_index x "
            "join pg_class i on i.oid = x.indexrelid "
            "join pg_attribute a on a.attrelid = x.indrelid and a.attnum = x.indkey[0] "
            "where x.indrelid = %s::regclass and x.indisunique and x.indnatts = 1 "
            "and a.attname = 'person_key'",
            (table,),
        )
    ]


def test_person_tables_are_unique_on_person_key_by_index(pipeline) -> None:
    """The 25 M-row person tables hold their grain with a unique index, not a `unique` test."""
    with psycopg.connect(pipeline) as conn:
        for table in (
            "intermediate.int_person_registry",
            "intermediate.int_person_identity",
            "marts.dim_person",
        ):
            assert _unique_key_indexes(conn, table), f"{table} has no unique index on person_key"


def test_a_duplicate_person_key_fails_the_person_build_and_keeps_the_last_table(
    pipeline,
) -> None:
    """dim_person's uniqueness is its unique index (no `unique` test scans its 25 M keys)."""
    from cityops.dbt import DbtFailed, run_dbt

    registry = "intermediate.int_person_registry"
    with psycopg.connect(pipeline, autocommit=True) as conn:
        persons = conn.execute("select count(*) from marts.dim_person").fetchone()[0]
        conn.execute(
            f"create table intermediate.registry_before_duplicate as select * from {registry}"
        )
        # the registry's own index refuses the duplicate: lift it to feed dim_person one
        for name in _unique_key_indexes(conn, registry):
            conn.execute(f'drop index intermediate."{name}"')
        conn.execute(f"insert into {registry} select * from {registry} limit 1")
        try:
            with pytest.raises(DbtFailed, match="dim_person"):
                run_dbt(["run", "--select", "dim_person"], pipeline, as_of=AS_OF, quiet=True)
            assert conn.execute("select count(*) from marts.dim_person").fetchone()[0] == persons
        finally:
            conn.execute(f"truncate {registry}")
            conn.execute(
                f"insert into {registry} select * from intermediate.registry_before_duplicate"
            )
            conn.execute("drop table intermediate.registry_before_duplicate")
            conn.execute(f"create unique index on {registry} (person_key)")


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_exports_per_street_with_manifest_permissions_and_audit(pipeline, tiny_city) -> None:
    root = get_settings().exports / AS_OF
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["as_of"] == AS_OF
    truth = list(
        csv.DictReader((tiny_city / "truth" / "eligible_graduates.csv").open(encoding="utf-8"))
    )
    assert manifest["totals"]["graduate_assistance"] == len(truth)
    exported_ids = set()
    for f in manifest["files"]:
        path = root / f["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == f["sha256"]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        if f["file"].startswith("graduate_assistance/") and f["file"].endswith(".csv"):
            rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
            assert len(rows) == f["rows"] and "身份证号" in rows[0]
            exported_ids |= {r["身份证号"] for r in rows}
    assert exported_ids == {r["id_number"] for r in truth}, (
        "the authorised export carries the full IDs"
    )
    assert any(
        f["file"].startswith("facade_risk/") and f["file"].endswith(".xlsx")
        for f in manifest["files"]
    )
    with psycopg.connect(pipeline) as conn:
        audited = conn.execute(
            "select count(*), bool_or(has_full_ids) from ops.exports where as_of = %s", (AS_OF,)
        ).fetchone()
    assert audited == (len(manifest["files"]), True)


def test_exports_rewrite_identically(pipeline) -> None:
    from cityops.exports import write_exports

    root = get_settings().exports / AS_OF
    before = _files(root)
    write_exports(pipeline, get_settings().exports, AS_OF)
    assert _files(root) == before


def test_run_report_renders_in_headless_chromium(pipeline, tmp_path) -> None:
    from cityops.report import write_report

    page = write_report(pipeline, AS_OF)
    text = page.read_text(encoding="utf-8")
    for section in ("tiers", "scores", "map", "sla", "quality"):
        assert f'id="{section}"' in text
    shot = tmp_path / "report.png"
    dom = headless_chromium(page.as_uri(), tmp_path, screenshot=shot)
    assert shot.stat().st_size > 20_000, "the screenshot is blank"
    assert dom.count("<svg") >= 3 and "CityOps run report" in dom


def test_a_run_prints_progress_and_summary_not_library_noise(pipeline_run) -> None:
    output = pipeline_run.output
    assert "Compiled sql path" not in output
    assert "Unavailable conversion function" not in output
    assert "ingestion (this run)" in output and "run report:" in output


def _lineage_events() -> list[dict]:
    path = get_settings().lineage_file
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _datasets(events: list[dict], job: str, side: str) -> set[str]:
    from urllib.parse import unquote

    return {
        unquote(d["name"])
        for e in events
        if e.get("eventType") == "COMPLETE" and e.get("job", {}).get("name") == job
        for d in e.get(side, [])
    }


def test_lineage_names_each_raw_table_model_and_export(pipeline) -> None:
    """The run's OpenLineage events (the default file transport) name every raw table an
    ingest wrote, every model the build wrote with its inputs, and every export file."""
    from cityops.warehouse import database_name

    db = database_name(pipeline)
    events = [e for e in _lineage_events() if db in json.dumps(e, ensure_ascii=False)]
    assert events, "no lineage events for the pipeline's database"
    with psycopg.connect(pipeline) as conn:
        loaded = conn.execute(
            "select distinct source, entity, source_file from ops.load_batches "
            "where status = 'loaded'"
        ).fetchall()
        exports = {r[0] for r in conn.execute("select file_path from ops.exports")}
    for source, entity, source_file in loaded:
        job = f"ingest_{source}.load_new_deliveries"
        assert f"{db}.raw.{source}__{entity}" in _datasets(events, job, "outputs"), job
        day = Path(source_file).parent  # the delivery folder
        assert any(
            name.endswith(f"/{day.parent.name}/{day.name}")
            for name in _datasets(events, job, "inputs")
        ), (
            job,
            source_file,
        )
    manifest = json.loads(get_settings().dbt_manifest.read_text(encoding="utf-8"))
    models = {
        f"{db}.{n['schema']}.{n['alias'] or n['name']}"
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model"
    }
    built = _datasets(events, "transform.dbt_producer_watcher", "outputs")
    assert models <= built, sorted(models - built)
    inputs = _datasets(events, "transform.dbt_producer_watcher", "inputs")
    assert {f"{db}.raw.{s}__{e}" for s, e, _ in loaded} <= inputs
    written = _datasets(events, "export_matching.write_street_exports", "outputs")
    assert exports and exports <= written, sorted(exports - written)[:3]
    assert f"{db}.marts.mart_graduate_assistance" in _datasets(
        events, "export_matching.write_street_exports", "inputs"
    )
