"""Scoring the warehouse against a synthetic city's ground truth.

For tests, benchmarks and `cityops evaluate` only: the pipeline never reads the truth.
"""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import psycopg

from .privacy import person_key


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@dataclass
class PairwiseScore:
    true_positive: int
    false_positive: int
    false_negative: int
    records: int
    unmatched: int

    @property
    def precision(self) -> float:
        return self.true_positive / ((self.true_positive + self.false_positive) or 1)

    @property
    def recall(self) -> float:
        return self.true_positive / ((self.true_positive + self.false_negative) or 1)


def _pairs(clusters: dict[str, list[str]]) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for members in clusters.values():
        out.update(itertools.combinations(sorted(members), 2))
    return out


def person_resolution(url: str, truth: Path, hmac_key: str) -> PairwiseScore:
    """Pairwise precision/recall of record clustering (records that are the same person)."""
    records = _read(truth / "person_records.csv")
    true_key = {f"{r['source']}:{r['file']}:{r['row']}": r["true_id_number"] for r in records}
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select source_name || ':' || source_file_name || ':' || row_number, person_key "
            "from intermediate.int_person_resolved"
        ).fetchall()
    predicted: dict[str, list[str]] = defaultdict(list)
    actual: dict[str, list[str]] = defaultdict(list)
    unmatched = 0
    for mention, key in rows:
        if mention not in true_key:
            continue
        if key is None:
            unmatched += 1
            predicted[f"singleton:{mention}"].append(mention)
        else:
            predicted[key].append(mention)
        actual[person_key(true_key[mention], hmac_key)].append(mention)
    p, a = _pairs(predicted), _pairs(actual)
    return PairwiseScore(
        len(p & a), len(p - a), len(a - p), sum(len(v) for v in actual.values()), unmatched
    )


@dataclass
class LinkScore:
    inspections: int
    linked: int
    correct: int
    wrong: int

    @property
    def linked_correctly_share(self) -> float:
        return self.correct / (self.inspections or 1)


def building_linkage(url: str, truth: Path) -> LinkScore:
    true_building: dict[str, str] = {}
    for r in _read(truth / "inspections.csv"):
        true_building[r["inspection_id"]] = r["building_code"]
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select inspection_id, building_code from marts.fct_facade_inspection"
        ).fetchall()
    linked = [(i, b) for i, b in rows if b != "UNKNOWN"]
    correct = sum(1 for i, b in linked if true_building.get(i) == b)
    return LinkScore(len(rows), len(linked), correct, len(linked) - correct)


@dataclass
class SetScore:
    expected: int
    found: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / (self.found or 1)

    @property
    def recall(self) -> float:
        return self.correct / (self.expected or 1)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / ((p + r) or 1)


def graduates(url: str, truth: Path, hmac_key: str) -> SetScore:
    expected = {
        person_key(r["id_number"], hmac_key) for r in _read(truth / "eligible_graduates.csv")
    }
    with psycopg.connect(url) as conn:
        found = {
            r[0]
            for r in conn.execute(
                "select person_key from marts.mart_graduate_assistance"
            ).fetchall()
        }
    return SetScore(len(expected), len(found), len(expected & found))


def billboard_alerts(url: str, truth: Path) -> SetScore:
    expected = {(r["device_id"], r["rule"]) for r in _read(truth / "billboard_alerts.csv")}
    with psycopg.connect(url) as conn:
        found = set(
            conn.execute("select device_id, rule from marts.mart_billboard_alerts").fetchall()
        )
    return SetScore(len(expected), len(found), len(expected & found))


@dataclass
class RiskScore:
    buildings: int
    base_rate: float
    red_orange: int
    red_orange_rate: float
    at_k: dict[str, tuple[float, float]]  # "5%" -> (precision, recall)

    @property
    def lift(self) -> float:
        return self.red_orange_rate / (self.base_rate or 1)


