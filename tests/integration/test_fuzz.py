"""Malformed bytes into every reader, and into the whole ingest path (hypothesis).

Whatever the bytes, the outcome is a clean contract error or a file that reconciles
(rows in the file = rows read + rows rejected); never a crash, never a partial load.
"""

from __future__ import annotations

import itertools
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.errors import IngestError
from ingest.reading import read_all
from ingest.sources import REGISTRY

from .test_ingest import run

pytestmark = pytest.mark.integration
_FILE_NO = itertools.count()


def _samples(city: Path) -> dict[str, tuple[str, Path]]:
    """One delivered file per reader kind (csv, xlsx, json, jsonl): reader -> (source, path)."""
    found: dict[str, tuple[str, Path]] = {}
    for name, source in REGISTRY.items():
        for path in sorted((city / "landing" / name).rglob("*.*"), key=lambda p: p.stat().st_size):
            for entity in source.entities_for(path.name):
                found.setdefault(entity.reader, (name, path))
    assert set(found) == {"csv", "xlsx", "json", "jsonl"}, found
    return found


@st.composite
def mutated(draw, data: bytes) -> bytes:
    """A plausible way for a delivery to go wrong: cut, corrupted, spliced or pure noise."""
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "noise", "splice"]))
    if kind == "noise":
        return draw(st.binary(min_size=0, max_size=2048))
    n = len(data)
    at = draw(st.integers(0, max(n - 1, 0)))
    if kind == "truncate":
        return data[:at]
    if kind == "flip":
        out = bytearray(data)
        for i in draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=16)):
            out[i] = draw(st.integers(0, 255))
        return bytes(out)
    if kind == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    if kind == "delete":
        return data[:at] + data[at + draw(st.integers(1, 256)) :]
    return data[:at] + data[draw(st.integers(0, n)) :]  # splice: a chunk goes missing or repeats


@pytest.mark.parametrize("reader", ["csv", "xlsx", "json", "jsonl"])
def test_every_reader_fails_cleanly_on_malformed_bytes(reader, tiny_city, tmp_path) -> None:
    source_name, sample = _samples(tiny_city)[reader]
    source = REGISTRY[source_name]
    entities = [e for e in source.entities_for(sample.name) if e.reader == reader]
    data = sample.read_bytes()

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(mutated(data))
    def check(bytes_: bytes) -> None:
        path = tmp_path / f"{next(_FILE_NO)}" / sample.name
        path.parent.mkdir()
        path.write_bytes(bytes_)
        for entity in entities:
            try:
                file_reader, _, batches, _ = read_all(entity, path)
            except IngestError as exc:
                assert str(exc).strip(), "a contract error says what is wrong"
                continue
            read = sum(b.num_rows for b in batches)
            assert file_reader.rows_seen == read + len(file_reader.rejects)

    check()


def test_malformed_deliveries_are_loaded_whole_or_quarantined_whole(
    fresh_url, tiny_city, tmp_path
) -> None:
    samples = _samples(tiny_city)

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(st.sampled_from(sorted(samples)), st.data())
    def check(reader: str, data) -> None:
        source_name, sample = samples[reader]
        bytes_ = data.draw(mutated(sample.read_bytes()))
        work = tmp_path / uuid.uuid4().hex[:8]
        target = work / "landing" / source_name / sample.parent.name / sample.name
        target.parent.mkdir(parents=True)
        target.write_bytes(bytes_)
        summary = run(fresh_url, source_name, work / "landing", work)
        [outcome] = summary.files
        with psycopg.connect(fresh_url) as conn:
            batches = conn.execute(
                "select batch_id, entity, status, rows_in_file, rows_loaded, rows_rejected "
                "from ops.load_batches where source_file = %s",
                (str(target),),
            ).fetchall()
            for batch_id, entity, status, in_file, loaded, rejected in batches:
                spec = REGISTRY[source_name]
                table = spec.table(next(e for e in spec.entities if e.name == entity))
                in_raw = conn.execute(
                    f'select count(*) from raw."{table}" where _batch_id = %s', (batch_id,)
                ).fetchone()[0]
                if status == "loaded":
                    assert in_file == loaded + rejected and in_raw == loaded
                else:
                    assert status in ("refused", "duplicate") and in_raw == 0
        if outcome.status == "refused":
            assert outcome.quarantined_as and Path(outcome.quarantined_as).exists()
            assert Path(outcome.quarantined_as + ".report.md").exists()
        shutil.rmtree(work / "landing")

    check()
