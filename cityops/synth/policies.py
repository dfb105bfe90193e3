"""政策通: the policy catalogue and a year of applications.

Policies are issued at city, district and street level with 1-4 conditions on the
enterprise file (SOURCES.md 18); some are revised and re-sent under the same id with a
later ``published_on`` and ``valid_from``, some have expired or start later, and a few carry
a condition the contract does not allow (an unknown field or operator, a value of the
wrong type). Eligible enterprises apply for some 申报 policies, and a few ineligible ones
apply too (and are refused).

The truth folder gets the version of each policy in force on the run date and every
(enterprise, policy) pair whose conditions hold on the generator's own facts, evaluated by
:func:`cityops.policy_rules.holds`; the warehouse evaluates them in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cityops.policy_rules import holds

from .enterprises import ENDED_STATUSES, EnterpriseBuilder
from .vocab import DISTRICTS
from .writers import Delivery, write_csv, write_json

APPLICATION_HEADERS = [
    "申报编号",
    "政策编号",
    "统一社会信用代码",
    "申报日期",
    "状态",
    "核定金额(万元)",
    "决定日期",
]
BENEFITS = ["补贴", "减免", "奖励", "服务"]
TOPICS = [
    "研发投入",
    "稳岗",
    "人才引进",
    "办公租金",
    "数字化转型",
    "首次认定",
    "小微企业",
    "贷款贴息",
]


@dataclass
class PolicyVersion:
    policy_id: str
    title: str
    issuer: str
    level: str
    district: str | None
    published_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None
    mode: str
    benefit: dict[str, Any]
    conditions: list[dict[str, Any]]
    invalid: bool = False  # carries a condition the contract does not allow

    def document(self) -> dict[str, Any]:
        return {
            "policy_id": self.policy_id,
            "title": self.title,
            "issuer": self.issuer,
            "level": self.level,
            "district": self.district,
            "published_on": self.published_on.isoformat(),
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "mode": self.mode,
            "benefit": self.benefit,
            "conditions": self.conditions,
            "text_url": f"https://zwdt.sh.gov.cn/policy/{self.policy_id}",
        }


@dataclass
class PolicyWorld:
    versions: list[PolicyVersion] = field(default_factory=list)
    applications: list[dict[str, Any]] = field(default_factory=list)


def years_between(start: dt.date, end: dt.date) -> int:
    """Whole years from ``start`` to ``end`` (as PostgreSQL's age() counts them)."""
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


class PolicyBuilder:
    def __init__(self, n: int, seed: int, as_of: dt.date, enterprises: EnterpriseBuilder) -> None:
        self.n, self.as_of, self.enterprises = n, as_of, enterprises
        self.rng = np.random.default_rng([seed, 41])
        self.world = PolicyWorld()

    # -- the facts the conditions read ---------------------------------------------------
    def facts(self, alerts: list[dict[str, object]]) -> dict[str, dict[str, Any]]:
        """Each enterprise's facts on the run date, from what the departments delivered."""
        w = self.enterprises.world
        months = sorted({m for _, m in w.headcount})
        listed = {a["uscc"] for a in alerts if a["rule"] == "abnormal_list"}
        employers = {u for u, _ in w.headcount}
        out = {}
        for e in w.enterprises:
            employees = w.headcount[(e.uscc, months[-1])] if months else 0
            start = w.headcount[(e.uscc, months[-12])] if len(months) >= 12 else 0
            out[e.uscc] = {
                "industry_code": e.industry_code,
                "district": DISTRICTS[e.district_code][0],
                "street": e.street.name,
                "registered_capital_wan": e.capital_wan,
                "years_since_established": years_between(e.established_on, self.as_of),
                "employees": employees,
                "headcount_growth_12m": (employees - start) / start
                if e.uscc in employers and start > 0
                else None,
                "qualifications": list(e.qualifications),
                "status": e.status,
                "not_on_abnormal_list": e.uscc not in listed,
                "in_building": e.building is not None and e.building.code is not None,
            }
        return out

    # -- the catalogue ------------------------------------------------------------------
    def build(self) -> None:
        rng, w = self.rng, self.world
        ents = self.enterprises.world.enterprises
        districts = sorted({e.district_code for e in ents})
        for i in range(self.n):
            u = rng.random()
            level = "市" if u < 0.3 else "区" if u < 0.8 else "街道"
            sample = ents[int(rng.integers(0, len(ents)))]
            district_code = sample.district_code if level != "市" else None
            if level == "区" and rng.random() < 0.5:
                district_code = districts[int(rng.integers(0, len(districts)))]
            district = DISTRICTS[district_code][0] if district_code else None
            conditions: list[dict[str, Any]] = []
            if district:
                conditions.append({"field": "district", "op": "=", "value": district})
            if level == "街道":
                conditions.append({"field": "street", "op": "in", "value": [sample.street.name]})
            for template in rng.choice(9, size=int(rng.integers(1, 4)), replace=False):
                conditions.append(self._condition(int(template), sample))
            published = self.as_of - dt.timedelta(days=int(rng.integers(20, 420)))
            valid_from = published + dt.timedelta(days=int(rng.integers(0, 30)))
            v = rng.random()
            valid_until = (
                None
                if v < 0.5
                else self.as_of - dt.timedelta(days=int(rng.integers(1, 60)))
                if v < 0.6
                else valid_from + dt.timedelta(days=int(rng.integers(400, 900)))
            )
            mode = "免申即享" if rng.random() < 0.3 else "申报"
            issuer = (
                "上海市经济和信息化委员会"
                if level == "市"
                else f"{district}商务委员会"
                if level == "区"
                else f"{sample.street.name}办事处"
            )
            topic = TOPICS[i % len(TOPICS)]
            version = PolicyVersion(
                policy_id=f"ZC{2026 - (i % 2)}{i + 1:04d}",
                title=f"{district or '上海市'}{topic}{'专项' if i % 3 else ''}扶持政策",
                issuer=issuer,
                level=level,
                district=district,
                published_on=published,
                valid_from=valid_from,
                valid_until=valid_until,
                mode=mode,
                benefit={
                    "kind": str(rng.choice(BENEFITS)),
                    "amount_wan": int(rng.choice([5, 10, 20, 50, 100]))
                    if rng.random() < 0.8
                    else None,
                    "rule": f"{topic}按规定给予支持",
                },
                conditions=conditions,
            )
            if rng.random() < 0.03 or i == 2:  # every catalogue carries at least one
                self._spoil(version)
            w.versions.append(version)
            if rng.random() < 0.2 and published < self.as_of - dt.timedelta(days=60):
                revised = PolicyVersion(**{**version.__dict__})
                revised.published_on = published + dt.timedelta(days=int(rng.integers(20, 50)))
                revised.valid_from = revised.published_on + dt.timedelta(
                    days=int(rng.integers(0, 15))
                )
                revised.conditions = [dict(c) for c in version.conditions]
                revised.invalid = version.invalid
                for c in revised.conditions:
                    if isinstance(c.get("value"), int | float) and not isinstance(c["value"], bool):
                        c["value"] = type(c["value"])(c["value"] * 2) if c["value"] else c["value"]
                        break
                else:
                    revised.benefit = {**revised.benefit, "amount_wan": 200}
                if rng.random() < 0.1 and not revised.invalid:
                    self._spoil(revised)
                w.versions.append(revised)

    def _condition(self, template: int, sample: Any) -> dict[str, Any]:
        rng = self.rng
        if template == 0:
            prefixes = sorted(
                {sample.industry_code[:3], str(rng.choice(["I65", "M73", "F51", "L72"]))}
            )
            return {"field": "industry_code", "op": "prefix", "value": prefixes}
        if template == 1:
            return {"field": "employees", "op": ">=", "value": int(rng.choice([1, 3, 5, 10]))}
        if template == 2:
            return {
                "field": "registered_capital_wan",
                "op": ">=",
                "value": int(rng.choice([50, 100, 500])),
            }
        if template == 3:
            if rng.random() < 0.5:
                return {
                    "field": "years_since_established",
                    "op": "<=",
                    "value": int(rng.choice([3, 5])),
                }
            return {
                "field": "years_since_established",
                "op": ">=",
                "value": int(rng.choice([2, 3])),
            }
        if template == 4:
            return {
                "field": "qualifications",
                "op": "contains",
                "value": str(rng.choice(["高新技术企业", "科技型中小企业"])),
            }
        if template == 5:
            return {"field": "status", "op": "in", "value": ["存续", "在业"]}
        if template == 6:
            return {"field": "not_on_abnormal_list", "op": "=", "value": True}
        if template == 7:
            return {"field": "in_building", "op": "=", "value": True}
        return {"field": "headcount_growth_12m", "op": ">=", "value": float(rng.choice([0.0, 0.1]))}

    def _spoil(self, version: PolicyVersion) -> None:
        """A condition the contract does not allow: the gate rejects this policy version."""
        u = self.rng.random()
        if u < 0.34:
            version.conditions.append({"field": "revenue_wan", "op": ">=", "value": 1000})
        elif u < 0.67:
            version.conditions.append({"field": "employees", "op": "~=", "value": 10})
        else:
            version.conditions.append({"field": "employees", "op": ">=", "value": "十人"})
        version.invalid = True

    def in_force(self, on: dt.date) -> dict[str, PolicyVersion]:
        """The valid version of each policy on ``on``: of the versions the gate accepts, the
        latest published whose valid_from has come, if it has not expired."""
        out: dict[str, PolicyVersion] = {}
        for v in sorted(self.world.versions, key=lambda v: (v.policy_id, v.published_on)):
            if v.invalid or v.valid_from > on:
                continue
            out[v.policy_id] = v
        return {k: v for k, v in out.items() if v.valid_until is None or v.valid_until >= on}

    def eligible(self, facts: dict[str, dict[str, Any]]) -> list[tuple[str, PolicyVersion]]:
        pairs = []
        for policy in self.in_force(self.as_of).values():
            for uscc, f in facts.items():
                if all(holds(c, f) for c in policy.conditions):
                    pairs.append((uscc, policy))
        return pairs

    # -- applications -------------------------------------------------------------------
    def simulate_applications(self, facts: dict[str, dict[str, Any]]) -> None:
        rng = self.rng
        seq = 0
        in_force = self.in_force(self.as_of)
        eligible = self.eligible(facts)
        dirty = self.enterprises._dirty_uscc
        for uscc, policy in eligible:
            if policy.mode != "申报" or facts[uscc]["status"] in ENDED_STATUSES:
                continue
            if rng.random() < 0.3:
                seq += 1
                self._apply(seq, policy, uscc, dirty(uscc), granted=rng.random() < 0.75)
        ids = list(facts)
        for policy in in_force.values():  # a few apply without meeting the conditions
            if policy.mode != "申报":
                continue
            for _ in range(int(rng.integers(0, 3))):
                uscc = ids[int(rng.integers(0, len(ids)))]
                if all(holds(c, facts[uscc]) for c in policy.conditions):
                    continue
                seq += 1
                self._apply(seq, policy, uscc, dirty(uscc), granted=False)

    def _apply(
        self, seq: int, policy: PolicyVersion, uscc: str, rendered: str, *, granted: bool
    ) -> None:
        rng = self.rng
        start = max(policy.valid_from, self.as_of - dt.timedelta(days=330))
        span = max(1, (self.as_of - start).days - 1)
        submitted = start + dt.timedelta(days=int(rng.integers(0, span)))
        decided = submitted + dt.timedelta(days=int(rng.integers(10, 40)))
        status = "已受理" if decided >= self.as_of else "通过" if granted else "驳回"
        amount = policy.benefit.get("amount_wan")
        self.world.applications.append(
            {
                "申报编号": f"SB{submitted:%Y%m}{seq:06d}",
                "政策编号": policy.policy_id,
                "统一社会信用代码": rendered,
                "申报日期": submitted.isoformat(),
                "状态": status,
                "核定金额(万元)": amount if status == "通过" and amount else "",
                "决定日期": decided.isoformat() if status != "已受理" else "",
                "_uscc": uscc,
            }
        )

    # -- files --------------------------------------------------------------------------
    def policy_files(self, out: Path) -> Iterator[Path]:
        """A delivery each quarter: the versions published since the last one."""
        last = self.as_of - dt.timedelta(days=1)
        days = [last - dt.timedelta(days=91 * k) for k in range(5, -1, -1)]
        previous = dt.date.min
        for day in days:
            batch = [v for v in self.world.versions if previous < v.published_on <= day]
            previous = day
            if not batch:
                continue
            path = out / "policies" / day.isoformat() / f"policies_{day:%Y%m%d}.json"
            write_json(path, {"policies": [v.document() for v in batch]})
            yield path

    def application_files(self, out: Path) -> Iterator[Path]:
        by_month: dict[str, list[dict[str, Any]]] = {}
        for a in self.world.applications:
            by_month.setdefault(a["申报日期"][:7].replace("-", ""), []).append(a)
        for month, rows in sorted(by_month.items()):
            first = dt.date(int(month[:4]), int(month[4:]), 1)
            delivered = min(
                (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1),
                self.as_of - dt.timedelta(days=1),
            )
            path = out / "policy_applications" / delivered.isoformat() / f"applications_{month}.csv"
            write_csv(path, Delivery(APPLICATION_HEADERS, self.rng), rows, encoding="utf-8")
            yield path
