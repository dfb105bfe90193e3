"""A snapshot source's staging model reads the newest delivered snapshot, whatever the order
the files were loaded in (dbt_project/macros/deliveries.sql, latest_snapshot); the
registry's snapshots are diffed, and the diff ends where a full rebuild does
(dbt_project/macros/snapshot_diff.sql)."""

from __future__ import annotations

import shutil

import psycopg
import pytest

from cityops.dbt import run_dbt
from cityops.synth.next_snapshot import MonthlyChanges

from .test_ingest import count, run

pytestmark = pytest.mark.integration


def test_the_newest_delivered_snapshot_wins_even_when_loaded_first(
    tiny_city, fresh_url, tmp_path
) -> None:
    folders = sorted((tiny_city / "landing" / "housing").iterdir())
    assert len(folders) >= 2, "the tiny city delivers the buildings register more than once"
    newest, older = folders[-1], folders[0]
    landing = tmp_path / "landing"
    # the newest snapshot is loaded first, an older one after it (a late re-delivery): the
    # older one gets the higher batch id, and must still not replace the newest
    for folder in (newest, older):
        shutil.copytree(folder, landing / "housing" / folder.name)
        summary = run(fresh_url, "housing", landing, tmp_path)
        assert not summary.refused, summary.as_dict()

    with psycopg.connect(fresh_url) as conn:
        loaded = conn.execute(
            "select batch_id, delivered_on, rows_loaded from ops.load_batches "
            "where source = 'housing' and entity = 'buildings' and status = 'loaded' "
            "order by batch_id"
        ).fetchall()
    assert len(loaded) == 2
    (newest_batch, newest_on, newest_rows), (older_batch, older_on, _) = loaded
    assert newest_on > older_on and older_batch > newest_batch

    run_dbt(["run", "--select", "stg_housing__buildings"], fresh_url, quiet=True)
    with psycopg.connect(fresh_url) as conn:
        staged = conn.execute(
            "select batch_id, snapshot_on, count(*) from staging.stg_housing__buildings "
            "group by 1, 2"
        ).fetchall()
    assert staged == [(newest_batch, newest_on, newest_rows)]


PERSON_MODELS = ["stg_population__persons", "int_person_duplicate_ids", "int_person_registry"]
CURRENT_RECORDS = (
    "select id_number_normalised, id_number_problem, person_name, gender, birth_date,"
    " household_no, relation_to_head, district_code, street_name, address, registry_status,"
    " updated_at_text from staging.stg_population__persons where withdrawn_batch_id is null"
)
REGISTRY = "select * from intermediate.int_person_registry"


def _rows(url: str, sql: str, drop: tuple[str, ...] = ()) -> list[tuple]:
    with psycopg.connect(url) as conn:
        cur = conn.execute(sql)
        keep = [i for i, c in enumerate(cur.description) if c.name not in drop]
        return sorted(tuple(row[i] for i in keep) for row in cur.fetchall())


def test_a_new_registry_snapshot_is_diffed_and_matches_a_full_rebuild(
    tiny_city, fresh_url, tmp_path, monkeypatch
) -> None:
    import datetime as dt

    monkeypatch.setenv("CITYOPS_DIFF_REGISTRY_SNAPSHOTS", "1")

    from cityops.synth.next_snapshot import next_snapshot

    older, newer = sorted((tiny_city / "landing" / "population").iterdir())
    landing = tmp_path / "landing"
    shutil.copytree(older, landing / "population" / older.name)
    assert not run(fresh_url, "population", landing, tmp_path).refused
    run_dbt(["run", "--select", *PERSON_MODELS], fresh_url, quiet=True)

    # a year later, then a month after that (deaths, moves, removals, births)
    month_later = dt.date.fromisoformat(newer.name) + dt.timedelta(days=30)
    for step in ("year", "month"):
        if step == "year":
            shutil.copytree(newer, landing / "population" / newer.name)
        else:
            changes = next_snapshot(
                next(newer.glob("persons_*.csv")),
                landing / "population" / f"{month_later}" / f"persons_{month_later:%Y%m%d}.csv",
                month_later,
                changes=MonthlyChanges(status=0.01, address=0.02, removed=0.01, births=0.01),
            )
            assert all(changes.changed.values()), changes
        assert not run(fresh_url, "population", landing, tmp_path).refused
        run_dbt(["run", "--select", *PERSON_MODELS], fresh_url, quiet=True)

    with psycopg.connect(fresh_url) as conn:
        batches = [
            b
            for (b,) in conn.execute(
                "select batch_id from ops.load_batches where source = 'population' "
                "and status = 'loaded' order by batch_id"
            )
        ]
        staged = dict(
            conn.execute(
                "select batch_id, count(*) from staging.stg_population__persons "
                "where withdrawn_batch_id is null group by 1"
            ).fetchall()
        )
        withdrawn = dict(
            conn.execute(
                "select withdrawn_batch_id, count(*) from staging.stg_population__persons "
                "where withdrawn_batch_id is not null group by 1"
            ).fetchall()
        )
    assert len(batches) == 3
    # the last snapshot staged only what it changed: the rest are records staged before
    assert 0 < staged[batches[2]] < changes.records_out / 5 < sum(staged.values())
    assert sum(staged.values()) == changes.records_out
    assert set(withdrawn) == set(batches[1:])

    diffed = _rows(fresh_url, CURRENT_RECORDS), _rows(fresh_url, REGISTRY, ("batch_id",))
    run_dbt(["run", "--full-refresh", "--select", *PERSON_MODELS], fresh_url, quiet=True)
    rebuilt = _rows(fresh_url, CURRENT_RECORDS), _rows(fresh_url, REGISTRY, ("batch_id",))
    assert diffed == rebuilt
    assert len(diffed[1]) > 1000

    # nothing new: a rerun stages, withdraws and changes nothing (the full rebuild left
    # the current records only, and none is added)
    run_dbt(["run", "--select", *PERSON_MODELS], fresh_url, quiet=True)
    assert (_rows(fresh_url, CURRENT_RECORDS), _rows(fresh_url, REGISTRY, ("batch_id",))) == diffed
    assert count(fresh_url, "select count(*) from staging.stg_population__persons") == len(
        diffed[0]
    )
