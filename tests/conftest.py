"""Test session setup: a private CITYOPS_HOME, a private warehouse database, Airflow's env.

The warehouse is real PostgreSQL: a fresh database on the server named by
``WAREHOUSE_URL`` when it is set (CI points it at the machine's server), otherwise
the embedded server from the pgserver wheel, started under the test home.
Airflow reads its configuration at import, so all of this runs before any test
module is collected.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

_HOME = Path(tempfile.mkdtemp(prefix="cityops-test-"))
os.environ["CITYOPS_HOME"] = str(_HOME)
os.environ["CITYOPS_LANDING"] = str(_HOME / "landing")
os.environ.setdefault("CITYOPS_HMAC_KEY", "test-only-person-key-0123456789abcdef")
os.environ.pop("CITYOPS_ENV", None)
_EXTERNAL = os.environ.get("WAREHOUSE_URL")
_TEST_DB = f"cityops_test_{uuid.uuid4().hex[:10]}"
#: `make test-fast`: the unit tier, with no warehouse started or reached
_NO_WAREHOUSE = os.environ.get("CITYOPS_TEST_NO_WAREHOUSE") == "1"
_NOWHERE = "postgresql://cityops@127.0.0.1:9/no-warehouse-in-the-fast-tier"


def _session_url() -> str:
    from cityops.warehouse import ensure_database, warehouse_url, with_database

    if _NO_WAREHOUSE:
        return _NOWHERE
    if _EXTERNAL:
        url = with_database(_EXTERNAL, _TEST_DB)
        ensure_database(url)
        return url
    return warehouse_url()


def pytest_configure(config: pytest.Config) -> None:
    from cityops.airflow_env import configure_process
    from cityops.settings import get_settings

    url = _session_url()
    os.environ["WAREHOUSE_URL"] = url
    get_settings.cache_clear()
    configure_process(url=url)
    config.cityops_url = url  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    import psycopg

    from cityops.warehouse import EmbeddedServer, with_database

    if _NO_WAREHOUSE:
        pass
    elif _EXTERNAL:
        try:
            with psycopg.connect(with_database(_EXTERNAL, "postgres"), autocommit=True) as conn:
                conn.execute(f'drop database if exists "{_TEST_DB}" with (force)')
        except psycopg.Error:
            pass
    else:
        EmbeddedServer(_HOME / "pgdata").stop()
    shutil.rmtree(_HOME, ignore_errors=True)


@pytest.fixture(scope="session")
def warehouse_url(pytestconfig: pytest.Config) -> str:
    from cityops.warehouse import bootstrap

    if _NO_WAREHOUSE:
        pytest.fail("this test needs the warehouse: it belongs in tests/integration or tests/dags")
    url = pytestconfig.cityops_url  # type: ignore[attr-defined]
    bootstrap(url)
    return url


@pytest.fixture(scope="session")
def airflow_db(warehouse_url: str) -> None:
    """Airflow's metadata DB, and dbt's manifest that the transform DAG loads at parse time."""
    from cityops.airflow_env import ensure_metadata_db
    from cityops.dbt import ensure_manifest

    ensure_metadata_db()
    ensure_manifest(warehouse_url)


@pytest.fixture
def db(warehouse_url: str):
    """An autocommit connection to the session's warehouse database."""
    import psycopg

    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        yield conn


TINY_AS_OF = "2026-11-24"


@pytest.fixture(scope="session")
def tiny_city() -> Path:
    """A tiny synthetic city (landing + truth), generated once per test session."""
    import datetime as dt

    from cityops.synth import generate

    root = _HOME / "tiny-city"
    if not (root / "truth" / "manifest.json").exists():
        generate("tiny", 7, dt.date.fromisoformat(TINY_AS_OF), root / "landing", root / "truth")
    return root


@pytest.fixture
def fresh_url(warehouse_url: str) -> str:
    """A new, bootstrapped, empty warehouse database for one test (dropped afterwards)."""
    from cityops.warehouse import scratch_database

    with scratch_database(warehouse_url, "cityops_t") as url:
        yield url


@dataclass
class PipelineRun:
    """A warehouse database filled by one real ``cityops run`` of the tiny city."""

    url: str
    landing: Path
    output: str  # what the run printed (stdout and stderr)


@pytest.fixture(scope="session")
def pipeline_run(airflow_db, warehouse_url, tiny_city, tmp_path_factory) -> PipelineRun:
    """ingest -> transform (cosmos) -> exports through the real DAGs, in a process of its own
    (``python -m cityops run``) with INFO logs, into a dedicated database."""
    import psycopg

    from cityops.warehouse import bootstrap, with_database

    from .helpers import run_against

    name = "cityops_pipeline_" + os.urandom(4).hex()
    with psycopg.connect(with_database(warehouse_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = with_database(warehouse_url, name)
    bootstrap(url)
    landing = tmp_path_factory.mktemp("pipeline") / "landing"
    shutil.copytree(tiny_city / "landing", landing)
    output = run_against(
        url,
        *("-m", "cityops", "run", "--landing", str(landing), "--as-of", TINY_AS_OF),
        CITYOPS_ACTOR="pipeline-test",
    )
    yield PipelineRun(url, landing, output)
    with psycopg.connect(with_database(warehouse_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="session")
def pipeline(pipeline_run: PipelineRun) -> str:
    """The URL of the database that :func:`pipeline_run` filled."""
    return pipeline_run.url
