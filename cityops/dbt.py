"""Running the dbt project against the warehouse (CLI, tests, benchmarks).

In Airflow the same project runs through astronomer-cosmos (dags/transform.py); this
module is the plain path, and the one that builds the manifest cosmos loads.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .settings import Settings, get_settings


class DbtFailed(RuntimeError):
    pass


def dbt_environ(url: str, settings: Settings | None = None) -> dict[str, str]:
    """dbt's connection (as ``cityops_transformer``) and paths, as environment variables."""
    from .roles import role_name

    settings = settings or get_settings()
    parts = urlsplit(url)
    role = role_name("transformer")
    own_password = settings.role_passwords.get("transformer")
    return {
        "DBT_HOST": parts.hostname or "127.0.0.1",
        "DBT_PORT": str(parts.port or 5432),
        "DBT_USER": role if own_password else unquote(parts.username or "postgres"),
        "DBT_PASSWORD": own_password or unquote(parts.password or ""),
        "DBT_ROLE": "" if own_password else role,
        "DBT_DBNAME": parts.path.lstrip("/") or "cityops",
        "DBT_PROFILES_DIR": str(settings.dbt_project_dir),
        "DBT_PROJECT_DIR": str(settings.dbt_project_dir),
        "DBT_TARGET_PATH": str(settings.dbt_target),
        "DBT_LOG_PATH": str(settings.home / "dbt" / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_PARTIAL_PARSE": "True",
    }


def run_dbt(args: list[str], url: str, *, as_of: str | None = None, quiet: bool = False) -> Any:
    """Invoke dbt in-process (dbtRunner); raise :class:`DbtFailed` when it does not succeed."""
    from dbt.cli.main import dbtRunner

    settings = get_settings()
    os.environ.update(dbt_environ(url, settings))
    full = [
        *args,
        "--project-dir",
        str(settings.dbt_project_dir),
        "--profiles-dir",
        str(settings.dbt_project_dir),
    ]
    if as_of:
        full += ["--vars", f'{{"as_of": "{as_of}"}}']
    if quiet:
        full = ["--quiet", *full]
    result = dbtRunner().invoke(full)
    if not result.success:
        failed = []
        if result.result is not None and hasattr(result.result, "results"):
            failed = [
                f"{r.node.name}: {r.status} {r.message or ''}".strip()
                for r in result.result.results
                if str(r.status) in ("error", "fail", "runtime error")
            ]
        detail = "\n".join(failed) or str(result.exception or "see dbt logs")
        raise DbtFailed(f"dbt {' '.join(args)} failed:\n{detail}")
    return result


def manifest_path(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).dbt_manifest


def ensure_manifest(url: str | None = None, *, force: bool = False) -> Path:
    """Build and publish dbt's manifest when missing or older than the project files.

    ``dbt parse`` writes into the working target folder; the result is then published
    with an atomic rename. The transform DAG loads the published copy, so a DAG parse
    never reads a manifest half-written by a concurrent dbt invocation.
    """
    settings = get_settings()
    path = manifest_path(settings)
    newest = max(
        p.stat().st_mtime
        for p in settings.dbt_project_dir.rglob("*")
        if p.suffix in (".sql", ".yml", ".csv") and "target" not in p.parts
    )
    if force or not path.exists() or path.stat().st_mtime < newest:
        run_dbt(["parse"], url or "postgresql://postgres@127.0.0.1:5432/cityops", quiet=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_name(f".{path.name}.{os.getpid()}")
        shutil.copyfile(settings.dbt_target / "manifest.json", staged)
        os.replace(staged, path)
    return path
