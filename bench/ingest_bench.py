"""Ingest path vs plain COPY for the population registry, measured in the same run.

    uv run python bench/ingest_bench.py [--scale small] [--landing DIR]

Baseline: `COPY ... FROM STDIN (FORMAT csv, HEADER)` of the same file's bytes into an
unindexed text table. Full path: discovery, read (pyarrow), contract mapping, Great
Expectations, COPY with lineage columns, reconciliation and the ledger. Prints rows/s of
both, their ratio, and the GX share of the full path.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
import uuid
from pathlib import Path

import psycopg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "city"])
    parser.add_argument(
        "--landing", type=Path, default=None, help="an existing generated landing folder"
    )
    args = parser.parse_args()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

    from cityops.settings import get_settings
    from cityops.synth import generate
    from cityops.warehouse import bootstrap, warehouse_url, with_database
    from ingest.pipeline import ingest_pending

    work = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    landing = args.landing
    if landing is None:
        landing = work / "landing"
        generate(args.scale, 1, dt.date(2026, 11, 24), landing, work / "truth")
    files = sorted((landing / "population").glob("*/persons_*.csv"))
    path = files[-1]
    one = work / "one" / "population" / path.parent.name
    one.mkdir(parents=True)
    (one / path.name).symlink_to(path)

    base = warehouse_url()
    name = f"cityops_bench_{uuid.uuid4().hex[:8]}"
    admin = with_database(base, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = with_database(base, name)
    try:
        bootstrap(url)
        with psycopg.connect(url) as conn:
            cols = ", ".join(f"c{i} text" for i in range(11))
            conn.execute(f"create table public.plain_copy ({cols})")
            t = time.perf_counter()
            with (
                conn.cursor().copy(
                    "copy public.plain_copy from stdin with (format csv, header)"
                ) as copy,
                path.open("rb") as f,
            ):
                for block in iter(lambda: f.read(1 << 20), b""):
                    copy.write(block)
            conn.commit()
            plain_s = time.perf_counter() - t
            rows = conn.execute("select count(*) from public.plain_copy").fetchone()[0]
        settings = get_settings()
        t = time.perf_counter()
        import great_expectations  # noqa: F401  (a worker imports it once, not per file)

        import_s = time.perf_counter() - t
        t = time.perf_counter()
        summary = ingest_pending(
            url,
            "population",
            work / "one",
            gx_home=work / "gx",
            expectations_dir=settings.expectations_dir,
            quarantine_root=work / "q",
            build_docs=False,
        )
        full_s = time.perf_counter() - t
        assert summary.rows_loaded == rows, (summary.rows_loaded, rows)
        with psycopg.connect(url) as conn:
            read_s, validate_s, copy_s = conn.execute(
                "select sum(read_seconds), sum(validate_seconds), sum(copy_seconds) from ops.load_batches "
                "where status = 'loaded'"
            ).fetchone()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
    print(f"population file: {path.name}, {rows:,} rows, {path.stat().st_size / 2**20:,.0f} MiB")
    print(f"{'path':<36}{'seconds':>10}{'rows/s':>14}")
    print(f"{'plain COPY (baseline)':<36}{plain_s:>10.2f}{rows / plain_s:>14,.0f}")
    print(f"{'full ingest path':<36}{full_s:>10.2f}{rows / full_s:>14,.0f}")
    print(f"(GX import, once per worker process, not counted: {import_s:.1f} s)")
    print(f"ratio full / plain COPY throughput: {plain_s / full_s:.2f} (target >= 0.8)")
    print(
        f"inside the full path: read+map {read_s:.2f} s, GX validation {validate_s:.2f} s "
        f"({validate_s / full_s:.0%} of the path, {validate_s / plain_s:.2f}x the plain COPY time), COPY {copy_s:.2f} s"
    )


if __name__ == "__main__":
    main()
