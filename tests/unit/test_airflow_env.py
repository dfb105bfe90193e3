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


def test_lineage_goes_to_a_file_unless_an_endpoint_is_set(tmp_path, monkeypatch) -> None:
    import json

    monkeypatch.delenv("AIRFLOW__OPENLINEAGE__TRANSPORT", raising=False)  # set for the session
    from cityops.airflow_env import airflow_environ, openlineage_transport
    from cityops.settings import load_settings

    local = load_settings({"CITYOPS_HOME": str(tmp_path)})
    assert openlineage_transport(local) == {
        "type": "file",
        "log_file_path": str(tmp_path / "lineage" / "events.jsonl"),
        "append": True,
    }
    marquez = load_settings(
        {"CITYOPS_HOME": str(tmp_path), "CITYOPS_OPENLINEAGE_URL": "http://marquez:5000"}
    )
    environ = airflow_environ(marquez, None)
    transport = json.loads(environ["AIRFLOW__OPENLINEAGE__TRANSPORT"])
    assert transport["type"] == "http" and transport["url"] == "http://marquez:5000"


def test_the_fernet_key_is_made_once_per_state_folder_and_kept_private(tmp_path) -> None:
    import stat

    from cryptography.fernet import Fernet

    from cityops.airflow_env import fernet_key
    from cityops.settings import load_settings

    settings = load_settings({"CITYOPS_HOME": str(tmp_path)})
    key = fernet_key(settings)
    assert fernet_key(settings) == key
    Fernet(key.encode())  # a valid key
    path = settings.airflow_home / "fernet.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
