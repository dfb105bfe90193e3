"""The whole pipeline at one scale: a first run, a second-day run, and dbt per layer.

    uv run python bench/pipeline_bench.py [--scale small] [--landing DIR --as-of YYYY-MM-DD]

1. First run: the landing area without its newest delivery day goes through
   ``cityops run`` (ingest DAGs -> cosmos transform -> exports) as of the day before, in a
   fresh warehouse.
2. Second-day run: the newest day is delivered and ``cityops run`` runs as of that day;
   only the new files load, and the build rebuilds only the models below the new
   deliveries or reading ``as_of`` (cityops/incremental.py).
3. Snapshot day (``--snapshot-day``, which turns on CITYOPS_DIFF_REGISTRY_SNAPSHOTS for
   every run): the registry's next snapshot (a month of changes,
   cityops/synth/next_snapshot.py) is delivered on the newest day and ``cityops run`` runs
   again: the snapshot is diffed against the staged records and the registry recomputes
   only the changed IDs. Baseline in the same run: the same models then rebuilt in full
   on the same data (``--full-refresh``); both must give the same current records and
   registry (checked by an order-free digest).
4. dbt alone: one full ``dbt build`` on the same warehouse, for the baseline per layer.

Prints wall time and peak memory of both runs, where each run's time goes (ingest, the
transform's one `dbt build`, its per-node tasks, exports), the transform's build against
the same `dbt build` run alone (the cost of orchestration), and dbt's time per layer.
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
from typing import TYPE_CHECKING

import psycopg

if TYPE_CHECKING:
    from cityops.synth.next_snapshot import ChangeCount

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


def _dag_seconds(home: Path, since: str) -> dict[str, float]:
    """Wall seconds per step of the runs started after ``since``: ingest (all ingest DAGs),
    the transform's dbt build (its producer task), the transform's other tasks, exports."""
    with sqlite3.connect(home / "airflow" / "airflow.db") as db:
        rows = db.execute(
            "select dag_id, task_id, min(start_date), max(end_date), sum(duration) "
            "from task_instance where start_date > ? group by dag_id, task_id",
            (since,),
        ).fetchall()
    out: dict[str, float] = defaultdict(float)
    spans: dict[str, list[str]] = defaultdict(list)
    for dag_id, task_id, start, end, duration in rows:
        if dag_id.startswith("ingest_"):
            spans["ingest"] += [start, end]
        elif dag_id == "transform" and task_id == "dbt_producer_watcher":
            out["dbt build (producer task)"] += duration or 0.0
        elif dag_id == "transform":
            out["per-node tasks (sum)"] += duration or 0.0
            spans["transform"] += [start, end]
        elif dag_id == "export_matching":
            spans["exports"] += [start, end]
    for step, stamps in spans.items():
        stamps = [dt.datetime.fromisoformat(x) for x in stamps if x]
        out[f"{step} (wall)"] = (max(stamps) - min(stamps)).total_seconds()
    return out


class MemorySampler:
    """Peak of the machine's used memory (MemTotal - MemAvailable) above its level at start:
    the pipeline's processes and the PostgreSQL server together."""

    def __init__(self, every: float = 0.5) -> None:
        import threading

        self.base = self.peak = self._used()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    @staticmethod
    def _used() -> int:
        info = dict(
            (line.split(":")[0], int(line.split()[1]))
            for line in Path("/proc/meminfo").read_text().splitlines()
        )
        return (info["MemTotal"] - info["MemAvailable"]) * 1024

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            self.peak = max(self.peak, self._used())

    def stop(self) -> float:
        """GiB above the level at start."""
        self._stop.set()
        self._thread.join()
        return (self.peak - self.base) / 2**30


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


