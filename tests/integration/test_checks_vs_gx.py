"""The full-file check and Great Expectations give the same verdict on the same rows.

Large files are checked row by row by ``ingest.checks`` and only sampled by GX, so the
two must agree: every rule, the same failing counts, the same verdict, on the tiny
city's files as delivered and on copies with dirt added.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cityops.settings import get_settings
from ingest.checks import FullFileCheck
from ingest.mapping import plan_mapping
from ingest.readers import open_reader
from ingest.reading import to_frame
from ingest.sources import REGISTRY
from ingest.validate import Gate, GateResult, load_suite_config

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def gate(tmp_path_factory) -> Gate:
    return Gate(tmp_path_factory.mktemp("gx"), get_settings().expectations_dir)


def _verdicts(gate: Gate, source, entity, batch: pa.RecordBatch) -> tuple[dict, dict]:
    suite = load_suite_config(gate.expectations_dir, source, entity)
    check = FullFileCheck(suite)
    _, faults = check.update(batch)
    mine = check.result()
    for fault in faults:
        mine.reject(fault)
    theirs = gate.validate(source, entity, to_frame(batch, 0))[0]
    return _summary(mine), _summary(theirs)


def _summary(result: GateResult) -> dict:
    """(rule, column, level) -> failing rows; a row-level rule's are its rejected rows."""
    summary = {
        (o.rule, o.column, o.severity): o.unexpected_count
        for o in [*result.failures, *result.warnings]
    }
    for faults in result.rejects.values():
        for f in faults:
            key = (f.rule, f.column, "row")
            summary[key] = summary.get(key, 0) + 1
    return summary


def _first_files(source_name: str, tiny_city, limit: int = 2):
    source = REGISTRY[source_name]
    for entity in source.entities:
        paths = sorted(
            p
            for p in (tiny_city / "landing" / source_name).rglob("*")
            if p.is_file() and entity.matches(p.name)
        )
        for path in paths[:limit]:
            reader = open_reader(entity, path)
            batches = list(reader.batches())
            mapping = plan_mapping(entity, reader.headers)
            yield source, entity, pa.concat_batches([mapping.apply(b) for b in batches])


@pytest.mark.parametrize("source_name", list(REGISTRY))
def test_same_verdict_on_delivered_files(source_name, tiny_city, gate) -> None:
    checked = 0
    for source, entity, batch in _first_files(source_name, tiny_city):
        mine, theirs = _verdicts(gate, source, entity, batch)
        assert mine == theirs, (source.table(entity), batch.num_rows)
        checked += 1
    assert checked


def _dirty(batch: pa.RecordBatch, column: str, every: int, value: str | None) -> pa.RecordBatch:
    i = batch.schema.get_field_index(column)
    mask = pa.array([k % every == 0 for k in range(batch.num_rows)])
    replaced = pc.if_else(mask, pa.scalar(value, pa.string()), batch.column(i))
    return batch.set_column(i, column, replaced)


DIRT = [  # source, column, every n-th row, value, the rule it breaks (None: tolerated)
    ("population", "gender", 7, "X", "expect_column_values_to_be_in_set"),
    ("population", "birth_date", 50, "1990-01-01", "expect_column_values_to_match_regex"),
    ("population", "id_number", 30, "3101151990010１002x", "expect_column_values_to_match_regex"),
    ("population", "id_number", 500, "110105194912310023", None),  # within `mostly`
    ("population", "name", 11, None, "expect_column_values_to_not_be_null"),
    ("housing", "building_code", 3, "SH-310104-00001", "expect_compound_columns_to_be_unique"),
    ("weather", "station_id", 9, None, "expect_column_values_to_not_be_null"),
]


@pytest.mark.parametrize(("source_name", "column", "every", "value", "rule"), DIRT)
def test_same_verdict_on_dirty_copies(
    source_name, column, every, value, rule, tiny_city, gate
) -> None:
    for source, entity, batch in _first_files(source_name, tiny_city, limit=1):
        if column not in batch.schema.names:
            continue
        mine, theirs = _verdicts(gate, source, entity, _dirty(batch, column, every, value))
        assert mine == theirs, source.table(entity)
        assert (rule is not None) == any(r == rule for r, _, _ in mine), mine
        return
    pytest.fail(f"no {source_name} file has a column {column}")
