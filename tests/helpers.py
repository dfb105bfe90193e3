"""Small helpers shared by test modules."""

from __future__ import annotations

from pathlib import Path

import psycopg


def table_counts(url: str, *schemas: str, like: str = "%") -> dict[str, int]:
    """Row count of every table (and view) in ``schemas`` whose name matches ``like``."""
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select format('%%I.%%I', table_schema, table_name) from information_schema.tables "
                "where table_schema = any(%s) and table_name like %s order by 1",
                (list(schemas), like),
            )
        ]
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


def run_against(url: str, *python_args: str, timeout: float = 1200, **extra_env: str) -> str:
    """Run ``python <python_args>`` in its own process against the warehouse at ``url``
    (with INFO logs); assert it succeeded and return what it printed."""
    import os
    import subprocess
    import sys

    from cityops.airflow_env import airflow_conn_uri

    env = dict(
        os.environ,
        WAREHOUSE_URL=url,
        AIRFLOW_CONN_WAREHOUSE=airflow_conn_uri(url),
        CITYOPS_LOG_LEVEL="INFO",
        COLUMNS="160",
        **extra_env,
    )
    result = subprocess.run(
        [sys.executable, *python_args], env=env, capture_output=True, text=True, timeout=timeout
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    return output


def headless_chromium(page_uri: str, profile: Path, *, screenshot: Path | None = None) -> str:
    """Load ``page_uri`` in Debian's headless chromium and return the DOM it rendered (and
    save a screenshot first when asked). Skips the test when chromium is not installed."""
    import shutil
    import subprocess

    import pytest

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian chromium is not installed (make test installs it when run as root)")
    common = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    if screenshot is not None:
        subprocess.run(
            [
                *common,
                f"--user-data-dir={profile / 'shot'}",
                "--window-size=1000,3000",
                f"--screenshot={screenshot}",
                page_uri,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return subprocess.run(
        [*common, f"--user-data-dir={profile / 'dom'}", "--dump-dom", page_uri],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
