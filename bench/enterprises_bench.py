"""精准营商 and 政策通 at scale: what the enterprise and policy sources add to a run, how alerts,
building links and office matching do against the truth, and how fast policies match.

    uv run python bench/enterprises_bench.py [--scale small] [--enterprises 300000] [--policies 300]

Generates a city at ``--scale`` whose enterprise and policy sources (SOURCES.md 14-19) have
the city's size (300,000 enterprises, 1,000 office buildings, 300 requests a month, 300
policies by default), then
in a fresh warehouse database:

1. the rest of the city is ingested and built first (not timed: it is what a run does
   anyway); then the enterprise and policy sources are ingested (GX gate included) and
   every enterprise and policy model is built with its tests (the enterprise file lists
   the policies matched, so the two scenes build together); the baseline is PostgreSQL's
   own ``COPY`` of the same files' rows into text tables, measured in the same run;
2. policy matching alone: the matching models (facts, condition slots, near-miss pairs,
   matches, near misses) are run again; it prints enterprises x policies in force, the
   pairs the policies reach and conditions tested a second, and matches against the
   generator's own evaluation of the rules;
3. second day: the newest change-feed delivery and the newest request workbook arrive;
   they are ingested and what depends on them is rebuilt (alerts feed the policy facts,
   so matching is part of it);
4. alerts (exact against the rules applied to the delivered truth), enterprise -> building
   links (precision, recall) and office matching's hit@1/3/5 (the unit each open request's
   enterprise signed, after the run date, among the first k proposed).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import logging
import tempfile
import time
from pathlib import Path

import psycopg

AS_OF = dt.date(2026, 11, 24)
SOURCES = ["enterprises", "enterprise_events", "enterprise_requests", "office_space"]
POLICY_SOURCES = ["policies", "policy_applications"]
LATER = ["enterprise_events", "enterprise_requests"]
ENTERPRISE_MODELS = (
    "path:models/staging/enterprises path:models/staging/enterprise_events "
    "path:models/staging/enterprise_requests path:models/staging/office_space "
    "path:models/intermediate/enterprises path:models/marts/enterprises"
)
POLICY_MODELS = "path:models/staging/policies path:models/staging/policy_applications path:models/marts/policies"
MATCHING_MODELS = (
    "dim_enterprise_policy_facts int_policy_condition_slots int_policy_near_misses "
    "mart_policy_matches mart_policy_near_misses"
)


def _copy_baseline(url: str, landing: Path) -> tuple[float, int]:
    """COPY every enterprise file's rows, as text, into scratch tables (no checks, no lineage)."""
    from ingest.readers import open_reader
    from ingest.sources import REGISTRY

    batches = []
    for source in SOURCES + POLICY_SOURCES:
        for path in sorted((landing / source).glob("*/*")):
            for entity in REGISTRY[source].entities_for(path.name):
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