def _slowest_nodes(home: Path, since: str, until: str, top: int = 12) -> list[tuple[str, float]]:
    """The slowest nodes dbt finished between two UTC times (its structured log, seconds)."""
    since, until = since.replace(" ", "T"), until.replace(" ", "T")
    seen: dict[str, float] = {}
    for log in sorted((home / "dbt" / "logs").glob("dbt.log*")):
        for line in log.read_text(errors="replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
                continue
            data, when = event["data"], event.get("info", {}).get("ts", "")
            node = (data.get("node_info") or {}).get("unique_id")
            if node and "execution_time" in data and since <= when < until:
                seen[node.split(".", 2)[-1]] = float(data["execution_time"])
    return sorted(seen.items(), key=lambda kv: kv[1], reverse=True)[:top]


#: The models a snapshot day diffs or updates in place rather than rebuilding.
SNAPSHOT_MODELS = ("stg_population__persons", "int_person_duplicate_ids", "int_person_registry")

#: Order-free digests of what a diffed and a full build must agree on.
SNAPSHOT_DIGESTS = {
    "current staged records": (
        "select count(*), sum(hashtextextended(s::text, 0)::numeric) from ("
        "select id_number_normalised, id_number_problem, person_name, gender, birth_date,"
        " household_no, relation_to_head, district_code, street_name, address,"
        " registry_status, updated_at_text, record_hash"
        " from staging.stg_population__persons where withdrawn_batch_id is null) as s"
    ),
    "registry": (
        "select count(*), sum(hashtextextended(r::text, 0)::numeric) from ("
        "select person_key, id_number_normalised, person_name, gender, birth_date,"
        " household_no, relation_to_head, district_code, street_name, registry_status"
        " from intermediate.int_person_registry) as r"
    ),
}


def _digests(url: str) -> dict[str, tuple]:
    with psycopg.connect(url) as conn:
        return {k: tuple(conn.execute(sql).fetchone()) for k, sql in SNAPSHOT_DIGESTS.items()}


def _deliver_next_snapshot(landing: Path, day: str) -> ChangeCount:
    """The registry's next snapshot, from its newest in ``landing``, delivered on ``day``."""
    from cityops.synth.next_snapshot import next_snapshot

    previous = sorted(landing.glob("population/*/persons_*.csv"))[-1]
    when = dt.date.fromisoformat(day)
    out = landing / "population" / day / f"persons_{when:%Y%m%d}.csv"
    return next_snapshot(previous, out, when)


def _full_rebuild(url: str, home: Path, as_of: str, models: tuple[str, ...]) -> dict[str, float]:
    """Rebuild ``models`` in full; dbt's seconds per model."""
    from cityops.dbt import run_dbt

    run_dbt(["run", "--full-refresh", "--select", *models], url, as_of=as_of, quiet=True)
    results = json.loads((home / "dbt" / "target" / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results}


def machine_probe(url: str) -> dict[str, float]:
    """How fast this machine is right now, for comparing runs made on other days: the
    pipeline's absolute times move with the machine, the ratios printed here do not."""
    import hashlib

    block = b"\x5a" * (256 << 20)
    t = time.perf_counter()
    hashlib.sha256(block).digest()
    sha = 256 / (time.perf_counter() - t)
    with psycopg.connect(url) as conn:
        t = time.perf_counter()
        conn.execute("select sum(i) from generate_series(1, 10000000) as i").fetchone()
        pg = time.perf_counter() - t
    return {"sha256_mib_s": sha, "pg_sum_s": pg}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "district", "city"])
    parser.add_argument("--landing", type=Path, default=None, help="an existing landing folder")
    parser.add_argument("--as-of", default=AS_OF, help="the as-of date of --landing")
    parser.add_argument(
        "--snapshot-day",
        action="store_true",
        help="diff registry snapshots; then deliver the next one and run again (diffed vs in full)",
    )
    parser.add_argument(
        "--no-dbt-alone",
        action="store_true",
        help="leave out step 3 (a full `dbt build` alone: ~20 min at city scale)",
    )
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
    if args.snapshot_day:
        env["CITYOPS_DIFF_REGISTRY_SNAPSHOTS"] = os.environ["CITYOPS_DIFF_REGISTRY_SNAPSHOTS"] = "1"

    def now() -> str:
        return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")

    probe = machine_probe(url)
    memory = MemorySampler()
    try:
        mark = now()
        marks = [mark]
        day_before = (dt.date.fromisoformat(newest) - dt.timedelta(days=1)).isoformat()
        first_s = _cityops_run(env, first, day_before, work / "first.log")
        first_steps = _dag_seconds(home, mark)
        for folder in sorted(p for p in later.glob("*/*")):
            target = first / folder.parent.name / folder.name
            target.mkdir(parents=True)
            for f in folder.iterdir():
                os.link(f, target / f.name)
        mark = now()
        marks.append(mark)
        second_s = _cityops_run(env, first, newest, work / "second.log")
        second_steps = _dag_seconds(home, mark)
        marks.append(now())
        os.environ["WAREHOUSE_URL"] = url
        snapshot: dict[str, object] = {}
        if args.snapshot_day:
            snapshot["changes"] = _deliver_next_snapshot(first, newest)
            mark = now()
            snapshot["run_s"] = _cityops_run(env, first, newest, work / "snapshot.log")
            snapshot["steps"] = _dag_seconds(home, mark)
            marks.append(now())
            nodes = dict(_slowest_nodes(home, mark, marks[-1], top=10_000))
            snapshot["diffed"] = {m: nodes.get(m, 0.0) for m in SNAPSHOT_MODELS}
            snapshot["slowest"] = list(nodes.items())[:12]
            snapshot["digest_diffed"] = _digests(url)
            snapshot["full"] = _full_rebuild(url, home, newest, SNAPSHOT_MODELS)
            snapshot["digest_full"] = _digests(url)
        dbt_wall, dbt_layers = (0.0, {}) if args.no_dbt_alone else _dbt_alone(url, home, newest)
        with psycopg.connect(url) as conn:
            raw_rows = conn.execute(
                "select coalesce(sum(rows_loaded), 0) from ops.load_batches where status = 'loaded'"
            ).fetchone()[0]
    finally:
        machine_peak = memory.stop()
        with psycopg.connect(with_database(base, "postgres"), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{url.rsplit("/", 1)[1]}" with (force)')
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    print(f"scale {args.scale}: {raw_rows:,} raw rows loaded; newest day {newest} held back")
    print(
        f"machine probe (before the runs): sha256 {probe['sha256_mib_s']:,.0f} MiB/s in Python, "
        f"PostgreSQL sums 10 M integers in {probe['pg_sum_s']:.2f} s (compare runs of other days)"
    )
    print(f"{'run':<46}{'seconds':>10}")
    print(f"{'first run (cityops run, all but one day)':<46}{first_s:>10.1f}")
    print(f"{'second-day run (one new day of deliveries)':<46}{second_s:>10.1f}")
    if dbt_wall:
        print(f"{'dbt build alone (one invocation, all layers)':<46}{dbt_wall:>10.1f}")
    print(f"ratio second-day / first run: {second_s / first_s:.2f}")
    print(f"peak RSS of any one pipeline process: {peak:.2f} GiB")
    print(f"peak machine memory above the start (pipeline + PostgreSQL): {machine_peak:.2f} GiB")
    print()
    print(f"{'step':<30}{'first run':>12}{'second-day':>12}")
    for step in sorted(set(first_steps) | set(second_steps)):
        one, two = first_steps.get(step, 0.0), second_steps.get(step, 0.0)
        print(f"{step:<30}{one:>12.1f}{two:>12.1f}")
    producer = first_steps.get("dbt build (producer task)", 0.0)
    if producer and dbt_wall:
        print(f"transform's dbt build / dbt build alone: {producer / dbt_wall:.2f}")
    if dbt_layers:
        print()
        print(f"{'dbt layer (dbt alone)':<24}{'seconds':>10}")
        for layer in LAYERS:
            print(f"{layer:<24}{dbt_layers.get(layer, 0.0):>10.1f}")
        print("(seconds summed over the layer's nodes; dbt runs them on several threads)")
    if snapshot:
        c = snapshot["changes"]
        print()
        print(
            f"snapshot day: the next registry snapshot ({c.records_out:,} records; changed: "
            + ", ".join(f"{k} {v:,}" for k, v in c.changed.items())
            + f") delivered and run: {snapshot['run_s']:.1f} s"
        )
        for step, seconds in sorted(snapshot["steps"].items()):
            print(f"  {step:<28}{seconds:>10.1f}")
        print(f"{'model':<34}{'diffed':>10}{'in full':>10}{'ratio':>8}")
        for m in SNAPSHOT_MODELS:
            one, full = snapshot["diffed"][m], snapshot["full"].get(m, 0.0)
            print(f"{m:<34}{one:>10.1f}{full:>10.1f}{(one / full if full else 0):>8.2f}")
        one, full = sum(snapshot["diffed"].values()), sum(snapshot["full"].values())
        print(f"{'together':<34}{one:>10.1f}{full:>10.1f}{(one / full if full else 0):>8.2f}")
        same = snapshot["digest_diffed"] == snapshot["digest_full"]
        print(f"diffed and full builds agree (records, registry): {'yes' if same else 'NO'}")
        print("slowest nodes of the snapshot day (dbt's timings, seconds):")
        for node, seconds in snapshot["slowest"]:
            print(f"  {node:<70}{seconds:>8.1f}")
    for label, since, until in (("first run", *marks[:2]), ("second-day run", *marks[1:3])):
        slowest = _slowest_nodes(home, since, until)
        if slowest:
            print()
            print(f"slowest nodes of the {label} (dbt's timings, seconds):")
            for node, seconds in slowest:
                print(f"  {node:<70}{seconds:>8.1f}")


if __name__ == "__main__":
    main()
