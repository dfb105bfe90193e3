"""From a landed readings file to its billboard alert: the time of the run that raises it.

    uv run python bench/alert_latency_bench.py [--scale tiny]

1. A generated city goes through ``cityops run`` as of its newest day (the first run).
2. A new hourly readings file lands on that day: one device tilted past the alert
   threshold at 23:30, every other device as it was. ``cityops run`` runs again as of
   the same day and is timed: it ingests the file, rebuilds what the file changed, and the
   alert must be in ``marts.mart_billboard_alerts`` when it returns.
3. Baseline in the same run: ``cityops run`` once more with nothing new (the fixed cost of
   a run: DAG parsing, the ingest DAGs finding no file, the build finding nothing to do).

Prints both times, their ratio, and the models the alert run rebuilt and why.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

AS_OF = dt.date(2026, 11, 24)


def _run(env: dict[str, str], landing: Path, log: Path) -> float:
    t = time.perf_counter()
    with log.open("w") as out:
        subprocess.run(
            [sys.executable, "-m", "cityops", "run", "--landing", str(landing)]
            + ["--as-of", AS_OF.isoformat()],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    return time.perf_counter() - t


def _land_tilted_hour(landing: Path, quiet: set[str]) -> tuple[str, str]:
    """Write ``readings_23.jsonl`` for the as-of day: one device of ``quiet`` (none of its
    alerts raised yet) tilts 3.5 degrees."""
    day = landing / "billboards" / AS_OF.isoformat()
    day.mkdir(parents=True, exist_ok=True)
    last = sorted((landing / "billboards").glob("*/readings_*.jsonl"))[-1]
    seen = {json.loads(line)["device_id"] for line in last.read_text().splitlines() if line}
    devices = sorted(seen & quiet) + sorted(seen - quiet)
    target = day / "readings_23.jsonl"
    if target.exists():
        target.unlink()
    read_at = f"{AS_OF.isoformat()}T23:30:00+08:00"
    lines = [
        json.dumps(
            {
                "device_id": device,
                "ts": read_at,
                "tilt_deg": 3.5 if i == 0 else 0.2,
                "vibration_mm_s": 0.5,
                "battery_pct": 80,
            }
        )
        for i, device in enumerate(devices)
    ]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return devices[0], read_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="tiny", choices=["tiny", "small", "district"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="alert-bench-"))
    home = work / "home"
    os.environ["CITYOPS_HOME"] = str(home)
    from cityops.settings import get_settings
    from cityops.synth import generate
    from cityops.warehouse import ensure_database, warehouse_url, with_database

    get_settings.cache_clear()
    landing = work / "landing"
    generate(args.scale, 1, AS_OF, landing, work / "truth")
    base = warehouse_url()
    name = f"cityops_bench_{uuid.uuid4().hex[:8]}"
    url = with_database(base, name)
    ensure_database(url)
    env = {**os.environ, "WAREHOUSE_URL": url, "CITYOPS_HOME": str(home)}
    env.pop("VIRTUAL_ENV", None)
    try:
        first_s = _run(env, landing, work / "first.log")
        with psycopg.connect(url) as conn:
            quiet = {
                r[0]
                for r in conn.execute(
                    "select device_id from marts.dim_billboard except "
                    "select device_id from marts.mart_billboard_alerts"
                )
            }
        device, read_at = _land_tilted_hour(landing, quiet)
        alert_s = _run(env, landing, work / "alert.log")
        with psycopg.connect(url) as conn:
            alerts = conn.execute(
                "select rule, first_at from marts.mart_billboard_alerts "
                "where device_id = %s and rule = 'tilt_over_limit' and first_at = %s::timestamptz",
                (device, read_at),
            ).fetchall()
            rebuilt, kept, reasons = conn.execute(
                "select nodes_rebuilt, nodes_kept, reasons from ops.transform_builds "
                "order by build_id desc limit 1"
            ).fetchone()
        idle_s = _run(env, landing, work / "idle.log")
    finally:
        with psycopg.connect(with_database(base, "postgres"), autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
    print(f"\nscale {args.scale}: first run {first_s:.1f} s")
    print(f"alert raised: {alerts or 'NONE'}")
    print(f"landed file -> alert (one `cityops run`): {alert_s:.1f} s")
    print(f"baseline, a run with nothing new:          {idle_s:.1f} s")
    print(f"ratio: {alert_s / idle_s:.2f}x the fixed cost of a run")
    print(f"models rebuilt {rebuilt}, kept {kept}:")
    for node, why in sorted(reasons.items()):
        print(f"  {node.split('.')[-1]}: {why}")
    if not alerts:
        sys.exit("the tilted reading raised no alert")


if __name__ == "__main__":
    main()
