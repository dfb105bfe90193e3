"""The whole pipeline at one scale: a first run, a second-day run, and dbt per layer.

    uv run python bench/pipeline_bench.py [--scale small] [--landing DIR --as-of YYYY-MM-DD]

1. First run: the landing area without its newest delivery day goes through
   ``cityops run`` (ingest DAGs -> cosmos transform -> exports), in a fresh warehouse.
2. Second-day run: the newest day is delivered and ``cityops run`` runs again; only the
   new files load and the incremental models add only their new rows.
3. dbt alone: one ``dbt build`` on the same warehouse, for the baseline per layer.

Prints wall time and peak memory of both runs, and per dbt layer the time of its
models as Airflow tasks (cosmos: one dbt invocation per model, tests attached) against
the same models' time in one plain dbt invocation: their ratio is the cost of
per-model orchestration.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import psycopg

AS_OF = "2026-11-24"
LAYERS = ("seeds", "staging", "intermediate", "marts", "tests")


def _layer(node: dict) -> str:
    if node["resource_type"] == "seed":
        return "seeds"
    if node["resource_type"] in ("test", "unit_test"):
        return "tests"
    return node["fqn"][1] if len(node["fqn"]) > 2 else "other"


def _hold_back_newest_day(landing: Path, work: Path) -> tuple[Path, Path, str]:
    """Hard-link the landing area into ``work``, all but its newest delivery day."""
    days = sorted({p.name for p in landing.glob("*/*") if p.is_dir()})
    newest = days[-1]
    first, later = work / "landing", work / "later"
    for folder in sorted(p for p in landing.glob("*/*") if p.is_dir()):
        target = (later if folder.name == newest else first) / folder.parent.name / folder.name
        target.mkdir(parents=True)
        for f in folder.iterdir():
            os.link(f, target / f.name)
    return first, later, newest


def _cityops_run(env: dict[str, str], landing: Path, as_of: str, log: Path) -> float:
    t = time.perf_counter()
    with log.open("w") as out:
        subprocess.run(
            [sys.executable, "-m", "cityops", "run", "--landing", str(landing), "--as-of", as_of],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    return time.perf_counter() - t


def _cosmos_layers(home: Path) -> dict[str, float]:
    """Seconds per layer of the latest transform run's dbt tasks (Airflow's task durations)."""
    manifest = json.loads((home / "dbt" / "manifest" / "manifest.json").read_text())
    by_name: dict[str, str] = {}
    for node in manifest["nodes"].values():
        by_name[node["name"]] = _layer(node)
    with sqlite3.connect(home / "airflow" / "airflow.db") as db:
        run_id = db.execute(
            "select run_id from dag_run where dag_id = 'transform' order by id desc limit 1"
        ).fetchone()[0]
        rows = db.execute(
            "select task_id, duration from task_instance where dag_id = 'transform' and run_id = ?",
            (run_id,),
        ).fetchall()
    out: dict[str, float] = defaultdict(float)
    for task_id, duration in rows:
        for suffix in ("_model_build", "_seed_build", "_test"):
            if task_id.endswith(suffix):
                name = task_id.removesuffix(suffix)
                out[by_name.get(name, "tests")] += duration or 0.0
                break
    return out


def _dbt_alone(url: str, home: Path, as_of: str) -> tuple[float, dict[str, float]]:
    from cityops.dbt import run_dbt

    t = time.perf_counter()
    run_dbt(["build"], url, as_of=as_of, quiet=True)
    wall = time.perf_counter() - t
    target = home / "dbt" / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = {**manifest["nodes"], **manifest.get("unit_tests", {})}
    out: dict[str, float] = defaultdict(float)
    for r in json.loads((target / "run_results.json").read_text())["results"]:
        node = nodes.get(r["unique_id"])
        out[_layer(node) if node else "tests"] += r["execution_time"]
    return wall, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "city"])
    parser.add_argument("--landing", type=Path, default=None, help="an existing landing folder")
    parser.add_argument("--as-of", default=AS_OF, help="the as-of date of --landing")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    home = work / "home"
    os.environ["CITYOPS_HOME"] = str(home)
    from cityops.settings import get_settings
    from cityops.synth import generate
    from cityops.warehouse import ensure_database, warehouse_url, with_database

    get_settings.cache_clear()
    source = args.landing
    if source is None:
        source = work / "generated"
        generate(args.scale, 1, dt.date.fromisoformat(args.as_of), source, work / "truth")
    first, later, newest = _hold_back_newest_day(source, work)

    base = warehouse_url()
    url = with_database(base, f"cityops_bench_{uuid.uuid4().hex[:8]}")
    ensure_database(url)
    env = {**os.environ, "WAREHOUSE_URL": url, "CITYOPS_HOME": str(home)}
    env.pop("VIRTUAL_ENV", None)
    try:
        first_s = _cityops_run(env, first, args.as_of, work / "first.log")
        first_layers = _cosmos_layers(home)
        for folder in sorted(p for p in later.glob("*/*")):
            target = first / folder.parent.name / folder.name
            target.mkdir(parents=True)
            for f in folder.iterdir():
                os.link(f, target / f.name)
        second_s = _cityops_run(env, first, args.as_of, work / "second.log")
        second_layers = _cosmos_layers(home)
        os.environ["WAREHOUSE_URL"] = url
        dbt_wall, dbt_layers = _dbt_alone(url, home, args.as_of)
        with psycopg.connect(url) as conn:
            raw_rows = conn.execute(
                "select coalesce(sum(rows_loaded), 0) from ops.load_batches where status = 'loaded'"
            ).fetchone()[0]
    finally:
        with psycopg.connect(with_database(base, "postgres"), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{url.rsplit("/", 1)[1]}" with (force)')
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    print(f"scale {args.scale}: {raw_rows:,} raw rows loaded; newest day {newest} held back")
    print(f"{'run':<44}{'seconds':>10}")
    print(f"{'first run (cityops run, all but one day)':<44}{first_s:>10.1f}")
    print(f"{'second-day run (one new day of deliveries)':<44}{second_s:>10.1f}")
    print(f"{'dbt build alone (one invocation, all layers)':<44}{dbt_wall:>10.1f}")
    print(f"ratio second-day / first run: {second_s / first_s:.2f}")
    print(f"peak RSS of any one process: {peak:.2f} GiB")
    print()
    print(
        f"{'dbt layer':<14}{'cosmos 1st':>12}{'cosmos 2nd':>12}{'dbt alone':>12}{'1st / alone':>13}"
    )
    for layer in LAYERS:
        alone = dbt_layers.get(layer, 0.0)
        one = first_layers.get(layer, 0.0)
        ratio = f"{one / alone:>13.1f}" if alone else f"{'-':>13}"
        print(f"{layer:<14}{one:>12.1f}{second_layers.get(layer, 0.0):>12.1f}{alone:>12.1f}{ratio}")
    print("(seconds summed over the layer's models; cosmos times include each task's dbt start-up)")


if __name__ == "__main__":
    main()
