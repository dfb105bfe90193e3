"""Every benchmark at one scale, one after the other (what `make bench` runs).

    uv run python bench/run_all.py [--scale small|city] [--landing DIR]

Each benchmark runs in its own process and prints its own table and ratios; a city-scale
run wants an existing landing area (``generate_bench.py --scale city --out DIR`` makes
one, at ``DIR/landing``) and leaves out the pipeline bench's full `dbt build` baseline.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "district", "city"])
    parser.add_argument("--landing", type=Path, default=None, help="an existing landing folder")
    args = parser.parse_args()
    scale = ["--scale", args.scale]
    landing = ["--landing", str(args.landing)] if args.landing else []
    runs = [["generate_bench.py", *scale]] if args.landing is None else []
    runs += [
        ["ingest_bench.py", *scale, *landing],
        ["pipeline_bench.py", *scale, *landing, "--snapshot-day"],
    ]
    if args.scale == "city":
        runs[-1].append("--no-dbt-alone")
    # the scenes' own benchmarks put their sources at city size on a smaller city
    runs += [["shops_bench.py", *scale], ["enterprises_bench.py", "--scale", "small"]]
    failed = []
    for script, *rest in runs:
        print(f"\n== {script} {' '.join(rest)}", flush=True)
        if subprocess.run([sys.executable, str(HERE / script), *rest]).returncode != 0:
            failed.append(script)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