def facade_risk(url: str, truth: Path) -> RiskScore:
    future = {
        r["building_code"]: int(r["future_breakages"]) > 0 for r in _read(truth / "buildings.csv")
    }
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select building_code, risk_tier, risk_score from marts.mart_facade_risk "
            "order by risk_tier = 'red' desc, risk_score desc, building_code"
        ).fetchall()
    n = len(rows)
    positives = sum(future.get(code, False) for code, _, _ in rows)
    flagged = [code for code, tier, _ in rows if tier in ("red", "orange")]
    hits = sum(future.get(code, False) for code in flagged)
    at_k = {}
    for share in (0.05, 0.10, 0.20):
        k = max(1, round(n * share))
        top = rows[:k]
        tp = sum(future.get(code, False) for code, _, _ in top)
        at_k[f"{int(share * 100)}%"] = (tp / k, tp / (positives or 1))
    return RiskScore(n, positives / (n or 1), len(flagged), hits / (len(flagged) or 1), at_k)


def shop_links(url: str, truth: Path, source: str = "consumer_feedback") -> SetScore:
    """Links of one shop source's records to the register, against the generator's truth.

    Expected: the records that name a registered shop; found: the records the warehouse
    linked; correct: linked to the right shop. A record about a shop that is not on the
    register counts against precision when it is linked at all.
    """
    truth_rows = [r for r in _read(truth / "shop_links.csv") if r["source"] == source]
    expected = {(r["record_id"], r["shop_id"]) for r in truth_rows if r["shop_id"]}
    with psycopg.connect(url) as conn:
        found = set(
            conn.execute(
                "select record_id, shop_id from marts.fct_shop_mention "
                "where source = %s and link_status = 'linked'",
                (source,),
            ).fetchall()
        )
    return SetScore(len(expected), len(found), len(expected & found))


def enterprise_alerts(url: str, truth: Path) -> SetScore:
    """Alerts (credit code, rule, first day held) against the rules applied by the generator
    to the events it delivered and the headcounts the insurance feed carried."""
    expected = {
        (r["uscc"], r["rule"], r["first_held_on"]) for r in _read(truth / "enterprise_alerts.csv")
    }
    with psycopg.connect(url) as conn:
        found = {
            (u, rule, day.isoformat())
            for u, rule, day in conn.execute(
                "select uscc, rule, first_held_on from marts.mart_enterprise_alerts"
            )
        }
    return SetScore(len(expected), len(found), len(expected & found))


def enterprise_buildings(url: str, truth: Path) -> SetScore:
    """Enterprises linked to the housing registry's building they are really in."""
    expected = {
        (r["uscc"], r["building_code"])
        for r in _read(truth / "enterprises.csv")
        if r["building_code"]
    }
    with psycopg.connect(url) as conn:
        found = set(
            conn.execute(
                "select uscc, building_code from marts.dim_enterprise where building_code is not null"
            ).fetchall()
        )
    return SetScore(len(expected), len(found), len(expected & found))


@dataclass
class HitRate:
    requests: int  # open office requests whose enterprise signs a unit after as-of
    hits: dict[int, int]  # k -> requests whose signed unit is in the top k

    def at(self, k: int) -> float:
        return self.hits.get(k, 0) / self.requests if self.requests else 0.0


def office_matches(url: str, truth: Path) -> HitRate:
    """hit@k of mart_office_matches: the unit each open request's enterprise really signed
    (after as-of, by its own preferences) among the first k proposed."""
    signed = {
        r["request_id"]: r["signed_unit"]
        for r in _read(truth / "enterprise_requests.csv")
        if r["signed_unit"]
    }
    with psycopg.connect(url) as conn:
        ranks = {
            (rid, unit): rank
            for rid, unit, rank in conn.execute(
                "select request_id, unit_id, match_rank from marts.mart_office_matches"
            )
        }
    hits = {
        k: sum(1 for rid, unit in signed.items() if ranks.get((rid, unit), 99) <= k)
        for k in (1, 3, 5)
    }
    return HitRate(len(signed), hits)
