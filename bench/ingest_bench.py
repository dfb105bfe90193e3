"""Ingest path vs plain COPY for the population registry, measured in the same run.

    uv run python bench/ingest_bench.py [--scale small|city] [--landing DIR]

Baseline: ``COPY ... FROM STDIN (FORMAT csv, HEADER)`` of the same file's bytes into an
unindexed text table. Full path: discovery, checksum, read (pyarrow), contract mapping,
the quality gate, ``COPY`` with lineage into the raw table, reconciliation and the
ledger, exactly as an ``ingest_population`` task runs it. Prints rows/s of both and
their ratio, where the full path's time went, and what Great Expectations would cost
on every row (the gate runs GX on a sample of large files and checks every row with
``ingest.checks``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import resource
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

GX_MEASURE_ROWS = 1_000_000  # GX on every row is timed on at most this many rows


def _plain_copy(url: str, path: Path) -> tuple[float, int]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        width = len(next(csv.reader(f)))  # a delivery may carry extra columns
    with psycopg.connect(url) as conn:
        cols = ", ".join(f"c{i} text" for i in range(width))
        conn.execute(f"create table public.plain_copy ({cols})")
        conn.commit()
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
        seconds = time.perf_counter() - t
        rows = conn.execute("select count(*) from public.plain_copy").fetchone()[0]
        conn.execute("drop table public.plain_copy")
        conn.commit()
    return seconds, rows


def _gx_every_row(path: Path, gx_home: Path) -> tuple[float, int]:
    """Seconds GX takes to validate the first rows of the file, and how many rows."""
    from cityops.settings import get_settings
    from ingest.mapping import plan_mapping
    from ingest.readers import open_reader
    from ingest.reading import to_frame
    from ingest.sources import get_source
    from ingest.validate import Gate

    source = get_source("population")
    (entity,) = source.entities_for(path.name)
    gate = Gate(gx_home, get_settings().expectations_dir)
    reader = open_reader(entity, path)
    seconds, rows = 0.0, 0
    for raw in reader.batches():
        batch = plan_mapping(entity, reader.headers).apply(raw)
        t = time.perf_counter()
        gate.validate(source, entity, to_frame(batch, 0))
        seconds += time.perf_counter() - t
        rows += batch.num_rows
        if rows >= GX_MEASURE_ROWS:
            break
    return seconds, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "district", "city"])
    parser.add_argument(
        "--landing", type=Path, default=None, help="an existing generated landing folder"
    )
    args = parser.parse_args()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

    from cityops.settings import get_settings
    from cityops.synth import generate
    from cityops.warehouse import bootstrap, warehouse_url, with_database
    from ingest.pipeline import GROUP_FILE_BYTES, ingest_pending

    work = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    landing = args.landing
    if landing is None:
        landing = work / "landing"
        generate(args.scale, 1, dt.date(2026, 11, 24), landing, work / "truth")
    path = sorted((landing / "population").glob("*/persons_*.csv"))[-1]
    one = work / "one" / "population" / path.parent.name
    one.mkdir(parents=True)
    (one / path.name).symlink_to(path)
    size = path.stat().st_size

    base = warehouse_url()
    name = f"cityops_bench_{uuid.uuid4().hex[:8]}"
    admin = with_database(base, "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = with_database(base, name)
    try:
        bootstrap(url)
        with path.open("rb") as f:  # warm the page cache: neither run pays for the disk
            while f.read(1 << 24):
                pass
        plain_s, rows = _plain_copy(url, path)
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
                "select sum(read_seconds), sum(validate_seconds), sum(copy_seconds) "
                "from ops.load_batches where status = 'loaded'"
            ).fetchone()
        gx_s, gx_rows = _gx_every_row(path, work / "gx")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    streamed = size > GROUP_FILE_BYTES
    print(
        f"population file: {path.name}, {rows:,} rows, {size / 2**20:,.0f} MiB, {os.cpu_count()} cores"
    )
    print(f"{'path':<40}{'seconds':>10}{'rows/s':>14}")
    print(f"{'plain COPY (baseline)':<40}{plain_s:>10.2f}{rows / plain_s:>14,.0f}")
    print(f"{'full ingest path':<40}{full_s:>10.2f}{rows / full_s:>14,.0f}")
    print(f"ratio full path / plain COPY throughput: {plain_s / full_s:.2f} (target >= 0.8)")
    print(
        f"inside the full path ({'streamed: reading thread overlaps COPY' if streamed else 'small file: read, then GX, then COPY'}): "
        f"read+map+encode {read_s:.2f} s, checks+GX {validate_s:.2f} s, COPY {copy_s:.2f} s"
    )
    gx_per_row = gx_s / gx_rows
    print(
        f"GX on every row (timed on {gx_rows:,} rows): {gx_per_row * 1e6:.1f} s per million rows, "
        f"{gx_per_row * rows / plain_s:.2f}x the plain COPY time of this file; "
        f"GX import once per worker: {import_s:.1f} s (not counted)"
    )
    print(f"peak RSS of this process: {peak:.2f} GiB")


if __name__ == "__main__":
    main()
