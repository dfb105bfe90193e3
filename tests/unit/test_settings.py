from pathlib import Path

import pytest

from cityops.settings import DEV_HMAC_KEY, PROJECT_ROOT, SettingsError, load_settings


def test_defaults_live_in_the_repository() -> None:
    settings = load_settings({})
    assert settings.home == PROJECT_ROOT / ".cityops"
    assert settings.landing == PROJECT_ROOT / "data" / "landing"
    assert settings.warehouse_url is None
    assert settings.uses_embedded_warehouse
    assert settings.hmac_key == DEV_HMAC_KEY
    assert settings.airflow_home == settings.home / "airflow"
    assert settings.pgdata == settings.home / "pgdata"


def test_environment_overrides(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "CITYOPS_HOME": str(tmp_path / "state"),
            "CITYOPS_LANDING": str(tmp_path / "in"),
            "WAREHOUSE_URL": "postgresql://u@db:5432/w",
            "CITYOPS_HMAC_KEY": "s3cret",
        }
    )
    assert settings.home == tmp_path / "state"
    assert settings.landing == tmp_path / "in"
    assert settings.warehouse_url == "postgresql://u@db:5432/w"
    assert not settings.uses_embedded_warehouse
    assert not settings.uses_dev_hmac_key


def test_relative_paths_resolve_against_the_working_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings({"CITYOPS_HOME": "st"}).home == tmp_path / "st"


def test_production_refuses_the_development_key() -> None:
    with pytest.raises(SettingsError, match="CITYOPS_HMAC_KEY"):
        load_settings({"CITYOPS_ENV": "production"}).check_production_safety()
    load_settings(
        {"CITYOPS_ENV": "production", "CITYOPS_HMAC_KEY": "x" * 40}
    ).check_production_safety()
    load_settings({}).check_production_safety()


def test_run_and_worker_settings_come_from_the_environment() -> None:
    defaults = load_settings({})
    assert (defaults.task_retries, defaults.retry_delay_seconds, defaults.log_level) == (
        2,
        120,
        "WARNING",
    )
    assert defaults.worker_name is None and defaults.actor is None
    assert defaults.street_password is None
    settings = load_settings(
        {
            "CITYOPS_TASK_RETRIES": "0",
            "CITYOPS_RETRY_DELAY_SECONDS": "5",
            "CITYOPS_LOG_LEVEL": "INFO",
            "CITYOPS_WORKER_NAME": "worker-2",
            "CITYOPS_ACTOR": "auditor",
            "CITYOPS_STREET_PASSWORD": "pw-not-shown",
        }
    )
    assert (settings.task_retries, settings.retry_delay_seconds) == (0, 5)
    assert (settings.log_level, settings.worker_name, settings.actor) == (
        "INFO",
        "worker-2",
        "auditor",
    )
    assert settings.street_password == "pw-not-shown" and "pw-not-shown" not in repr(settings)
    with pytest.raises(SettingsError, match="CITYOPS_TASK_RETRIES"):
        load_settings({"CITYOPS_TASK_RETRIES": "two"})


def test_test_tasks_of_the_transform_are_one_of_two_choices() -> None:
    assert load_settings({}).dbt_test_tasks == "after_each"
    assert load_settings({"CITYOPS_DBT_TEST_TASKS": " None "}).dbt_test_tasks == "none"
    with pytest.raises(SettingsError, match="CITYOPS_DBT_TEST_TASKS='build' is not one of"):
        load_settings({"CITYOPS_DBT_TEST_TASKS": "build"})


def test_no_project_setting_is_read_outside_the_settings_module() -> None:
    import re

    pattern = re.compile(r"""os\.(?:environ(?:\.get)?|getenv)\(?\[?["'](CITYOPS_\w+)""")
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}: {m.group(1)}"
        for folder in ("cityops", "ingest", "dags")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if path.name != "settings.py"
        for m in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders
