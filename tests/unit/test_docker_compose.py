"""docker-compose.yaml is checked statically: no Docker engine runs on these machines."""

import yaml

from cityops.settings import PROJECT_ROOT

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yaml").read_text())
SERVICES = COMPOSE["services"]
AIRFLOW = [name for name in SERVICES if name.startswith("airflow-") and name != "airflow-db"]


def test_stack_has_every_airflow_3_celery_component() -> None:
    expected = {
        "airflow-db",
        "warehouse",
        "redis",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-worker",
        "airflow-triggerer",
        "airflow-init",
    }
    assert expected <= set(SERVICES)
    commands = {name: str(SERVICES[name].get("command")) for name in AIRFLOW}
    assert "api-server" in commands["airflow-apiserver"]
    assert "dag-processor" in commands["airflow-dag-processor"]
    assert "celery worker" in commands["airflow-worker"]


def test_airflow_services_share_celery_settings_and_mounts() -> None:
    for name in AIRFLOW:
        service = SERVICES[name]
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://"), name
        assert "@airflow-db/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"], name
        assert "@warehouse:5432/" in env["AIRFLOW_CONN_WAREHOUSE"], name
        assert env["GX_ANALYTICS_ENABLED"] == "False"
        mounts = {volume.rsplit(":", 1)[1] for volume in service["volumes"]}
        for folder in ("dags", "dbt_project", "expectations", "ingest"):
            assert f"/opt/cityops/app/{folder}" in mounts, (name, folder)
        assert "/opt/cityops/landing" in mounts
        assert "/opt/cityops/state/exports" in mounts
        assert service["image"] == "cityops-airflow:0.1.0"


def test_warehouse_is_separate_from_airflow_metadata() -> None:
    assert SERVICES["warehouse"]["image"].startswith("postgres:16")
    assert SERVICES["airflow-db"]["image"].startswith("postgres:16")
    assert SERVICES["warehouse"]["volumes"] != SERVICES["airflow-db"]["volumes"]
    for name in ("warehouse", "airflow-db", "redis"):
        assert "healthcheck" in SERVICES[name]


def test_secrets_are_not_hard_coded() -> None:
    env = SERVICES["airflow-scheduler"]["environment"]
    assert env["CITYOPS_HMAC_KEY"].startswith("${CITYOPS_HMAC_KEY:?")
