from cityops.airflow_env import airflow_conn_uri, airflow_environ
from cityops.settings import load_settings


def test_connection_uri_has_a_tcp_host_and_postgres_type() -> None:
    assert airflow_conn_uri("postgresql://postgres@127.0.0.1:5432/cityops") == (
        "postgres://postgres@127.0.0.1:5432/cityops"
    )
    assert airflow_conn_uri("postgresql://u:p%40ss@db/w") == "postgres://u:p%40ss@db/w"


def test_airflow_lives_under_the_state_folder(tmp_path, monkeypatch) -> None:
    for key in (
        "AIRFLOW_HOME",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW_CONN_WAREHOUSE",
        "AIRFLOW__CORE__LOAD_EXAMPLES",
        "GX_ANALYTICS_ENABLED",
    ):
        monkeypatch.delenv(key, raising=False)
    settings = load_settings({"CITYOPS_HOME": str(tmp_path)})
    env = airflow_environ(settings, "postgresql://postgres@127.0.0.1:1234/cityops")
    assert env["AIRFLOW_HOME"] == str(tmp_path / "airflow")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("sqlite:///" + str(tmp_path))
    assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "False"
    assert env["AIRFLOW_CONN_WAREHOUSE"] == "postgres://postgres@127.0.0.1:1234/cityops"
    assert env["GX_ANALYTICS_ENABLED"] == "False"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"].endswith("/dags")
