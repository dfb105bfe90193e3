"""Synthetic city generation: rows/s per source and peak memory, per scale.

    uv run python bench/generate_bench.py --scale small [--out DIR]

Each scale runs in a fresh process so that peak RSS (ru_maxrss) belongs to it alone.
The baseline ratio compares person rows/s with the issue's target (200k rows/s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_PERSON_ROWS_PER_S = 200_000


def child(scale: str, out: Path) -> None:
    from cityops.synth import generate

    t = time.perf_counter()
    report = generate(scale, 1, dt.date(2026, 11, 24), out / "landing", out / "truth")
    total = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "total_s": total,
                "peak_bytes": peak,
                "sources": {
                    k: {"files": v.files, "rows": v.rows, "seconds": v.seconds}
                    for k, v in report.sources.items()
                },
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "district", "city"])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix=f"gen-{args.scale}-"))
    if args.child:
        child(args.scale, out)
        return
    proc = subprocess.run(
        [sys.executable, __file__, "--child", "--scale", args.scale, "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"generate --scale {args.scale}: {result['total_s']:.1f} s, peak RSS {result['peak_bytes'] / 2**30:.2f} GiB"
    )
    print(f"{'source':<20}{'files':>8}{'rows':>14}{'seconds':>10}{'rows/s':>12}")
    for name, s in result["sources"].items():
        rate = s["rows"] / s["seconds"] if s["seconds"] else 0
        print(f"{name:<20}{s['files']:>8,}{s['rows']:>14,}{s['seconds']:>10.1f}{rate:>12,.0f}")
    pop = result["sources"]["population"]
    rate = pop["rows"] / pop["seconds"]
    print(
        f"population rows/s vs the {TARGET_PERSON_ROWS_PER_S:,} target: {rate / TARGET_PERSON_ROWS_PER_S:.2f}x"
    )
    print(f"landing: {out / 'landing'}")


if __name__ == "__main__":
    main()
