"""Rules the dbt project holds itself to, read from its files (no database needed)."""

from __future__ import annotations

from pathlib import Path

import yaml

from cityops.settings import get_settings

MARTS = get_settings().dbt_project_dir / "models" / "marts"


def _declared_models(folder: Path) -> dict[str, dict]:
    models: dict[str, dict] = {}
    for path in folder.rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            models[model["name"]] = model
    return models


def test_every_mart_is_checked_for_raw_id_numbers() -> None:
    declared = _declared_models(MARTS)
    marts = sorted(p.stem for p in MARTS.rglob("*.sql"))
    assert len(marts) >= 15

    def tests_of(name: str) -> set[str]:  # a test is a name, or {name: {arguments}}
        declared_tests = declared.get(name, {}).get("data_tests") or []
        return {t if isinstance(t, str) else next(iter(t)) for t in declared_tests}

    missing = [name for name in marts if "no_raw_id_numbers" not in tests_of(name)]
    assert missing == [], f"marts without the no_raw_id_numbers test: {missing}"
