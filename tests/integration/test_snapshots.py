"""A snapshot source's staging model reads the newest delivered snapshot, whatever the order
the files were loaded in (dbt_project/macros/deliveries.sql, latest_snapshot)."""

from __future__ import annotations

import shutil

import psycopg
import pytest

from cityops.dbt import run_dbt

from .test_ingest import run

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
        assert not summary.failed, summary.as_dict()

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
