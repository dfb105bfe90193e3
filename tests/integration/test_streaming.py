"""Large files stream: many batches in one transaction, every row checked, GX on a sample.

The size thresholds are lowered so that the tiny city's population snapshot (a few
hundred kilobytes) takes the path a multi-gigabyte snapshot takes.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import psycopg
import pyarrow.csv as pacsv
import pytest

from ingest import pipeline, readers

from .test_ingest import assert_refused, count, ledger, run

pytestmark = pytest.mark.integration


@pytest.fixture
def streaming(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "GROUP_FILE_BYTES", 0)  # every file streams
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 16 << 10)  # in many batches
    monkeypatch.setattr(pipeline, "GX_SAMPLE_PER_BATCH", 20)


def _snapshot(tiny_city: Path, landing: Path) -> Path:
    source = sorted((tiny_city / "landing" / "population").rglob("persons_*.csv"))[-1]
    target = landing / "population" / source.parent.name / source.name
    target.parent.mkdir(parents=True)
    shutil.copyfile(source, target)
    return target


def _rewrite_line(path: Path, line: int, edit) -> str:
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = edit(lines[line - 1])
    path.write_bytes(b"\n".join(lines))
    return lines[line - 1].decode("utf-8", errors="replace")


def test_a_streamed_snapshot_loads_every_row_in_one_batch(
    streaming, tiny_city, fresh_url, tmp_path, monkeypatch
) -> None:
    path = _snapshot(tiny_city, tmp_path / "landing")
    expected = pacsv.read_csv(path).num_rows
    copies: list[int] = []
    real_copy = pipeline.copy_batch

    def counting_copy(*args, **kwargs) -> int:
        copies.append(kwargs["encoded"] is not None)  # encoded ahead by the reading thread
        return real_copy(*args, **kwargs)

    monkeypatch.setattr(pipeline, "copy_batch", counting_copy)
    summary = run(fresh_url, "population", tmp_path / "landing", tmp_path)
    assert len(copies) > 5 and all(copies)
    assert not summary.refused, summary.as_dict()
    ((name, _, status, in_file, loaded, rejected),) = ledger(fresh_url, "population")
    assert (status, in_file, loaded, rejected) == ("loaded", expected, expected, 0)
    assert count(fresh_url, "select count(distinct _batch_id) from raw.population__persons") == 1
    # every line of the file, once, in file order
    with psycopg.connect(fresh_url) as conn:
        numbers = [
            r[0]
            for r in conn.execute(
                "select _row_number from raw.population__persons order by _row_number"
            )
        ]
        first = conn.execute(
            "select id_number, name, updated_at from raw.population__persons where _row_number = 2"
        ).fetchone()
    assert numbers == list(range(2, expected + 2))
    with path.open(encoding="utf-8-sig", newline="") as f:
        head = next(csv.DictReader(f))
    assert first == (head["身份证号"], head["姓名"], head["更新时间"])


def test_a_bad_row_near_the_end_is_rejected_and_the_rest_streams_in(
    streaming, tiny_city, fresh_url, tmp_path
) -> None:
    path = _snapshot(tiny_city, tmp_path / "landing")
    n = pacsv.read_csv(path).num_rows
    bad_line = n  # the second to last record (line 1 is the header)
    _rewrite_line(
        path,
        bad_line,
        lambda b: b.replace('"男"'.encode(), b'"M"', 1).replace('"女"'.encode(), b'"M"', 1),
    )
    summary = run(fresh_url, "population", tmp_path / "landing", tmp_path)
    assert not summary.refused, summary.as_dict()
    ((_, _, status, in_file, loaded, rejected),) = ledger(fresh_url, "population")
    assert (status, in_file, loaded, rejected) == ("loaded", n, n - 1, 1)
    with psycopg.connect(fresh_url) as conn:
        rows = conn.execute(
            "select row_number, column_name, raw_value from ops.rejected_rows"
        ).fetchall()
        kept = conn.execute(
            "select count(*) from raw.population__persons where _row_number = %s", (bad_line,)
        ).fetchone()[0]
    assert rows == [(bad_line, "gender", "M")]
    assert kept == 0
    assert count(fresh_url, "select count(*) from raw.population__persons") == n - 1


def test_an_unreadable_block_in_the_reading_thread_is_a_clean_refusal(
    streaming, tiny_city, fresh_url, tmp_path
) -> None:
    path = _snapshot(tiny_city, tmp_path / "landing")
    n = pacsv.read_csv(path).num_rows
    _rewrite_line(path, n - 5, lambda b: b.replace("正常".encode(), b"\xff\xfe", 1))
    summary = run(fresh_url, "population", tmp_path / "landing", tmp_path)
    assert_refused(summary, fresh_url, tmp_path, "population", "UTF-8")
    assert count(fresh_url, "select count(*) from raw.population__persons") == 0
    # the corrected file, delivered again, loads
    shutil.copytree(
        sorted((tiny_city / "landing" / "population").iterdir())[-1],
        tmp_path / "landing" / "population" / "2026-11-24",
    )
    for p in (tmp_path / "landing" / "population" / "2026-11-24").iterdir():
        p.rename(p.with_name("persons_20261124.csv"))
    again = run(fresh_url, "population", tmp_path / "landing", tmp_path)
    assert not again.refused and again.rows_loaded == n


def test_great_expectations_on_the_sample_still_refuses_what_the_check_missed(
    streaming, tiny_city, fresh_url, tmp_path, monkeypatch
) -> None:
    from ingest.checks import FullFileCheck

    monkeypatch.setattr(  # a blind check: every row passes
        FullFileCheck, "update", lambda self, batch: (None, [])
    )
    path = _snapshot(tiny_city, tmp_path / "landing")
    path.write_bytes(path.read_bytes().replace('"男"'.encode(), b'"M"'))
    summary = run(fresh_url, "population", tmp_path / "landing", tmp_path)
    report = assert_refused(summary, fresh_url, tmp_path, "population", "gender")
    (failure,) = [f for f in report["failures"] if f["column"] == "gender"]
    assert "found by Great Expectations in a sample" in failure["detail"]
    assert failure["sample_values"] and set(failure["sample_values"]) == {"M"}
    assert count(fresh_url, "select count(*) from raw.population__persons") == 0