def _build(url: str, *args: str, command: str = "build") -> float:
    from cityops.dbt import run_dbt

    t = time.perf_counter()
    run_dbt([command, *args], url, as_of=AS_OF.isoformat(), quiet=True)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "district"])
    parser.add_argument("--enterprises", type=int, default=300_000)
    parser.add_argument("--office-buildings", type=int, default=1_000)
    parser.add_argument("--requests-per-month", type=int, default=300)
    parser.add_argument("--policies", type=int, default=300)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from cityops import evaluation
    from cityops.synth import generate
    from cityops.warehouse import scratch_database, warehouse_url
    from ingest.direct import ingest_landing
    from ingest.sources import REGISTRY

    sizes = {
        "enterprises": args.enterprises,
        "office_buildings": args.office_buildings,
        "requests_per_month": args.requests_per_month,
        "policies": args.policies,
    }
    with tempfile.TemporaryDirectory(prefix="enterprises-bench-") as tmp:
        root = Path(tmp)
        landing, truth, later = root / "landing", root / "truth", root / "later"
        t = time.perf_counter()
        generate(args.scale, 7, AS_OF, landing, truth, sizes=sizes)
        print(f"generated a {args.scale} city with {sizes} in {time.perf_counter() - t:.1f} s")
        for source in LATER:  # the newest delivery of each arrives on the second day
            newest = sorted((landing / source).iterdir())[-1]
            (later / source).mkdir(parents=True)
            newest.rename(later / source / newest.name)
        with scratch_database(warehouse_url(), "cityops_bench_enterprises") as url:
            others = [s for s in REGISTRY if s not in SOURCES + POLICY_SOURCES]
            t = time.perf_counter()
            ingest_landing(url, landing, root / "work", others)
            _build(url, "--exclude", f"{ENTERPRISE_MODELS} {POLICY_MODELS}")
            print(f"the rest of the city, ingested and built: {time.perf_counter() - t:.1f} s")

            copy_s, copy_rows = _copy_baseline(url, landing)
            t = time.perf_counter()
            summaries = ingest_landing(url, landing, root / "work", SOURCES + POLICY_SOURCES)
            ingest_s = time.perf_counter() - t
            loaded = sum(s.rows_loaded for s in summaries.values())
            build_s = _build(url, "--select", f"{ENTERPRISE_MODELS} {POLICY_MODELS}")
            matching_s = _build(url, "--select", MATCHING_MODELS, command="run")
            with psycopg.connect(url) as conn:
                policies_in_force, matches = conn.execute(
                    "select (select count(*) from marts.dim_policy_version where is_in_force), "
                    "(select count(*) from marts.mart_policy_matches)"
                ).fetchone()
                reached, tested = conn.execute(  # the pairs matching evaluates, and conditions
                    "select sum(n)::bigint, sum(n * s.conditions)::bigint from marts.int_policy_condition_slots s "
                    "cross join lateral (select count(*) as n from marts.dim_enterprise_policy_facts f "
                    "where s.district is null or f.district = s.district) as r"
                ).fetchone()
                near_misses = conn.execute(
                    "select count(*) from marts.mart_policy_near_misses"
                ).fetchone()[0]
                found_first_day = set(
                    conn.execute("select uscc, policy_id from marts.mart_policy_matches")
                )

            for source in LATER:
                for folder in (later / source).iterdir():
                    folder.rename(landing / source / folder.name)
            t = time.perf_counter()
            ingest_landing(url, landing, root / "work", LATER)
            ingest2_s = time.perf_counter() - t
            build2_s = _build(
                url, "--select", "stg_enterprise_events__events+ stg_enterprise_requests__requests+"
            )
            eligible = {
                (r["uscc"], r["policy_id"])
                for r in csv.DictReader((truth / "policy_eligibility.csv").open(encoding="utf-8"))
            }

            # the generator's eligibility reads every delivery, the second day's included
            with psycopg.connect(url) as conn:
                found = set(conn.execute("select uscc, policy_id from marts.mart_policy_matches"))
                linked = {
                    u
                    for (u,) in conn.execute(
                        "select uscc from marts.dim_enterprise where building_code is not null"
                    )
                }
            # an eligible pair not found whose enterprise is in a registry building the
            # warehouse did not link: the in_building fact is false where the truth has true
            in_building = {
                r["uscc"]
                for r in csv.DictReader((truth / "enterprises.csv").open(encoding="utf-8"))
                if r["building_code"]
            }
            unlinked = in_building - linked
            alerts = evaluation.enterprise_alerts(url, truth)
            buildings = evaluation.enterprise_buildings(url, truth)
            hits = evaluation.office_matches(url, truth)
            with psycopg.connect(url) as conn:
                n_enterprises, n_units, n_requests, n_matches = conn.execute(
                    "select (select count(*) from marts.dim_enterprise), "
                    "(select count(*) from marts.dim_office_unit), "
                    "(select count(*) from marts.mart_enterprise_requests), "
                    "(select count(distinct request_id) from marts.mart_office_matches)"
                ).fetchone()

        print(f"\nfirst run  ({loaded:,} rows loaded; COPY baseline {copy_rows:,} rows)")
        print(f"  plain COPY of the same rows       {copy_s:8.2f} s")
        print(
            f"  ingest with the GX gate           {ingest_s:8.2f} s  ({ingest_s / copy_s:.1f}x COPY)"
        )
        print(f"  dbt build of the enterprise and policy models {build_s:.2f} s")
        print(f"  added to a first run              {ingest_s + build_s:8.2f} s")
        print("second day (one change-feed delivery, one request workbook)")
        print(f"  ingest                            {ingest2_s:8.2f} s")
        print(f"  rebuild below them                {build2_s:8.2f} s")
        print(f"  added to a second day             {ingest2_s + build2_s:8.2f} s")
        print(f"\n{n_enterprises:,} enterprises, {n_units:,} office units, {n_requests:,} requests")
        print(
            f"alerts against the truth: expected {alerts.expected:,}, found {alerts.found:,}, "
            f"correct {alerts.correct:,}"
        )
        print(
            f"building links: precision {buildings.precision:.4f}, recall {buildings.recall:.4f} "
            f"({buildings.expected:,} enterprises in a registry building)"
        )
        print(
            f"office matching: {hits.requests:,} open requests with a signed unit "
            f"({n_matches:,} with candidates): hit@1 {hits.at(1):.3f}, hit@3 {hits.at(3):.3f}, "
            f"hit@5 {hits.at(5):.3f}"
        )
        print(
            f"\npolicies: {policies_in_force:,} in force x {n_enterprises:,} enterprises; "
            f"matching ({MATCHING_MODELS.replace(' ', ', ')}) {matching_s:.2f} s"
        )
        pairs = policies_in_force * n_enterprises
        print(f"  {pairs:,} enterprise x policy pairs, {pairs / matching_s:,.0f} a second")
        print(
            f"  pairs the policies reach {reached:,}, conditions tested {tested:,} "
            f"({tested / matching_s:,.0f} a second); near misses {near_misses:,}"
        )
        print(
            f"  matches {matches:,} on the first day's deliveries; after the second day "
            f"{len(found):,}, against the truth: {len(found & eligible):,} of "
            f"{len(eligible):,} eligible, {len(found - eligible):,} not eligible "
            f"({len(found_first_day ^ found):,} pairs changed on the second day)"
        )
        missed = eligible - found
        print(
            f"  eligible not found {len(missed):,}: {sum(u in unlinked for u, _ in missed):,} of "
            f"them of the {len(unlinked):,} enterprises in a registry building not linked to it"
        )
        print(
            json.dumps(
                {
                    "enterprises": n_enterprises,
                    "copy_s": round(copy_s, 2),
                    "ingest_s": round(ingest_s, 2),
                    "build_s": round(build_s, 2),
                    "second_day_s": round(ingest2_s + build2_s, 2),
                    "alerts_exact": alerts.expected == alerts.found == alerts.correct,
                    "hit_at_3": round(hits.at(3), 3),
                    "matching_s": round(matching_s, 2),
                    "matches_exact": found == eligible,
                }
            )
        )


if __name__ == "__main__":
    main()
