"""Accuracy on public data: FEBRL 3 through the population and education contracts.

The data set's own blanks and typos are kept (see :mod:`cityops.febrl`); the pipeline runs
as it does on a department's files: ingest with the GX gate, then dbt.
"""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from cityops import febrl
from cityops.dbt import run_dbt
from cityops.evaluation import person_key
from cityops.settings import get_settings
from ingest.direct import ingest_landing

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def linked(warehouse_url, tmp_path_factory):
    from cityops.warehouse import scratch_database

    root = tmp_path_factory.mktemp("febrl")
    data = febrl.write_landing(root / "landing", DAY)
    with scratch_database(warehouse_url, "cityops_febrl") as url:
        summaries = ingest_landing(url, root / "landing", root, ["population", "education"])
        run_dbt(
            [
                "build",
                "--select",
                "+fct_graduation",
                "+dim_person",
                "--indirect-selection",
                "cautious",
            ],
            url,
            as_of=DAY.isoformat(),
            quiet=True,
        )
        yield url, data, summaries


def test_dirty_public_files_load_with_their_bad_rows_rejected(linked) -> None:
    url, data, summaries = linked
    for summary in summaries.values():
        assert not summary.refused, summary.as_dict()
    with psycopg.connect(url) as conn:
        rows = dict(
            conn.execute(
                "select source, sum(rows_in_file) from ops.load_batches group by source"
            ).fetchall()
        )
        books = conn.execute(
            "select rows_in_file, rows_loaded, rows_rejected from ops.load_batches"
        ).fetchall()
    assert rows == {"population": data.persons, "education": data.graduates}
    assert all(i == loaded + rejected for i, loaded, rejected in books)


def test_graduates_link_to_the_registry_with_precision_and_recall(linked) -> None:
    url, data, _ = linked
    key = get_settings().hmac_key
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select student_no, person_key, match_path from marts.fct_graduation"
        ).fetchall()
    predicted = {
        s: (k if path in ("id_registry", "probabilistic") else None) for s, k, path in rows
    }
    score = febrl.score(predicted, data, lambda id_number: person_key(id_number, key))
    paths: dict[str, int] = {}
    for _, _, path in rows:
        paths[path or "rejected"] = paths.get(path or "rejected", 0) + 1
    print(f"\n{febrl.describe(score)}; by path {dict(sorted(paths.items()))}")
    assert score.precision >= 0.99, score
    assert score.f1 >= 0.95, score
