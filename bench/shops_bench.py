"""汇商码 at scale: what the shop sources add to a run, how well records link, and how the
inspection work list does held out in time.

    uv run python bench/shops_bench.py [--scale small|city] [--shops N]

Generates the shop sources alone (SOURCES.md 9-13) at the scale's size, then in a fresh
warehouse database:

1. first run: ingest all five sources (GX gate included), then ``dbt build`` of every
   shop model and its tests (``+path:models/marts/shops``); the baseline is PostgreSQL's own
   ``COPY`` of the same files' rows into text tables, measured in the same run;
2. second day: one more month of consumer feedback arrives; ingest it and rebuild what
   depends on it among the shop models (the transform also rebuilds the enterprise file);
3. links of each source's records against the generator's truth (precision, recall) and
   the work list's time-split evaluation (share of later critical findings in the top 20 %,
   against oldest-inspection-first).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import tempfile
import time
from pathlib import Path

import psycopg

AS_OF = dt.date(2026, 11, 24)
SOURCES = ["shops", "shop_licences", "shop_inspections", "shop_ratings", "consumer_feedback"]


def _copy_baseline(url: str, landing: Path) -> tuple[float, int]:
    """COPY every shop file's rows, as text, into scratch tables (no checks, no lineage)."""
    from ingest.readers import open_reader
    from ingest.sources import REGISTRY

    batches = []
    for source in SOURCES:
        spec = REGISTRY[source]
        for path in sorted((landing / source).glob("*/*")):
            for entity in spec.entities_for(path.name):
                batches.extend(open_reader(entity, path).batches())
    rows = sum(b.num_rows for b in batches)
    t = time.perf_counter()
    with psycopg.connect(url) as conn:
        for i, batch in enumerate(batches):
            columns = ", ".join(f'"{c}" text' for c in batch.schema.names)
            conn.execute(f"create temporary table copy_{i} ({columns})")
            with conn.cursor().copy(f"copy copy_{i} from stdin") as copy:
                for row in zip(*(c.to_pylist() for c in batch.columns), strict=True):
                    copy.write_row([None if v is None else str(v) for v in row])
        conn.commit()
    return time.perf_counter() - t, rows


def _later_feedback(landing: Path, later: Path) -> None:
    """Hold back the newest feedback delivery: it arrives on the second day."""
    newest = sorted((landing / "consumer_feedback").iterdir())[-1]
    (later / "consumer_feedback").mkdir(parents=True)
    newest.rename(later / "consumer_feedback" / newest.name)


def _build(url: str, selection: str) -> float:
    """``dbt build`` of ``selection`` (tests only of what it builds); its seconds."""
    from cityops.dbt import run_dbt

    t = time.perf_counter()
    run_dbt(
        ["build", "--select", selection, "--indirect-selection", "cautious"],
        url,
        as_of=AS_OF.isoformat(),
        quiet=True,
    )
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "district", "city"])
    parser.add_argument("--shops", type=int, help="shops to generate (default: the scale's)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from cityops import evaluation
    from cityops.synth.config import SCALES
    from cityops.synth.generate import generate_shops
    from cityops.warehouse import scratch_database, warehouse_url
    from ingest.direct import ingest_landing

    spec = SCALES[args.scale]
    n_shops = args.shops or spec.shops
    with tempfile.TemporaryDirectory(prefix="shops-bench-") as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        generate_shops(n_shops, spec.shop_months, 7, AS_OF, root / "landing", root / "truth")
        print(
            f"generated {n_shops:,} shops ({spec.shop_months} months) in {time.perf_counter() - t:.1f} s"
        )
        _later_feedback(root / "landing", root / "later")
        with scratch_database(warehouse_url(), "cityops_bench_shops") as url:
            copy_s, copy_rows = _copy_baseline(url, root / "landing")
            t = time.perf_counter()
            summaries = ingest_landing(url, root / "landing", root / "work", SOURCES)
            ingest_s = time.perf_counter() - t
            loaded = sum(s.rows_loaded for s in summaries.values())
            build_s = _build(url, "+path:models/marts/shops")

            (root / "later" / "consumer_feedback").rename(root / "new")
            for folder in (root / "new").iterdir():
                folder.rename(root / "landing" / "consumer_feedback" / folder.name)
            t = time.perf_counter()
            ingest_landing(url, root / "landing", root / "work", ["consumer_feedback"])
            ingest2_s = time.perf_counter() - t
            # the shop models below the feedback; the enterprise file (which lists an
            # enterprise's shop licences) is below it too, but reads sources this bench
            # does not generate: enterprises_bench.py times it
            build2_s = _build(
                url,
                "stg_consumer_feedback__feedback+,path:models/intermediate/shops "
                "stg_consumer_feedback__feedback+,path:models/marts/shops "
                "stg_consumer_feedback__feedback",
            )

            print(f"\nfirst run  ({loaded:,} rows loaded; COPY baseline {copy_rows:,} rows)")
            print(f"  plain COPY of the same rows  {copy_s:8.2f} s")
            print(
                f"  ingest with the GX gate      {ingest_s:8.2f} s  ({ingest_s / copy_s:.1f}x COPY)"
            )
            print(f"  dbt build of the shop models {build_s:8.2f} s")
            print(f"  added to a first run         {ingest_s + build_s:8.2f} s")
            print("second day (one month of feedback)")
            print(f"  ingest                       {ingest2_s:8.2f} s")
            print(f"  rebuild below the feedback   {build2_s:8.2f} s")
            print(f"  added to a second day        {ingest2_s + build2_s:8.2f} s")

            print("\nlinks against the truth            expected    found  precision  recall")
            for source in (
                "consumer_feedback",
                "shop_licences",
                "shop_inspections",
                "shop_ratings",
            ):
                s = evaluation.shop_links(url, root / "truth", source)
                print(
                    f"  {source:<30} {s.expected:>9,} {s.found:>8,} {s.precision:>10.4f} {s.recall:>7.4f}"
                )
            with psycopg.connect(url) as conn:
                colours = dict(
                    conn.execute("select colour, count(*) from marts.mart_shop_code group by 1")
                )
                e = conn.execute(
                    "select split_date, shops_ranked, top_n, critical_findings, held_by_worklist, "
                    "held_by_oldest_first, lift_over_oldest_first from marts.mart_shop_worklist_evaluation"
                ).fetchone()
            print(
                "\ncolours: "
                + ", ".join(
                    f"{c} {colours.get(c, 0):,}" for c in ("green", "yellow", "red", "grey")
                )
            )
            print(
                f"work list held out from {e[0]}: top {e[2]} of {e[1]} shops held {e[4]} of {e[3]} "
                f"critical findings; oldest inspection first held {e[5]} (ratio {e[6]})"
            )
            print(
                json.dumps(
                    {
                        "scale": args.scale,
                        "shops": n_shops,
                        "copy_s": round(copy_s, 2),
                        "ingest_s": round(ingest_s, 2),
                        "build_s": round(build_s, 2),
                        "second_day_s": round(ingest2_s + build2_s, 2),
                        "lift": float(e[6]) if e[6] is not None else None,
                    }
                )
            )


if __name__ == "__main__":
    main()
