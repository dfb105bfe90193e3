"""精准营商: enterprises, their change feed, their requests and the office units on offer.

The register holds every enterprise of the city with a clean credit code; a part of them
sit in office buildings, most of which the housing registry knows. A part of them employ
the social-insurance feed's contributors (source 7), and some of those shrink, so headcount
alerts have something to find. Over the year the change feed records moves, new legal
representatives, capital and status changes, the abnormal list and annual reports; the
feed repeats events and delivers some late. Requests go to the street's business office
and move through their states month by month; an enterprise that asks for an office signs,
after the as-of date, the unit it likes best among those that meet its request.

What the rules of docs/domain.md (Scene 5) yield on the delivered files, which building
each enterprise is in and which unit each open office request signs go to the truth folder.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cityops import uscc as uscc_codes

from . import idcard
from .config import DIRT
from .vocab import (
    BUILDING_WORDS,
    DISTRICT_WEIGHTS,
    DISTRICTS,
    GIVEN_CHARS,
    ROAD_STEMS,
    SURNAMES,
    Street,
    streets,
)
from .writers import Delivery, write_csv, write_jsonl, write_xlsx

#: GB/T 4754-2017 classes the register uses, with a word for the company name.
INDUSTRY_CODES = {
    "I6510": "软件",
    "I6550": "信息技术",
    "I6440": "网络科技",
    "M7310": "生物科技",
    "M7320": "工程技术",
    "M7491": "设计",
    "L7212": "投资管理",
    "L7241": "咨询",
    "K7010": "置业",
    "J6930": "金融信息",
    "F5137": "贸易",
    "F5191": "电子商务",
    "C3981": "电子",
    "C2761": "医药",
    "E4710": "建设",
    "R8610": "文化传媒",
    "G5821": "物流",
    "H6210": "餐饮管理",
}
INDUSTRY_WEIGHTS = [9, 7, 5, 4, 4, 4, 6, 8, 3, 3, 10, 6, 4, 2, 5, 6, 4, 6]
#: The shop register's industries as GB/T 4754 classes (shops operated by companies).
SHOP_INDUSTRY_CODES = {
    "餐饮": "H6210",
    "食品零售": "F5221",
    "零售": "F5299",
    "美容美发": "O8070",
    "洗衣": "O8030",
    "维修": "O8129",
    "教育培训": "P8391",
    "其他": "O8090",
}
QUALIFICATIONS = ["高新技术企业", "专精特新", "科技型中小企业"]
ENDED_STATUSES = ("吊销", "注销", "迁出")
REQUEST_CATEGORIES = ["办公用房", "政策咨询", "融资", "人才", "审批", "其他"]
REQUEST_WEIGHTS = [0.3, 0.25, 0.12, 0.12, 0.13, 0.08]
HANDLERS = {
    "办公用房": "街道营商办",
    "政策咨询": "区科委",
    "融资": "区金融办",
    "人才": "区人社局",
    "审批": "区行政服务中心",
    "其他": "街道营商办",
}
DETAILS = {
    "办公用房": "企业扩张，需要更大的办公场地",
    "政策咨询": "咨询高新技术企业认定及扶持政策",
    "融资": "申请贷款贴息，寻求融资对接",
    "人才": "人才落户及公寓申请",
    "审批": "变更经营范围，审批进度查询",
    "其他": "周边交通及停车问题",
}
GRADES = ["甲级", "乙级", "其他"]
GRADE_RENT = {"甲级": (8.0, 15.0), "乙级": (5.0, 9.0), "其他": (3.0, 6.0)}
ENTERPRISE_HEADERS = [
    "统一社会信用代码",
    "企业名称",
    "法定代表人",
    "法定代表人身份证号",
    "注册地址",
    "区",
    "街道",
    "行业代码",
    "注册资本(万元)",
    "成立日期",
    "登记状态",
    "资质",
]
REQUEST_HEADERS = [
    "诉求编号",
    "统一社会信用代码",
    "受理日期",
    "诉求类型",
    "诉求内容",
    "需求面积(平方米)",
    "租金预算(元/平方米/天)",
    "意向区域",
    "承办部门",
    "办理状态",
    "办结日期",
    "满意度",
]
UNIT_HEADERS = [
    "房源编号",
    "楼宇名称",
    "建筑编号",
    "地址",
    "区",
    "街道",
    "楼层",
    "面积(平方米)",
    "租金(元/平方米/天)",
    "楼宇等级",
    "可入驻日期",
    "状态",
]


def _months_before(day: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class OfficeBuilding:
    name: str
    district_code: str
    street: Street
    road: str
    number: int
    grade: str
    code: str | None  # the housing registry's building code, when the registry has it
    avoided: bool  # facade trouble that tenants see: nobody signs there

    @property
    def address(self) -> str:
        return f"上海市{DISTRICTS[self.district_code][0]}{self.road}{self.number}号"


@dataclass
class Enterprise:
    uscc: str
    name: str
    legal_rep_name: str
    legal_rep_id: str
    street: Street
    road: str
    house_no: str
    building: OfficeBuilding | None
    room: str
    industry_code: str
    capital_wan: float
    established_on: dt.date
    status: str = "存续"
    qualifications: tuple[str, ...] = ()

    @property
    def district_code(self) -> str:
        return self.street.district_code

    def address(self) -> str:
        district = DISTRICTS[self.district_code][0]
        if self.building is not None:
            return f"上海市{district}{self.road}{self.house_no}{self.building.name}{self.room}"
        return f"上海市{district}{self.road}{self.house_no}{self.room}"


@dataclass
class Event:
    event_id: str
    uscc: str
    occurred_at: dt.datetime
    type: str
    old: str
    new: str


@dataclass
class Unit:
    unit_id: str
    building: OfficeBuilding
    floor: int
    area: float
    rent: float
    available_on: dt.date
    status: str


@dataclass
class Request:
    request_id: str
    enterprise: Enterprise
    received_on: dt.date
    category: str
    #: (month start, status, closed_on, satisfaction) whenever the request changed
    states: list[tuple[dt.date, str, dt.date | None, int | None]] = field(default_factory=list)
    need_area: str = ""
    area_range: tuple[float, float] = (0.0, float("inf"))
    rent_budget: float | None = None
    wanted_area: str = ""
    signed_unit: str = ""


@dataclass
class EnterpriseWorld:
    enterprises: list[Enterprise] = field(default_factory=list)
    buildings: list[OfficeBuilding] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    #: event ids delivered at least once (a late event of the last delivery never arrives)
    delivered: set[str] = field(default_factory=set)
    units: list[Unit] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    #: contributors' employer per person and month, and the feed's headcount per employer
    employer_of: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    headcount: Counter[tuple[str, str]] = field(default_factory=Counter)


class EnterpriseBuilder:
    def __init__(self, n: int, n_buildings: int, seed: int, as_of: dt.date) -> None:
        self.n, self.n_buildings, self.as_of = n, n_buildings, as_of
        self.seed = seed
        self.rng = np.random.default_rng([seed, 31])
        self.world = EnterpriseWorld()
        self.streets = streets()
        self.start = as_of - dt.timedelta(days=365)

    # -- the register -------------------------------------------------------------------
    def build_register(self) -> None:
        """Credit codes, names, legal representatives and industries (no addresses yet)."""
        rng, n = self.rng, self.n
        districts = list(DISTRICT_WEIGHTS)
        dweights = np.array([DISTRICT_WEIGHTS[d] for d in districts])
        # business streets: a few streets of the central districts hold most enterprises
        by_district: dict[str, list[Street]] = defaultdict(list)
        for s in self.streets:
            by_district[s.district_code].append(s)
        district_of = rng.choice(len(districts), size=n, p=dweights / dweights.sum())
        industries = list(INDUSTRY_CODES)
        iweights = np.array(INDUSTRY_WEIGHTS, dtype=float)
        industry_of = rng.choice(len(industries), size=n, p=iweights / iweights.sum())
        births = (
            rng.integers(1960, 2000, size=n) * 10000
            + rng.integers(1, 13, size=n) * 100
            + rng.integers(1, 29, size=n)
        )
        regions = np.array([int(districts[i]) for i in district_of])
        rep_ids = idcard.make_ids(regions, births, rng.integers(0, 1000, size=n))
        alphabet = list(uscc_codes.ALPHABET[:10] + "ABCDEFGH")
        org_chars = rng.choice(alphabet, size=(n, 8))
        age_days = (rng.lognormal(7.4, 1.0, size=n)).astype(int) + 30
        capital = np.round(rng.lognormal(5.3, 1.4, size=n), 2)
        names: set[str] = set()
        codes: set[str] = set()
        for i in range(n):
            district = districts[district_of[i]]
            pool = by_district[district]
            # the first streets of a district are its business streets
            k = int(min(len(pool) - 1, rng.geometric(0.35) - 1))
            street = pool[k]
            code = uscc_codes.make("9", "1", district, "".join(org_chars[i]))
            while code in codes:
                code = uscc_codes.make("9", "1", district, "".join(rng.choice(alphabet, size=8)))
            codes.add(code)
            word = INDUSTRY_CODES[industries[industry_of[i]]]
            brand = "".join(rng.choice(GIVEN_CHARS, size=2))
            name = f"上海{brand}{word}有限公司"
            if name in names:
                name = f"上海{brand}{word}{DISTRICTS[district][0][:-1]}有限公司"
            while name in names:
                brand = "".join(rng.choice(GIVEN_CHARS, size=3))
                name = f"上海{brand}{word}有限公司"
            names.add(name)
            quals = tuple(
                q
                for q, p in zip(QUALIFICATIONS, (0.06, 0.03, 0.1), strict=True)
                if rng.random() < p
            )
            self.world.enterprises.append(
                Enterprise(
                    uscc=code,
                    name=name,
                    legal_rep_name=self._person_name(),
                    legal_rep_id=str(rep_ids[i]),
                    street=street,
                    road="",
                    house_no="",
                    building=None,
                    room="",
                    industry_code=industries[industry_of[i]],
                    capital_wan=float(capital[i]),
                    established_on=self.as_of - dt.timedelta(days=int(age_days[i])),
                    qualifications=quals,
                )
            )

    def _person_name(self) -> str:
        rng = self.rng
        return str(rng.choice(SURNAMES)) + "".join(
            str(c) for c in rng.choice(GIVEN_CHARS, size=int(rng.integers(1, 3)))
        )

    def add_shop_companies(self, shops: Iterable[object]) -> None:
        """The shop register's companies are enterprises too (their licences join the file)."""
        known = {e.uscc for e in self.world.enterprises}
        for shop in shops:
            code = getattr(shop, "uscc", None)
            if code is None or code[1] != "1" or code in known:
                continue
            known.add(code)
            self.world.enterprises.append(
                Enterprise(
                    uscc=code,
                    name=shop.company,  # type: ignore[attr-defined]
                    legal_rep_name=shop.operator_name,  # type: ignore[attr-defined]
                    legal_rep_id=shop.operator_id,  # type: ignore[attr-defined]
                    street=shop.street,  # type: ignore[attr-defined]
                    road=shop.road,  # type: ignore[attr-defined]
                    house_no=shop.house_no,  # type: ignore[attr-defined]
                    building=None,
                    room="",
                    industry_code=SHOP_INDUSTRY_CODES[shop.industry],  # type: ignore[attr-defined]
                    capital_wan=float(round(self.rng.lognormal(3.5, 0.8), 2)),
                    established_on=shop.opened_on,  # type: ignore[attr-defined]
                )
            )

    # -- employers of the social-insurance feed ------------------------------------------
    def assign_employers(self, contributions: dict[int, set[str]], months: list[str]) -> None:
        """Give each contributor an employer per month; some employers shrink.

        Employers are the first enterprises of the register still in business. An employer
        that shrinks loses about half its staff to other employers from a month in the
        last half year, so ``headcount down 30 % over 3 months`` holds for some of them.
        """
        rng = np.random.default_rng([self.seed, 32])
        uids = sorted(contributions)
        if not uids:
            return
        n_employers = int(min(len(self.world.enterprises), max(5, len(uids) // 25)))
        weights = 1.0 / np.arange(1, n_employers + 1) ** 0.7
        primary = rng.choice(n_employers, size=len(uids), p=weights / weights.sum())
        shrinks = rng.random(n_employers) < 0.15
        shrinks[1] = True  # the second largest employer shrinks at every scale
        shrink_from = rng.integers(max(0, len(months) - 6), len(months), size=n_employers)
        leave = rng.random(len(uids)) < 0.55
        moved_to = rng.choice(n_employers, size=len(uids), p=weights / weights.sum())
        for i, uid in enumerate(uids):
            e = int(primary[i])
            plan = [(months[0], e)]
            if shrinks[e] and leave[i] and moved_to[i] != e:
                plan.append((months[int(shrink_from[e])], int(moved_to[i])))
            self.world.employer_of[uid] = plan

    def employer(self, uid: int, month: str) -> tuple[str, str]:
        """The employer (credit code, name) of a contributor in a month."""
        index = 0
        for start, idx in self.world.employer_of[uid]:
            if month >= start:
                index = idx
        e = self.world.enterprises[index]
        return e.uscc, e.name

    def count_contribution(self, uscc: str, month: str) -> None:
        """The feed carried one more (loadable) contribution row of ``uscc`` in ``month``."""
        self.world.headcount[(uscc, month)] += 1

    # -- buildings and addresses --------------------------------------------------------
    def place(self, registry_buildings: list[object]) -> None:
        """Office buildings (most from the housing registry) and every enterprise's address."""
        rng, w = self.rng, self.world
        by_name = {(s.district_code, s.name): s for s in self.streets}
        offices = [b for b in registry_buildings if getattr(b, "use", "") in ("办公", "综合")]
        n_registry = min(len(offices), round(self.n_buildings * 0.75))
        picked = rng.choice(len(offices), size=n_registry, replace=False) if n_registry else []
        hazards = np.array([offices[i].log_hazard for i in picked]) if n_registry else np.array([])
        cut = np.quantile(hazards, 0.9) if len(hazards) else 0.0
        used_addresses = {
            (b.district_code, b.road, b.number)
            for b in registry_buildings  # type: ignore[attr-defined]
        }
        for i in picked:
            b = offices[int(i)]
            street = by_name.get((b.district_code, b.street)) or next(
                s for s in self.streets if s.district_code == b.district_code
            )
            used_addresses.add((b.district_code, b.road, b.number))
            w.buildings.append(
                OfficeBuilding(
                    name=b.name,
                    district_code=b.district_code,
                    street=street,
                    road=b.road,
                    number=b.number,
                    grade=str(rng.choice(GRADES, p=[0.35, 0.45, 0.2])),
                    code=b.code,
                    avoided=bool(b.log_hazard >= cut),
                )
            )
        registry_names = {b.name for b in registry_buildings}
        districts = list(DISTRICT_WEIGHTS)
        dweights = np.array([DISTRICT_WEIGHTS[d] for d in districts])
        stems = [s for s in ROAD_STEMS if not any(c in s for c in "路街道弄号区镇")]
        for k in range(self.n_buildings - n_registry):
            district = districts[int(rng.choice(len(districts), p=dweights / dweights.sum()))]
            pool = [s for s in self.streets if s.district_code == district]
            street = pool[int(min(len(pool) - 1, rng.geometric(0.35) - 1))]
            road = stems[int(rng.integers(0, len(stems)))] + "路"
            number = int(rng.integers(1, 2000))
            while (district, road, number) in used_addresses:
                number = int(rng.integers(1, 2000))
            used_addresses.add((district, road, number))
            name = f"{stems[(k * 7) % len(stems)]}{BUILDING_WORDS[k % len(BUILDING_WORDS)]}"
            while name in registry_names:
                name += "二期"
            registry_names.add(name)
            w.buildings.append(
                OfficeBuilding(
                    name=name,
                    district_code=district,
                    street=street,
                    road=road,
                    number=number,
                    grade=str(rng.choice(GRADES, p=[0.2, 0.5, 0.3])),
                    code=None,
                    avoided=False,
                )
            )
        # enterprises: about half in an office building of their district, the rest at a
        # street address no building of the registry has
        in_district: dict[str, list[OfficeBuilding]] = defaultdict(list)
        for b in w.buildings:
            in_district[b.district_code].append(b)
        all_roads = [s + "路" for s in stems]
        for e in w.enterprises:
            if e.road:  # a shop's company keeps the shop's address
                continue
            pool = in_district.get(e.district_code, [])
            if pool and rng.random() < 0.55:
                b = pool[int(rng.integers(0, len(pool)))]
                e.building, e.street = b, b.street
                e.road, e.house_no = b.road, f"{b.number}号"
                e.room = f"{int(rng.integers(2, 40))}层{int(rng.integers(1, 30)):02d}室"
            else:
                e.road = all_roads[int(rng.integers(0, len(all_roads)))]
                number = int(rng.integers(1, 3000))
                while (e.district_code, e.road, number) in used_addresses:
                    number = int(rng.integers(1, 3000))
                e.house_no = f"{number}号"
                e.room = f"{int(rng.integers(1, 9))}楼" if rng.random() < 0.5 else ""

    def _registered_address(self, e: Enterprise) -> str:
        """The address as the register writes it: city and district sometimes left out,
        the building named with or without its road and number."""
        rng = self.rng
        text = e.address()
        if e.building is not None and rng.random() < 0.15:  # only the building, no number
            text = f"上海市{DISTRICTS[e.district_code][0]}{e.building.name}{e.room}"
        if rng.random() < 0.3:
            text = text.removeprefix("上海市")
        if rng.random() < DIRT.address_fullwidth:
            text = idcard.fullwidth(text)
        if rng.random() < DIRT.address_spaces:
            text = text.replace(e.road, e.road + " ", 1)
        return text

    # -- the change feed ----------------------------------------------------------------
    def simulate_events(self) -> None:
        """A year of changes; each enterprise's register row is its state after them."""
        rng, w = self.rng, self.world
        span = (self.as_of - self.start).days
        seq = 0

        def at(day_offset: int) -> dt.datetime:
            day = self.start + dt.timedelta(days=int(day_offset))
            return dt.datetime.combine(day, dt.time(9)) + dt.timedelta(
                minutes=int(rng.integers(0, 540))
            )

        def event(e: Enterprise, when: dt.datetime, kind: str, old: str, new: str) -> None:
            nonlocal seq
            seq += 1
            w.events.append(Event(f"EV{seq:09d}", e.uscc, when, kind, old, new))

        other_districts = list(DISTRICT_WEIGHTS)
        report_year = self._report_deadline().year - 1
        for e in w.enterprises:
            if e.established_on >= self.as_of - dt.timedelta(days=1):
                continue
            first = max(0, (e.established_on - self.start).days + 1)
            if first >= span - 1:
                continue
            u = rng.random(8)
            if u[0] < 0.06:  # a move; a quarter of them out of the district
                old = e.address()
                if u[1] < 0.3:
                    district = other_districts[int(rng.integers(0, len(other_districts)))]
                    while district == e.district_code:
                        district = other_districts[int(rng.integers(0, len(other_districts)))]
                    e.street = next(s for s in self.streets if s.district_code == district)
                e.building, e.room = None, ""
                e.road = str(rng.choice(ROAD_STEMS)).rstrip("路街道") + "路"
                e.house_no = f"{int(rng.integers(3000, 6000))}号"  # no office building's
                event(e, at(rng.integers(first, span)), "address_change", old, e.address())
            if u[2] < 0.05:  # a new legal representative; some twice within the year
                times = sorted(rng.integers(first, span, size=2 if u[3] < 0.3 else 1).tolist())
                for t in times:
                    new_name = self._person_name()
                    event(e, at(t), "legal_rep_change", e.legal_rep_name, new_name)
                    e.legal_rep_name = new_name
            if u[4] < 0.05:
                new_capital = round(e.capital_wan * float(rng.choice([0.5, 2.0, 3.0])), 2)
                event(
                    e,
                    at(rng.integers(first, span)),
                    "capital_change",
                    f"{e.capital_wan:g}",
                    f"{new_capital:g}",
                )
                e.capital_wan = new_capital
            if u[5] < 0.03:  # the abnormal list; half leave it again
                t_in = int(rng.integers(first, span))
                event(e, at(t_in), "abnormal_list_in", "", "列入经营异常名录")
                if rng.random() < 0.5 and t_in < span - 2:
                    event(e, at(rng.integers(t_in + 1, span)), "abnormal_list_out", "列入", "移出")
            # annual report for the last year that has passed its 30 June deadline
            if e.established_on.year <= report_year:
                deadline = dt.date(report_year + 1, 6, 30)
                v = rng.random()
                if v < 0.85:
                    day = deadline - dt.timedelta(days=int(rng.integers(0, 170)))
                elif v < 0.92:
                    day = deadline + dt.timedelta(days=int(rng.integers(1, 100)))
                else:
                    day = None
                if day is not None and self.start < day < self.as_of:
                    event(
                        e,
                        at((day - self.start).days),
                        "annual_report_filed",
                        "",
                        str(report_year),
                    )
            if u[6] < 0.02:  # the end of an enterprise
                new = str(rng.choice(ENDED_STATUSES))
                event(e, at(rng.integers(first, span)), "status_change", e.status, new)
                e.status = new
            if u[7] < 0.03 and e.status == "存续":
                e.status = "在业"  # the register writes both for a living enterprise
        w.events.sort(key=lambda ev: ev.occurred_at)

    def _report_deadline(self) -> dt.date:
        """The latest 30 June on or before the day before as-of."""
        day = self.as_of - dt.timedelta(days=1)
        year = day.year if day >= dt.date(day.year, 6, 30) else day.year - 1
        return dt.date(year, 6, 30)

    def event_files(self, out: Path) -> Iterator[Path]:
        """Twelve deliveries, a month apart; events repeat and some arrive a delivery or two late."""
        rng, w = self.rng, self.world
        last = self.as_of - dt.timedelta(days=1)
        days = [last - dt.timedelta(days=30 * k) for k in range(11, -1, -1)]
        batches: list[list[Event]] = [[] for _ in days]
        for ev in w.events:
            k = next((i for i, d in enumerate(days) if ev.occurred_at.date() <= d), None)
            if k is None:
                continue
            u = rng.random()
            if u < 0.05:
                k += int(rng.integers(1, 3))  # late: after later events of its enterprise
            if ev.type == "abnormal_list_in" and rng.random() < 0.3:
                k += 1
            if k >= len(days):
                continue  # not delivered yet on as-of
            batches[k].append(ev)
            if rng.random() < 0.04 and k + 1 < len(days):
                batches[k + 1].append(ev)  # re-sent with the next delivery
        for day, batch in zip(days, batches, strict=True):
            lines = []
            for ev in batch:
                w.delivered.add(ev.event_id)
                lines.append(
                    json.dumps(
                        {
                            "event_id": ev.event_id,
                            "uscc": ev.uscc,
                            "occurred_at": ev.occurred_at.isoformat(sep=" "),
                            "type": ev.type,
                            "old": ev.old,
                            "new": ev.new,
                        },
                        ensure_ascii=False,
                    )
                )
            if rng.random() < DIRT.truncated_line_files and lines:
                lines.insert(int(rng.integers(0, len(lines))), lines[0][: len(lines[0]) // 2])
            path = out / "enterprise_events" / day.isoformat() / f"events_{day:%Y%m%d}.jsonl"
            write_jsonl(path, lines)
            yield path

    def register_file(self, out: Path) -> Iterator[Path]:
        day = self.as_of - dt.timedelta(days=1)
        rows = []
        for e in self.world.enterprises:
            rows.append(
                {
                    "统一社会信用代码": e.uscc,
                    "企业名称": e.name,
                    "法定代表人": e.legal_rep_name,
                    "法定代表人身份证号": e.legal_rep_id,
                    "注册地址": self._registered_address(e),
                    "区": DISTRICTS[e.district_code][0],
                    "街道": e.street.name,
                    "行业代码": e.industry_code,
                    "注册资本(万元)": f"{e.capital_wan:g}",
                    "成立日期": e.established_on.isoformat(),
                    "登记状态": e.status,
                    "资质": ";".join(e.qualifications),
                }
            )
        path = out / "enterprises" / day.isoformat() / f"enterprises_{day:%Y%m%d}.csv"
        write_csv(path, Delivery(ENTERPRISE_HEADERS, self.rng), rows, encoding="utf-8")
        yield path

    # -- office units -------------------------------------------------------------------
    def build_units(self) -> None:
        rng, w = self.rng, self.world
        seq = 0
        for b in w.buildings:
            lo, hi = GRADE_RENT[b.grade]
            central = 1.25 if b.district_code in ("310101", "310104", "310106", "310115") else 1.0
            for _ in range(int(rng.integers(6, 24))):
                seq += 1
                u = rng.random()
                w.units.append(
                    Unit(
                        unit_id=f"FY{seq:07d}",
                        building=b,
                        floor=int(rng.integers(2, 40)),
                        area=float(round(rng.lognormal(6.0, 0.7), 1)),
                        rent=float(round(rng.uniform(lo, hi) * central, 1)),
                        available_on=self.as_of + dt.timedelta(days=int(rng.integers(-60, 120))),
                        status="空置" if u < 0.6 else "洽谈中" if u < 0.8 else "已签约",
                    )
                )

    def unit_file(self, out: Path) -> Iterator[Path]:
        day = self.as_of - dt.timedelta(days=1)
        rng, rows = self.rng, []
        for unit in self.world.units:
            b = unit.building
            address = b.address if rng.random() > 0.3 else b.address.removeprefix("上海市")
            rows.append(
                {
                    "房源编号": unit.unit_id,
                    "楼宇名称": b.name,
                    "建筑编号": b.code if b.code and rng.random() < 0.4 else "",
                    "地址": address,
                    "区": DISTRICTS[b.district_code][0],
                    "街道": b.street.name,
                    "楼层": unit.floor,
                    "面积(平方米)": f"{unit.area:g}",
                    "租金(元/平方米/天)": f"{unit.rent:g}",
                    "楼宇等级": b.grade,
                    "可入驻日期": unit.available_on.isoformat(),
                    "状态": unit.status,
                }
            )
        path = out / "office_space" / day.isoformat() / f"units_{day:%Y%m%d}.csv"
        write_csv(path, Delivery(UNIT_HEADERS, rng), rows, encoding="utf-8")
        yield path

    # -- requests -----------------------------------------------------------------------
    def simulate_requests(self, per_month: int) -> None:
        """Requests received each month of the year, their states, and the office needs."""
        rng, w = self.rng, self.world
        living = [e for e in w.enterprises if e.status not in ENDED_STATUSES]
        vacant = [u for u in w.units if u.status == "空置"]
        seq = 0
        for k in range(12, -1, -1):
            month = _months_before(self.as_of, k)
            for _ in range(per_month):
                received = month + dt.timedelta(days=int(rng.integers(0, 28)))
                if received >= self.as_of:
                    continue
                seq += 1
                category = str(rng.choice(REQUEST_CATEGORIES, p=REQUEST_WEIGHTS))
                r = Request(
                    f"SQ{received:%Y%m}{seq:06d}",
                    living[int(rng.integers(0, len(living)))],
                    received,
                    category,
                )
                if category == "办公用房" and vacant:
                    self._office_need(r, vacant)
                self._lifecycle(r)
                w.requests.append(r)

    def _lifecycle(self, r: Request) -> None:
        rng = self.rng
        r.states.append((r.received_on.replace(day=1), "已受理", None, None))
        days = int(rng.lognormal(2.6, 0.7))
        started = r.received_on + dt.timedelta(days=int(rng.integers(1, 5)))
        if started < self.as_of:
            r.states.append((started.replace(day=1), "办理中", None, None))
        closed = r.received_on + dt.timedelta(days=days)
        if r.category == "办公用房":
            closed += dt.timedelta(days=60)  # matching takes longer; most are still open
        closed = max(closed, started + dt.timedelta(days=1))  # work starts before it ends
        if closed < self.as_of:
            status = "无法办理" if rng.random() < 0.08 else "已办结"
            satisfaction = int(rng.choice([3, 4, 5, 5, 2])) if rng.random() < 0.8 else None
            r.states.append((closed.replace(day=1), status, closed, satisfaction))

    def _office_need(self, r: Request, vacant: list[Unit]) -> None:
        rng = self.rng
        near = [u for u in vacant if u.building.district_code == r.enterprise.district_code]
        anchor = (near or vacant)[int(rng.integers(0, len(near or vacant)))]
        a = anchor.area
        step = 50 if a >= 300 else 10  # needs are written in round numbers
        u = rng.random()
        if u < 0.5:
            lo, hi = (
                int(a * rng.uniform(0.6, 0.95) // step * step),
                int(-(-a * rng.uniform(1.05, 1.4) // step) * step),
            )
            r.need_area, r.area_range = f"{lo}-{hi}", (float(lo), float(hi))
        elif u < 0.65:
            lo = int(a * rng.uniform(0.7, 0.95) // step * step)
            r.need_area, r.area_range = f"≥{lo}", (float(lo), float("inf"))
        else:
            n = int(round(a * rng.uniform(0.87, 1.13), -1))
            r.need_area, r.area_range = str(n), (n * 0.8, n * 1.2)
        if rng.random() < 0.8:
            r.rent_budget = round(anchor.rent * float(rng.uniform(0.95, 1.3)), 1)
        v = rng.random()
        b = anchor.building
        if v < 0.4:
            r.wanted_area = b.street.name
        elif v < 0.7:
            r.wanted_area = DISTRICTS[b.district_code][0]
        elif v < 0.8:
            other = str(rng.choice([d[0] for c, d in DISTRICTS.items() if c != b.district_code]))
            r.wanted_area = f"{DISTRICTS[b.district_code][0]};{other}"
        # the enterprise signs, after as-of, the unit it likes best of those that qualify
        best, best_utility = None, -np.inf
        for unit in vacant:
            if not self._qualifies(r, unit) or unit.building.avoided:
                continue
            lo_, hi_ = r.area_range
            centre = (lo_ + min(hi_, lo_ * 1.5)) / 2 if hi_ != float("inf") else lo_ * 1.2
            centre = centre if centre > 0 else a
            utility = (
                -2.0 * abs(np.log(unit.area / centre))
                + {"甲级": 0.4, "乙级": 0.2, "其他": 0.0}[unit.building.grade]
                - (0.8 if r.rent_budget and unit.rent > r.rent_budget else 0.0)
                + (0.3 if unit.building.street.name in r.wanted_area else 0.0)
                - 0.004 * max(0, (unit.available_on - self.as_of).days)
                + float(rng.normal(0, 0.35))
            )
            if utility > best_utility:
                best, best_utility = unit, utility
        r.signed_unit = best.unit_id if best else ""

    @staticmethod
    def _qualifies(r: Request, unit: Unit) -> bool:
        lo, hi = r.area_range
        if not lo <= unit.area <= hi:
            return False
        if r.rent_budget is not None and unit.rent > r.rent_budget * 1.1:
            return False
        if not r.wanted_area:
            return True
        b = unit.building
        wanted = r.wanted_area.split(";")
        return DISTRICTS[b.district_code][0] in wanted or b.street.name in wanted

    def _dirty_uscc(self, code: str) -> str:
        rng = self.rng
        u = rng.random()
        if u < 0.06:
            return code.lower()
        if u < 0.10:
            return idcard.fullwidth(code[:9]) + code[9:]
        if u < 0.13:
            return f"{code[:6]} {code[6:]}"
        if u < 0.15:
            i = int(rng.integers(2, 15))
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            return swapped if not uscc_codes.is_valid(swapped) else ""
        if u < 0.17:
            return ""
        return code

    def request_files(self, out: Path) -> Iterator[Path]:
        """One workbook a month: requests received or changed that month, latest state."""
        rng = self.rng
        months = [_months_before(self.as_of, k) for k in range(12, -1, -1)]
        rendered = {r.request_id: self._dirty_uscc(r.enterprise.uscc) for r in self.world.requests}
        for month in months:
            rows = []
            for r in self.world.requests:
                changed = [s for s in r.states if s[0] == month]
                if not changed:
                    continue
                _, status, closed_on, satisfaction = changed[-1]
                rows.append(
                    {
                        "诉求编号": r.request_id,
                        "统一社会信用代码": rendered[r.request_id],
                        "受理日期": r.received_on.isoformat(),
                        "诉求类型": r.category,
                        "诉求内容": DETAILS[r.category],
                        "需求面积(平方米)": r.need_area,
                        "租金预算(元/平方米/天)": ""
                        if r.rent_budget is None
                        else f"{r.rent_budget:g}",
                        "意向区域": r.wanted_area,
                        "承办部门": HANDLERS[r.category],
                        "办理状态": status,
                        "办结日期": closed_on.isoformat() if closed_on else "",
                        "满意度": "" if satisfaction is None else satisfaction,
                    }
                )
            if not rows:
                continue
            delivered = min(_months_before(month, -1), self.as_of - dt.timedelta(days=1))
            path = (
                out / "enterprise_requests" / delivered.isoformat() / f"requests_{month:%Y%m}.xlsx"
            )
            write_xlsx(path, "企业诉求", Delivery(REQUEST_HEADERS, rng), rows)
            yield path

    # -- truth --------------------------------------------------------------------------
    def enterprise_truth(self) -> Iterator[dict[str, object]]:
        for e in self.world.enterprises:
            yield {
                "uscc": e.uscc,
                "building_code": (e.building.code or "") if e.building else "",
                "office_building": e.building.name if e.building else "",
                "legal_rep_id_number": e.legal_rep_id,
            }

    def request_truth(self) -> Iterator[dict[str, object]]:
        for r in self.world.requests:
            _, status, closed_on, satisfaction = r.states[-1]
            yield {
                "request_id": r.request_id,
                "uscc": r.enterprise.uscc,
                "category": r.category,
                "status": status,
                "received_on": r.received_on.isoformat(),
                "closed_on": closed_on.isoformat() if closed_on else "",
                "satisfaction": "" if satisfaction is None else satisfaction,
                "signed_unit": r.signed_unit if status in ("已受理", "办理中") else "",
            }

    def true_alerts(self, thresholds: dict[str, float]) -> list[dict[str, object]]:
        """docs/domain.md's Scene 5 rules on the delivered events and the feed's headcount."""
        w, day = self.world, self.as_of - dt.timedelta(days=1)
        events = sorted(
            (ev for ev in w.events if ev.event_id in w.delivered), key=lambda ev: ev.occurred_at
        )
        by_enterprise: dict[str, list[Event]] = defaultdict(list)
        for ev in events:
            by_enterprise[ev.uscc].append(ev)
        district_names = [d[0] for d in DISTRICTS.values()]

        def district_of(address: str) -> str | None:
            return next((d for d in district_names if d in address), None)

        window = dt.timedelta(days=int(thresholds["window_days"]))
        out: list[dict[str, object]] = []
        deadline = self._report_deadline()
        report_year = str(deadline.year - 1)
        for e in w.enterprises:
            evs = by_enterprise.get(e.uscc, [])
            moves = [ev for ev in evs if ev.type == "address_change"]
            if moves and moves[-1].occurred_at.date() > day - window:
                last = moves[-1]
                if district_of(last.old) != district_of(last.new):
                    out.append(self._alert(e, "moved_out_of_district", last.occurred_at.date()))
            statuses = [ev for ev in evs if ev.type == "status_change"]
            if statuses and statuses[-1].new in ENDED_STATUSES:
                out.append(self._alert(e, "status_ended", statuses[-1].occurred_at.date()))
            elif not statuses and e.status in ENDED_STATUSES:  # the register says so first
                out.append(self._alert(e, "status_ended", day))
            listing = [ev for ev in evs if ev.type in ("abnormal_list_in", "abnormal_list_out")]
            if listing and listing[-1].type == "abnormal_list_in":
                out.append(self._alert(e, "abnormal_list", listing[-1].occurred_at.date()))
            filed = any(ev.type == "annual_report_filed" and ev.new == report_year for ev in evs)
            if (
                e.established_on.year <= int(report_year)
                and not filed
                and e.status not in ENDED_STATUSES
            ):
                out.append(self._alert(e, "annual_report_missing", deadline + dt.timedelta(days=1)))
            reps = [
                ev.occurred_at.date()
                for ev in evs
                if ev.type == "legal_rep_change" and ev.occurred_at.date() > day - window
            ]
            if len(reps) >= thresholds["legal_rep_changes"]:
                out.append(
                    self._alert(
                        e, "legal_rep_changes", reps[int(thresholds["legal_rep_changes"]) - 1]
                    )
                )
        # headcount: the last month the feed has against three months earlier
        months = sorted({m for _, m in w.headcount})
        employers = {u for u, _ in w.headcount}
        drop, base = thresholds["headcount_drop_share"], thresholds["headcount_min_base"]
        by_code = {e.uscc: e for e in w.enterprises}
        for code in employers:
            held = []
            for i, m in enumerate(months):
                if i < 3:
                    held.append(False)
                    continue
                before, now = w.headcount[(code, months[i - 3])], w.headcount[(code, m)]
                held.append(before >= base and now <= before * (1 - drop))
            if held and held[-1]:
                i = len(held) - 1
                while i > 0 and held[i - 1]:
                    i -= 1
                first = dt.datetime.strptime(months[i], "%Y%m").date()
                out.append(self._alert(by_code[code], "headcount_drop", first))
        return out

    @staticmethod
    def _alert(e: Enterprise, rule: str, first: dt.date) -> dict[str, object]:
        return {"uscc": e.uscc, "rule": rule, "first_held_on": first.isoformat()}
