"""Write the landing tree and the ground truth of one synthetic city."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .billboards import BillboardBuilder
from .config import ENTERPRISE_ALERT_THRESHOLDS, FUTURE_DAYS, SCALES
from .enterprises import EnterpriseBuilder
from .facades import FacadeBuilder
from .policies import PolicyBuilder
from .population import PERSON_HEADERS, PopulationBuilder, PopulationSample
from .shops import ShopBuilder
from .social import SocialBuilder
from .writers import Delivery, write_csv_columns


@dataclass
class SourceStats:
    files: int = 0
    rows: int = 0
    seconds: float = 0.0


@dataclass
class GenerationReport:
    scale: str
    seed: int
    as_of: str
    sources: dict[str, SourceStats] = field(default_factory=dict)
    peak_bytes: int = 0

    def add(self, source: str, files: int, rows: int, seconds: float) -> None:
        s = self.sources.setdefault(source, SourceStats())
        s.files += files
        s.rows += rows
        s.seconds += seconds


def _write_truth_csv(path: Path, rows: Iterable[dict[str, object]], fields: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def generate(
    scale: str,
    seed: int,
    as_of: dt.date,
    out: Path,
    truth: Path,
    *,
    progress: Callable[[str], None] = lambda _msg: None,
    trace_memory: bool = False,
    sizes: dict[str, int] | None = None,
) -> GenerationReport:
    """Generate a city at ``scale``: landing files under ``out``, ground truth under ``truth``.

    ``sizes`` overrides fields of the scale (e.g. ``{"enterprises": 300_000}``): the
    benchmarks put one scene at city size on a smaller city."""
    spec = dataclasses.replace(SCALES[scale], **(sizes or {}))
    out, truth = Path(out), Path(truth)
    report = GenerationReport(scale, seed, as_of.isoformat())
    if trace_memory:
        tracemalloc.start()

    # population (streamed in chunks)
    t = time.perf_counter()
    pop = PopulationBuilder(spec, seed, as_of)
    sample = PopulationSample()
    snapshot_days = [as_of - dt.timedelta(days=1)]
    if spec.population_snapshots > 1:
        snapshot_days.insert(0, as_of - dt.timedelta(days=364))
    header_rng = np.random.default_rng([seed, 3])
    deliveries = {
        d: Delivery(PERSON_HEADERS, header_rng, allow_dirt=i > 0)
        for i, d in enumerate(snapshot_days)
    }
    paths = {
        d: out / "population" / d.isoformat() / f"persons_{d:%Y%m%d}.csv" for d in snapshot_days
    }
    hh_done, uid, index, rows = 0, 0, 0, 0
    while hh_done < pop.households_total:
        n_hh = min(spec.chunk_households, pop.households_total - hh_done)
        chunk = pop.chunk(index, hh_done, n_hh, uid)
        rng = np.random.default_rng([seed, 4, index])
        for d in snapshot_days:
            cols = pop.registry_columns(chunk, np.datetime64(d, "D"), rng)
            written = write_csv_columns(paths[d], deliveries[d], cols, append=index > 0)
            rows += written
        pop.sample(chunk, index, n_hh, sample)
        sample.persons_written += len(chunk.uid)
        hh_done += n_hh
        uid += len(chunk.uid)
        index += 1
        progress(f"population: {sample.persons_written:,} persons")
    report.add("population", len(snapshot_days), rows, time.perf_counter() - t)

    # civil affairs, education, social insurance
    enterprises = EnterpriseBuilder(spec.enterprises, spec.office_buildings, seed, as_of)
    enterprises.build_register()  # the employers of the social-insurance feed
    social = SocialBuilder(sample, seed, as_of, spec.welfare_months, enterprises)
    social.build_enrolments()
    social.build_graduates()
    social.build_contributions()
    for source, files in (
        ("welfare", social.welfare_files),
        ("education", social.graduate_files),
        ("employment", social.insurance_files),
    ):
        t = time.perf_counter()
        before = len(social.world.records)
        n_files = sum(1 for _ in files(out))
        report.add(source, n_files, len(social.world.records) - before, time.perf_counter() - t)
        progress(f"{source}: {n_files} files")

    # weather, housing, inspections
    t = time.perf_counter()
    facades = FacadeBuilder(spec.buildings, spec.stations, seed, as_of)
    facades.build_stations()
    facades.simulate_weather()
    n_files = sum(1 for _ in facades.weather_files(out))
    report.add("weather", n_files, n_files * 24 * spec.stations, time.perf_counter() - t)
    t = time.perf_counter()
    facades.build_buildings()
    n_files = sum(1 for _ in facades.building_files(out))
    report.add("housing", n_files, n_files * spec.buildings, time.perf_counter() - t)
    t = time.perf_counter()
    facades.simulate_inspections()
    inspection_rows: list[dict[str, object]] = []
    n_files = 0
    for path, meta in facades.inspection_files(out):
        n_files += 1
        for row_number, insp in meta:
            inspection_rows.append(
                {
                    "file": path.name,
                    "row": row_number,
                    "inspection_id": insp.inspection_id,
                    "building_code": insp.building.code,
                    "had_code": insp.with_code,
                    "unmatchable": insp.unmatchable,
                }
            )
    report.add("facade_inspections", n_files, len(inspection_rows), time.perf_counter() - t)
    progress("facades: done")

    # billboards
    t = time.perf_counter()
    boards = BillboardBuilder(spec.billboards, spec.reading_days, seed, as_of)
    boards.build()
    boards.registry_file(out)
    boards.simulate()
    n_files = 1 + sum(1 for _ in boards.reading_files(out))
    report.add(
        "billboards",
        n_files,
        sum(len(v) for v in boards.readings.values()),
        time.perf_counter() - t,
    )

    # 汇商码 shops: register, licences, inspections, ratings, feedback
    shops = generate_shops(spec.shops, spec.shop_months, seed, as_of, out, truth, report)
    progress("shops: done")

    # 精准营商 enterprises: register, change feed, requests, office units
    enterprises.add_shop_companies(shops.world.shops)
    enterprises.place(facades.world.buildings)
    alerts = write_enterprises(enterprises, spec.requests_per_month, out, truth, report)
    progress("enterprises: done")
    write_policies(enterprises, alerts, spec.policies, seed, as_of, out, truth, report)
    progress("policies: done")

    # ground truth (never read by the pipeline)
    eligible = social.eligible_graduates()
    _write_truth_csv(
        truth / "eligible_graduates.csv",
        eligible,
        [
            "person_uid",
            "id_number",
            "name",
            "student_no",
            "university",
            "district_code",
            "street",
            "case_no",
            "path",
        ],
    )
    uid_to_id = {p.uid: p.id_number for p in sample.contributors}
    uid_to_id.update({p.uid: p.id_number for h in sample.welfare_households for p in h.members})
    uid_to_id.update({g.person.uid: g.person.id_number for g in social.world.graduates})
    registry = {p.uid for p in sample.contributors} | {
        p.uid for h in sample.welfare_households for p in h.members
    }
    registry |= {g.person.uid for g in social.world.graduates if g.person.in_registry}
    person_rows = (  # streamed: a city has millions of person records
        dict(r, true_id_number=uid_to_id[r["uid"]], in_registry=r["uid"] in registry)
        for r in social.world.records
    )
    _write_truth_csv(
        truth / "person_records.csv",
        person_rows,
        ["source", "file", "row", "uid", "true_id_number", "in_registry", "dirt"],
    )
    _write_truth_csv(
        truth / "inspections.csv",
        inspection_rows,
        ["file", "row", "inspection_id", "building_code", "had_code", "unmatchable"],
    )
    past: dict[str, int] = {}
    future: dict[str, int] = {}
    for code, _ in facades.world.breakages:
        past[code] = past.get(code, 0) + 1
    for code, _ in facades.world.future_breakages:
        future[code] = future.get(code, 0) + 1
    _write_truth_csv(
        truth / "buildings.csv",
        [
            {
                "building_code": b.code,
                "log_hazard": round(b.log_hazard, 4),
                "past_breakages": past.get(b.code, 0),
                "future_breakages": future.get(b.code, 0),
            }
            for b in facades.world.buildings
        ],
        ["building_code", "log_hazard", "past_breakages", "future_breakages"],
    )
    _write_truth_csv(
        truth / "billboard_alerts.csv",
        boards.true_alerts(),
        ["billboard_id", "device_id", "rule", "first_at", "behaviour"],
    )

    if trace_memory:
        report.peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    manifest = {
        "scale": scale,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "future_days": FUTURE_DAYS,
        "persons": sample.persons_written,
        "eligible_graduates": len(eligible),
        "buildings_with_future_breakage": len(future),
        "buildings": len(facades.world.buildings),
        "shops": len(shops.world.shops),
        "enterprises": len(enterprises.world.enterprises),
        "sources": {k: {"files": v.files, "rows": v.rows} for k, v in report.sources.items()},
    }
    (truth / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return report


def generate_shops(
    n_shops: int,
    months: int,
    seed: int,
    as_of: dt.date,
    out: Path,
    truth: Path,
    report: GenerationReport | None = None,
) -> ShopBuilder:
    """The 汇商码 sources alone (sources 9-13) and their truth (shop_links.csv, shops.csv):
    ``generate`` calls it for a whole city; the shop benchmark calls it at any size."""
    t = time.perf_counter()
    shops = ShopBuilder(n_shops, months, seed, as_of)
    shops.build()
    feedback, complaint_days = shops.simulate_feedback()
    shops.simulate_inspections(complaint_days)
    for source, files in (
        ("shops", shops.shop_file(out)),
        ("shop_licences", shops.licence_files(out)),
        ("shop_inspections", shops.inspection_files(out)),
        ("shop_ratings", shops.rating_files(out)),
        ("consumer_feedback", shops.feedback_files(out, feedback)),
    ):
        before = len(shops.world.links)
        n_files = sum(1 for _ in files)
        rows = len(shops.world.links) - before if source != "shops" else n_shops
        if report is not None:
            report.add(source, n_files, rows, time.perf_counter() - t)
        t = time.perf_counter()
    _write_truth_csv(
        truth / "shop_links.csv", shops.truth_rows(), ["source", "record_id", "shop_id"]
    )
    _write_truth_csv(
        truth / "shops.csv",
        shops.shop_truth(),
        ["shop_id", "risk", "licence_fault", "industry", "operator_id_number"],
    )
    return shops


def write_enterprises(
    enterprises: EnterpriseBuilder,
    requests_per_month: int,
    out: Path,
    truth: Path,
    report: GenerationReport | None = None,
) -> list[dict[str, object]]:
    """The 精准营商 sources (14-17) of a placed register, and their truth: each
    enterprise's building, each request's state and signed unit, the true alerts."""
    t = time.perf_counter()
    enterprises.simulate_events()
    enterprises.build_units()
    enterprises.simulate_requests(requests_per_month)
    w = enterprises.world
    for source, files, rows in (
        ("enterprises", enterprises.register_file(out), len(w.enterprises)),
        ("enterprise_events", enterprises.event_files(out), len(w.events)),
        ("enterprise_requests", enterprises.request_files(out), len(w.requests)),
        ("office_space", enterprises.unit_file(out), len(w.units)),
    ):
        n_files = sum(1 for _ in files)
        if report is not None:
            report.add(source, n_files, rows, time.perf_counter() - t)
        t = time.perf_counter()
    _write_truth_csv(
        truth / "enterprises.csv",
        enterprises.enterprise_truth(),
        ["uscc", "building_code", "office_building", "legal_rep_id_number"],
    )
    _write_truth_csv(
        truth / "enterprise_requests.csv",
        enterprises.request_truth(),
        [
            "request_id",
            "uscc",
            "category",
            "status",
            "received_on",
            "closed_on",
            "satisfaction",
            "signed_unit",
        ],
    )
    alerts = enterprises.true_alerts(ENTERPRISE_ALERT_THRESHOLDS)
    _write_truth_csv(truth / "enterprise_alerts.csv", alerts, ["uscc", "rule", "first_held_on"])
    return alerts


def write_policies(
    enterprises: EnterpriseBuilder,
    alerts: list[dict[str, object]],
    n_policies: int,
    seed: int,
    as_of: dt.date,
    out: Path,
    truth: Path,
    report: GenerationReport | None = None,
) -> None:
    """The 政策通 sources (18-19) against a written enterprise world, and their truth: the
    version of each policy in force on as-of and every eligible (enterprise, policy)."""
    t = time.perf_counter()
    policies = PolicyBuilder(n_policies, seed, as_of, enterprises)
    policies.build()
    facts = policies.facts(alerts)
    policies.simulate_applications(facts)
    for source, files, rows in (
        ("policies", policies.policy_files(out), len(policies.world.versions)),
        ("policy_applications", policies.application_files(out), len(policies.world.applications)),
    ):
        n_files = sum(1 for _ in files)
        if report is not None:
            report.add(source, n_files, rows, time.perf_counter() - t)
        t = time.perf_counter()
    in_force = policies.in_force(as_of)
    _write_truth_csv(
        truth / "policy_catalogue.csv",
        (
            {
                "policy_id": v.policy_id,
                "published_on": v.published_on.isoformat(),
                "invalid": v.invalid,
                "in_force": in_force.get(v.policy_id) is v,
            }
            for v in policies.world.versions
        ),
        ["policy_id", "published_on", "invalid", "in_force"],
    )
    _write_truth_csv(
        truth / "policy_eligibility.csv",
        (
            {"uscc": u, "policy_id": p.policy_id, "mode": p.mode}
            for u, p in policies.eligible(facts)
        ),
        ["uscc", "policy_id", "mode"],
    )
    _write_truth_csv(
        truth / "policy_applications.csv",
        (
            {"application_id": a["申报编号"], "uscc": a["_uscc"]}
            for a in policies.world.applications
        ),
        ["application_id", "uscc"],
    )
