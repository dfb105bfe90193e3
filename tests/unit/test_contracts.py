"""The source specs and the copies made of them agree: cadences, tolerances, levels."""

from __future__ import annotations

import csv
import json

import pytest
import yaml

from cityops.settings import get_settings
from ingest.sources import REGISTRY
from ingest.spec import EntitySpec
from ingest.validate import LEVELS, level_of


def test_the_cadence_seed_and_dbt_freshness_follow_the_specs() -> None:
    project = get_settings().dbt_project_dir
    with (project / "seeds" / "ref_source_cadence.csv").open(encoding="utf-8") as f:
        seed = {r["source_name"]: int(r["expected_every_days"]) for r in csv.DictReader(f)}
    assert seed == {name: spec.expected_every_days for name, spec in REGISTRY.items()}
    for name, spec in REGISTRY.items():
        sources = yaml.safe_load(
            (project / "models" / "staging" / name / f"_{name}__sources.yml").read_text("utf-8")
        )["sources"]
        warn = sources[0]["freshness"]["warn_after"]
        assert (warn["count"], warn["period"]) == (spec.expected_every_days, "day"), name


def test_every_suite_rule_has_a_known_level() -> None:
    for path in sorted(get_settings().expectations_dir.glob("*.json")):
        for exp in json.loads(path.read_text("utf-8"))["expectations"]:
            assert level_of(exp) in LEVELS, path.name
    with pytest.raises(ValueError, match="not one of"):
        level_of({"type": "x", "severity": "critical"})


@pytest.mark.parametrize(
    ("rejected", "rows", "loads"),
    [(5, 10, True), (6, 1000, True), (20, 1000, True), (21, 1000, False), (6, 100, False)],
)
def test_a_file_is_refused_past_two_percent_and_five_rows(rejected, rows, loads) -> None:
    entity = EntitySpec("e", r"e\.csv", "csv", (), (), "increment")
    assert entity.tolerates(rejected, rows) is loads


def test_suites_dbt_sources_and_pages_are_rendered_from_the_specs() -> None:
    from cityops import contracts

    pages = contracts.pages()
    for name, source in REGISTRY.items():
        assert contracts.DOCS / f"{name}.md" in pages
        assert contracts.STAGING / name / f"_{name}__sources.yml" in pages
        for entity in source.entities:
            assert contracts.EXPECTATIONS / f"{source.table(entity)}.json" in pages
    stale = [
        str(path.relative_to(contracts.ROOT))
        for path, text in pages.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"rerun `python -m cityops.contracts`: {stale} differ from the specs"


def test_no_suite_is_kept_by_hand() -> None:
    from cityops import contracts

    rendered = {p for p in contracts.pages() if p.suffix == ".json"}
    assert set(contracts.EXPECTATIONS.glob("*.json")) == rendered


def test_the_date_formats_accept_the_calendar_only() -> None:
    import re

    from ingest.spec import FORMATS

    compact, iso = FORMATS["YYYYMMDD"], FORMATS["YYYY-MM-DD"]
    for good in ("20240229", "20000229", "20261231"):
        assert re.fullmatch(compact, good)
    for bad in ("20230229", "19000229", "20260230", "20261301", "20260431"):
        assert not re.fullmatch(compact, bad)
    assert re.fullmatch(iso, "2024-02-29") and not re.fullmatch(iso, "2026-02-31")
    stamp = FORMATS["YYYY-MM-DD hh:mm[:ss][+hh:mm]"]
    assert re.fullmatch(stamp, "2026-11-24T08:00:00+08:00")
    assert not re.fullmatch(stamp, "2026-11-24 25:61")
