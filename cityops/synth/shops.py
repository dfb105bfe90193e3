"""汇商码: Xuhui's street shops, their licences, inspections, ratings and consumer feedback.

Each shop has a hidden risk (how likely an inspector finds a critical violation). Risk
drives what the departments record: critical findings, food-safety complaints, low stars
and poor association grades, so that a ranked work list can beat the usual
oldest-inspection-first order and an honest time split can show by how much. Licences
carry planted faults (a required licence missing, expired or revoked). The files name
shops as people do: shortened names, branch suffixes, dirty credit codes, blank shop ids.

What links every record to its shop is written to the truth folder only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cityops import uscc as uscc_codes

from . import idcard
from .config import DIRT
from .vocab import GIVEN_CHARS, ROAD_STEMS, SURNAMES, Street, streets
from .writers import Delivery, write_csv, write_json, write_jsonl, write_xlsx

XUHUI = "310104"
INDUSTRIES = ["餐饮", "食品零售", "零售", "美容美发", "洗衣", "维修", "教育培训", "其他"]
INDUSTRY_WEIGHTS = [0.34, 0.14, 0.18, 0.12, 0.05, 0.06, 0.06, 0.05]
#: How much an industry's shops are exposed to critical findings (food handling most).
INDUSTRY_RISK = {"餐饮": 1.6, "食品零售": 1.2, "美容美发": 0.8}
KIND_WORDS = {
    "餐饮": ["面馆", "小吃", "饭店", "餐厅", "火锅", "烧烤", "茶餐厅", "饺子馆"],
    "食品零售": ["生鲜", "水果", "食品店", "便利店", "烘焙坊"],
    "零售": ["百货", "文具店", "五金店", "服饰", "眼镜店"],
    "美容美发": ["美发", "美容院", "造型"],
    "洗衣": ["洗衣店", "干洗店"],
    "维修": ["维修部", "修车行", "家电维修"],
    "教育培训": ["培训中心", "艺术教室"],
    "其他": ["工作室", "图文店", "照相馆"],
}
BRANDS = list(
    [
        "老王",
        "阿婆",
        "小杨",
        "福满",
        "鲜丰",
        "味源",
        "金记",
        "好客",
        "新华",
        "来福",
        "全家乐",
        "大众",
        "阿娘",
        "巧手",
        "佳美",
        "春风",
        "和顺",
        "悦来",
        "一品",
        "丰收",
        "红星",
        "明珠",
        "永和",
        "德兴",
        "吉祥",
        "兴隆",
        "正宗",
        "祥记",
        "南翔",
        "宝隆",
        "星光",
        "如意",
        "百味",
        "嘉禾",
        "鸿运",
        "利民",
        "四季",
        "锦绣",
        "顺发",
        "鑫源",
    ]
)
REQUIRED_LICENCE = {
    "餐饮": "食品经营许可证",
    "食品零售": "食品经营许可证",
    "美容美发": "卫生许可证",
}
LICENCE_YEARS = {"营业执照": None, "食品经营许可证": 5, "卫生许可证": 4, "酒类零售许可证": 3}
ASSOCIATIONS = {
    "餐饮": "徐汇区餐饮行业协会",
    "食品零售": "徐汇区食品行业协会",
    "美容美发": "徐汇区美发美容行业协会",
}
OTHER_ASSOCIATION = "徐汇区商业联合会"
#: The violation code catalogue (reference data; the warehouse holds it as a dbt seed).
VIOLATIONS: dict[str, tuple[str, int, str]] = {
    "F01": ("critical", 9, "使用超过保质期的食品原料"),
    "F02": ("critical", 8, "生熟食品混放交叉污染"),
    "F03": ("critical", 7, "从业人员无有效健康证明"),
    "F04": ("critical", 8, "发现鼠害或虫害"),
    "F05": ("critical", 7, "冷藏冷冻温度不达标"),
    "M01": ("major", 6, "餐具消毒不到位"),
    "M02": ("major", 5, "食品贮存未离地离墙"),
    "M03": ("major", 5, "进货查验记录不全"),
    "M04": ("major", 6, "加工区卫生状况差"),
    "N01": ("minor", 2, "未公示许可证件"),
    "N02": ("minor", 3, "从业人员未规范着装"),
    "N03": ("minor", 4, "垃圾未分类存放"),
    "N04": ("minor", 2, "价格标签不规范"),
}
TEAMS = ["徐汇所一组", "徐汇所二组", "徐汇所三组", "漕河泾所", "徐家汇所"]
FEEDBACK_CATEGORIES = ["食品安全", "价格", "服务", "卫生", "噪音", "其他"]

SHOP_HEADERS = [
    "店铺编号",
    "店铺名称",
    "统一社会信用代码",
    "经营者姓名",
    "经营者身份证号",
    "路名",
    "门牌号",
    "街道",
    "行业",
    "经营状态",
    "开业日期",
    "经度",
    "纬度",
]
LICENCE_HEADERS = [
    "许可证编号",
    "店铺编号",
    "统一社会信用代码",
    "经营者名称",
    "经营地址",
    "许可类型",
    "发证日期",
    "有效期至",
    "状态",
]
RATING_HEADERS = ["店铺编号", "统一社会信用代码", "店铺名称", "评价机构", "评价等级", "评价日期"]


def _add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass
class Shop:
    shop_id: str
    brand: str
    kind: str
    branch: str | None  # the register's branch suffix, e.g. 天钥桥路店
    uscc: str | None
    operator_name: str
    operator_id: str
    road: str
    house_no: str
    street: Street
    industry: str
    status: str
    opened_on: dt.date
    opened_blank: bool
    lon: float | None
    lat: float | None
    risk: float
    licence_fault: str | None = None  # missing, expired, revoked (of its required licence)

    @property
    def name(self) -> str:
        return f"{self.brand}{self.kind}" + (f"({self.branch})" if self.branch else "")

    @property
    def company(self) -> str:
        if self.uscc is None or self.uscc[1] == "2":  # 个体工商户 trade under the shop's name
            return self.name
        return f"上海{self.brand}{self.industry if self.industry != '其他' else '商贸'}有限公司"


@dataclass
class Inspection:
    inspection_id: str
    shop: Shop
    on: dt.date
    kind: str  # routine, complaint, follow_up
    violations: list[tuple[str, str, int]]  # code, severity, points


@dataclass
class ShopWorld:
    shops: list[Shop] = field(default_factory=list)
    roads: list[tuple[str, Street]] = field(default_factory=list)
    inspections: list[Inspection] = field(default_factory=list)
    #: truth: (source, record id, shop id or "" when the record names no registered shop)
    links: list[tuple[str, str, str]] = field(default_factory=list)


class ShopBuilder:
    def __init__(self, n_shops: int, months: int, seed: int, as_of: dt.date) -> None:
        self.n, self.months, self.as_of = n_shops, months, as_of
        self.rng = np.random.default_rng([seed, 21])
        self.start = as_of - dt.timedelta(days=30 * months)
        self.world = ShopWorld()
        self.streets = [s for s in streets() if s.district_code == XUHUI]

    # -- the register -------------------------------------------------------------------
    def build(self) -> None:
        rng, w = self.rng, self.world
        n_roads = max(6, min(235, round(self.n / 42)))
        stems = [s for s in ROAD_STEMS if not any(c in s for c in "路街道弄号区镇")]
        for i in range(n_roads):
            stem = stems[i % len(stems)] + (
                "" if i < len(stems) else "东西南北中"[i // len(stems) % 5]
            )
            w.roads.append((stem + ("路" if i % 9 else "街"), self.streets[i % len(self.streets)]))
        used: set[tuple[str, str]] = set()
        names: set[str] = set()
        chains = set(rng.choice(BRANDS, size=max(2, len(BRANDS) // 5), replace=False).tolist())
        for i in range(self.n):
            road, street = w.roads[int(rng.integers(0, len(w.roads)))]
            while True:
                number = int(rng.integers(1, 1200))
                u = rng.random()
                house = (
                    f"{number}号"
                    if u < 0.8
                    else f"{number}-{int(rng.integers(1, 6))}号"
                    if u < 0.92
                    else f"{number}弄{int(rng.integers(1, 30))}号"
                )
                if (road, house) not in used:
                    used.add((road, house))
                    break
            industry = str(rng.choice(INDUSTRIES, p=INDUSTRY_WEIGHTS))
            brand = str(rng.choice(BRANDS))
            kind = str(rng.choice(KIND_WORDS[industry]))
            branch = None
            if brand in chains and rng.random() < 0.6:
                branch = f"{road}店"
            # a signboard name is unique on the register; chains tell branches apart
            while f"{brand}{kind}" + (f"({branch})" if branch else "") in names:
                if branch is None:
                    branch = f"{road}店"
                else:
                    brand = str(rng.choice(BRANDS))
            names.add(f"{brand}{kind}" + (f"({branch})" if branch else ""))
            individual = rng.random() < 0.35
            code: str | None = uscc_codes.make(
                "9",
                "2" if individual else "1",
                XUHUI,
                "".join(
                    str(rng.choice(list(uscc_codes.ALPHABET[:10] + "ABCDEFGH"))) for _ in range(8)
                ),
            )
            if individual and rng.random() < 0.4:
                code = None  # some 个体工商户 registered before the unified code carry none
            operator_id = idcard.make_ids(
                np.array([int(XUHUI)]),
                np.array(
                    [
                        int(
                            f"{rng.integers(1960, 2002)}{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}"
                        )
                    ]
                ),
                np.array([int(rng.integers(0, 1000))]),
            )[0]
            age_days = (
                int(rng.integers(30, 365 * 15)) if rng.random() > 0.06 else int(rng.integers(5, 89))
            )
            risk = float(rng.lognormal(-0.15, 0.65)) * INDUSTRY_RISK.get(industry, 0.5)
            u = rng.random()
            w.shops.append(
                Shop(
                    shop_id=f"HS-{XUHUI}-{i + 1:06d}",
                    brand=brand,
                    kind=kind,
                    branch=branch,
                    uscc=code,
                    operator_name=str(rng.choice(SURNAMES))
                    + "".join(
                        str(c) for c in rng.choice(GIVEN_CHARS, size=int(rng.integers(1, 3)))
                    ),
                    operator_id=str(operator_id),
                    road=road,
                    house_no=house,
                    street=street,
                    industry=industry,
                    status="营业" if u < 0.9 else "歇业" if u < 0.96 else "注销",
                    opened_on=self.as_of - dt.timedelta(days=age_days),
                    opened_blank=rng.random() < 0.03,
                    lon=None if rng.random() < 0.03 else round(121.437 + rng.normal(0, 0.015), 6),
                    lat=None if rng.random() < 0.03 else round(31.179 + rng.normal(0, 0.015), 6),
                    risk=risk,
                )
            )
        for s in w.shops:
            if s.industry in REQUIRED_LICENCE:
                u = rng.random()
                s.licence_fault = (
                    "missing"
                    if u < 0.04
                    else "expired"
                    if u < 0.08
                    else "revoked"
                    if u < 0.10
                    else None
                )

    def _dirty_uscc(self, code: str | None) -> str:
        if code is None:
            return ""
        u = self.rng.random()
        if u < 0.06:
            return code.lower()
        if u < 0.10:
            return idcard.fullwidth(code[:9]) + code[9:]
        if u < 0.13:
            return f"{code[:6]} {code[6:]}"
        if u < 0.15:  # a transposed pair: fails the check, so the code is not evidence
            i = int(self.rng.integers(2, 15))
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            return swapped if not uscc_codes.is_valid(swapped) else ""
        if u < 0.17:
            return ""
        return code

    def _address(self, shop: Shop, *, district: float, street: float) -> str:
        rng = self.rng
        text = f"{shop.road}{shop.house_no}"
        if rng.random() < street:
            text = shop.street.name + text
        if rng.random() < district:
            text = ("上海市" if rng.random() < 0.5 else "") + "徐汇区" + text
        if rng.random() < DIRT.address_fullwidth:
            text = idcard.fullwidth(text)
        if rng.random() < DIRT.address_spaces:
            text = text.replace(shop.road, shop.road + " ", 1)
        return text

    def shop_file(self, out: Path) -> Iterator[Path]:
        day = self.as_of - dt.timedelta(days=1)
        path = out / "shops" / day.isoformat() / f"shops_{day:%Y%m%d}.csv"
        rows = []
        for s in self.world.shops:
            operator_id = s.operator_id
            u = self.rng.random()
            if u < 0.02:
                operator_id = ""
            elif u < 0.05 and operator_id.endswith("X"):
                operator_id = operator_id[:-1] + "x"
            rows.append(
                {
                    "店铺编号": s.shop_id,
                    "店铺名称": s.name,
                    "统一社会信用代码": self._dirty_uscc(s.uscc),
                    "经营者姓名": s.operator_name,
                    "经营者身份证号": operator_id,
                    "路名": s.road,
                    "门牌号": s.house_no,
                    "街道": s.street.name,
                    "行业": s.industry,
                    "经营状态": s.status,
                    "开业日期": "" if s.opened_blank else f"{s.opened_on:%Y/%m/%d}",
                    "经度": "" if s.lon is None else s.lon,
                    "纬度": "" if s.lat is None else s.lat,
                }
            )
        write_csv(path, Delivery(SHOP_HEADERS, self.rng), rows, encoding="gbk")
        yield path

    # -- licences ------------------------------------------------------------------------
    def licence_files(self, out: Path) -> Iterator[Path]:
        rng, w = self.rng, self.world
        events: list[tuple[dt.date, dict[str, object]]] = []  # (delivered in the month of, row)
        serial = 0

        def licence(
            shop: Shop, kind: str, issued: dt.date, status: str = "有效"
        ) -> dict[str, object]:
            nonlocal serial
            serial += 1
            years = LICENCE_YEARS[kind]
            until = None if years is None else _add_years(issued, years)
            number = f"XK{issued:%Y}{serial:07d}"
            w.links.append(("shop_licences", number, shop.shop_id))
            return {
                "许可证编号": number,
                "店铺编号": shop.shop_id if rng.random() < 0.5 else "",
                "统一社会信用代码": self._dirty_uscc(shop.uscc),
                "经营者名称": shop.company,
                "经营地址": self._address(shop, district=0.6, street=0.2),
                "许可类型": kind,
                "发证日期": issued.isoformat(),
                "有效期至": "" if until is None else until.isoformat(),
                "状态": status,
                "_until": until,
            }

        for s in w.shops:
            events.append(
                (
                    s.opened_on,
                    licence(s, "营业执照", s.opened_on, "注销" if s.status == "注销" else "有效"),
                )
            )
            kind = REQUIRED_LICENCE.get(s.industry)
            if kind and s.licence_fault != "missing":
                # issued before the shop may open its doors
                issued = s.opened_on - dt.timedelta(days=int(rng.integers(0, 20)))
                if s.licence_fault == "expired":  # lapsed before as-of and not renewed
                    lapsed = self.as_of - dt.timedelta(days=int(rng.integers(5, 120)))
                    issued = min(issued, lapsed - dt.timedelta(days=30))
                    row = licence(s, kind, issued)
                    row["有效期至"] = lapsed.isoformat()
                    events.append((issued, row))
                else:  # renewed shortly before each expiry, so valid on as-of
                    row = licence(s, kind, issued)
                    events.append((issued, row))
                    while row["_until"] is not None and row["_until"] <= self.as_of:
                        issued = row["_until"] - dt.timedelta(days=int(rng.integers(5, 40)))
                        row = licence(s, kind, issued)
                        events.append((issued, row))
                if s.licence_fault == "revoked":
                    revoked_on = self.as_of - dt.timedelta(
                        days=int(rng.integers(1, 30 * self.months - 5))
                    )
                    events.append((revoked_on, dict(row, 状态="吊销")))
            if s.industry == "餐饮" and rng.random() < 0.1:
                events.append((s.opened_on, licence(s, "酒类零售许可证", s.opened_on)))
        by_month: dict[dt.date, list[dict[str, object]]] = {}
        for day, row in events:
            key = max(self._month_start(day), self._month_start(self.start))
            by_month.setdefault(key, []).append(row)
        for month, rows in sorted(by_month.items()):
            deliver = self._delivery_day(month)
            if deliver is None:
                continue
            path = out / "shop_licences" / deliver.isoformat() / f"licences_{deliver:%Y%m%d}.xlsx"
            write_xlsx(path, "许可证", Delivery(LICENCE_HEADERS, rng), rows)
            yield path

    def _month_start(self, day: dt.date) -> dt.date:
        return day.replace(day=1)

    def _delivery_day(self, month: dt.date) -> dt.date | None:
        """Monthly files arrive on the first day after their month, or on as-of for the last."""
        nxt = (month + dt.timedelta(days=32)).replace(day=1)
        day = min(nxt, self.as_of)
        return None if month > self.as_of else day

    # -- inspections ---------------------------------------------------------------------
    def simulate_inspections(self, complaint_days: dict[str, list[dt.date]]) -> None:
        rng, w = self.rng, self.world
        serial = 0
        horizon = (self.as_of - self.start).days
        for s in w.shops:
            if s.status == "注销":
                continue
            days: list[tuple[dt.date, str]] = []
            interval = int(rng.integers(120, 300))
            first = int(rng.integers(0, interval))
            for offset in range(first, horizon, interval):
                on = self.start + dt.timedelta(days=offset)
                if on > s.opened_on + dt.timedelta(days=20):
                    days.append((on, "routine"))
            for c in complaint_days.get(s.shop_id, []):
                if rng.random() < 0.5:
                    on = c + dt.timedelta(days=int(rng.integers(2, 10)))
                    if on < self.as_of:
                        days.append((on, "complaint"))
            for on, kind in sorted(days):
                serial += 1
                found = self._violations(s, 1.0)
                w.inspections.append(Inspection(f"JC{on:%Y%m}{serial:06d}", s, on, kind, found))
                points = sum(p for _, _, p in found)
                if any(sev == "critical" for _, sev, _ in found) or points >= 14:
                    follow = on + dt.timedelta(days=int(rng.integers(10, 30)))
                    if follow < self.as_of:
                        serial += 1
                        w.inspections.append(
                            Inspection(
                                f"JC{follow:%Y%m}{serial:06d}",
                                s,
                                follow,
                                "follow_up",
                                self._violations(s, 0.3),
                            )
                        )
        w.inspections.sort(key=lambda i: (i.on, i.inspection_id))

    def _violations(self, shop: Shop, scale: float) -> list[tuple[str, str, int]]:
        rng = self.rng
        found = []
        p_critical = min(0.6, 0.12 * shop.risk)
        for _ in range(int(rng.poisson(0.9 * shop.risk * scale))):
            u = rng.random()
            severity = (
                "critical" if u < p_critical else "major" if u < p_critical + 0.35 else "minor"
            )
            codes = [c for c, v in VIOLATIONS.items() if v[0] == severity]
            code = str(rng.choice(codes))
            found.append((code, severity, VIOLATIONS[code][1]))
        return found

    def inspection_files(self, out: Path) -> Iterator[Path]:
        rng, w = self.rng, self.world
        by_month: dict[dt.date, list[Inspection]] = {}
        for insp in w.inspections:
            by_month.setdefault(self._month_start(insp.on), []).append(insp)
        for month, items in sorted(by_month.items()):
            deliver = self._delivery_day(month)
            if deliver is None:
                continue
            records = []
            for insp in items:
                s = insp.shop
                w.links.append(("shop_inspections", insp.inspection_id, s.shop_id))
                code = self._dirty_uscc(s.uscc) if rng.random() < 0.7 else ""
                records.append(
                    {
                        "inspection_id": insp.inspection_id,
                        "shop_id": s.shop_id if rng.random() < 0.6 else None,
                        "uscc": code or None,
                        "shop_name": s.name if rng.random() < 0.8 else f"{s.brand}{s.kind}",
                        "address": self._address(s, district=0.5, street=0.1),
                        "inspected_on": insp.on.isoformat(),
                        "kind": insp.kind,
                        "team": str(rng.choice(TEAMS)),
                        "violations": [
                            {"code": c, "severity": sev, "points": p, "note": VIOLATIONS[c][2]}
                            for c, sev, p in insp.violations
                        ],
                    }
                )
            path = (
                out
                / "shop_inspections"
                / deliver.isoformat()
                / f"inspections_{deliver:%Y%m%d}.json"
            )
            write_json(path, {"inspections": records})
            yield path

    # -- industry ratings ----------------------------------------------------------------
    def rating_files(self, out: Path) -> Iterator[Path]:
        rng, w = self.rng, self.world
        quarters = []
        q_start = dt.date(self.start.year, 3 * ((self.start.month - 1) // 3) + 1, 1)
        while q_start < self.as_of:
            q_end = (q_start + dt.timedelta(days=92)).replace(day=1)
            deliver = q_end + dt.timedelta(days=9)
            if deliver <= self.as_of:
                quarters.append((q_start, q_end, deliver))
            q_start = q_end
        previous: tuple[Path, list[dict[str, object]], dt.date] | None = None
        for q_start, q_end, deliver in quarters:
            rows = []
            quarter = f"{q_start:%Y}Q{(q_start.month - 1) // 3 + 1}"
            for s in w.shops:
                association = ASSOCIATIONS.get(s.industry)
                if s.status == "注销" or s.opened_on >= q_end:
                    continue
                if association is None:
                    if rng.random() > 0.4:
                        continue
                    association = OTHER_ASSOCIATION
                score = s.risk * float(rng.lognormal(0, 0.25))
                grade = "A" if score < 0.7 else "B" if score < 1.2 else "C" if score < 2.0 else "D"
                rated = q_end - dt.timedelta(days=int(rng.integers(3, 25)))
                rows.append(
                    {
                        "店铺编号": s.shop_id if rng.random() < 0.6 else "",
                        "统一社会信用代码": self._dirty_uscc(s.uscc),
                        "店铺名称": s.name,
                        "评价机构": association,
                        "评价等级": grade,
                        "评价日期": rated.isoformat(),
                        "_shop": s.shop_id,
                    }
                )
            path = out / "shop_ratings" / deliver.isoformat() / f"ratings_{quarter}.csv"
            write_csv(path, Delivery(RATING_HEADERS, rng), rows, encoding="utf-8-sig")
            yield path
            if previous is not None:  # the association re-sends last quarter with corrections
                p_path, p_rows, _ = previous
                for r in p_rows:
                    if rng.random() < 0.03:
                        r["评价等级"] = "ABCD"[min(3, "ABCD".index(str(r["评价等级"])) + 1)]
                again = out / "shop_ratings" / deliver.isoformat() / p_path.name
                write_csv(again, Delivery(RATING_HEADERS, rng), p_rows, encoding="utf-8-sig")
                yield again
            previous = (path, rows, deliver)
            for r in rows:
                key = f"{r['评价机构']}|{r['店铺名称']}|{r['评价日期']}"
                w.links.append(("shop_ratings", key, str(r["_shop"])))

    # -- consumer feedback ---------------------------------------------------------------
    def simulate_feedback(self) -> tuple[list[dict[str, object]], dict[str, list[dt.date]]]:
        """Complaints and reviews per shop, and the days of the complaints that can bring an
        inspector (food safety and hygiene)."""
        rng, w = self.rng, self.world
        records: list[dict[str, object]] = []
        complaint_days: dict[str, list[dt.date]] = {}
        horizon = (self.as_of - self.start).days
        serial = 0
        for s in w.shops:
            if s.status == "注销":
                continue
            months = horizon / 30
            food = s.industry in ("餐饮", "食品零售")
            n_complaints = int(rng.poisson(0.12 * s.risk * months))
            n_reviews = int(rng.poisson((0.9 if food else 0.3) * months))
            for kind, count in (("complaint", n_complaints), ("review", n_reviews)):
                for _ in range(count):
                    serial += 1
                    at = dt.datetime.combine(
                        self.start + dt.timedelta(days=int(rng.integers(0, horizon))),
                        dt.time(int(rng.integers(8, 22)), int(rng.integers(0, 60))),
                    )
                    if kind == "complaint":
                        weights = np.array(
                            [0.4 * min(s.risk, 3) if food else 0.05, 0.2, 0.25, 0.25, 0.1, 0.1]
                        )
                        category = str(rng.choice(FEEDBACK_CATEGORIES, p=weights / weights.sum()))
                        if category in ("食品安全", "卫生"):
                            complaint_days.setdefault(s.shop_id, []).append(at.date())
                        stars = None
                    else:
                        category = str(rng.choice(["服务", "价格", "卫生", "其他"]))
                        stars = int(np.clip(round(4.7 - 0.7 * s.risk + rng.normal(0, 0.8)), 1, 5))
                    records.append(self._feedback(f"FB{serial:08d}", s, kind, at, category, stars))
        # feedback about shops that are not on the register
        for _ in range(max(1, len(records) // 33)):
            serial += 1
            road, _street = w.roads[int(rng.integers(0, len(w.roads)))]
            ghost = f"{rng.choice(BRANDS)}{rng.choice(KIND_WORDS['餐饮'])}"
            at = dt.datetime.combine(
                self.start + dt.timedelta(days=int(rng.integers(0, horizon))), dt.time(12)
            )
            records.append(
                {
                    "feedback_id": f"FB{serial:08d}",
                    "channel": "hotline",
                    "kind": "complaint",
                    "shop_name": ghost,
                    "address": f"{road}{int(rng.integers(1300, 1900))}号",
                    "shop_id": None,
                    "received_at": at.isoformat() + "+08:00",
                    "category": "服务",
                    "text": "商家态度差",
                    "closed_at": None,
                    "_shop": "",
                }
            )
        records.sort(key=lambda r: str(r["received_at"]))
        return records, complaint_days

    def _feedback(
        self, fid: str, s: Shop, kind: str, at: dt.datetime, category: str, stars: int | None
    ) -> dict[str, object]:
        rng = self.rng
        u = rng.random()
        if u < 0.4:
            name = s.name
        elif u < 0.65:
            name = f"{s.brand}{s.kind}"
        elif u < 0.8:
            name = f"{s.brand}{s.kind}({s.street.name.removesuffix('街道').removesuffix('镇')}店)"
        else:
            name = s.brand + s.kind[:1] if len(s.kind) > 1 else s.brand
        address = self._address(s, district=0.1, street=0.05)
        if rng.random() < 0.05:
            address = s.road  # no house number
        record: dict[str, object] = {
            "feedback_id": fid,
            "channel": "hotline" if kind == "complaint" else "platform",
            "kind": kind,
            "shop_name": name,
            "address": address,
            "shop_id": None,
            "received_at": at.isoformat() + "+08:00",
            "category": category,
            "text": "顾客反映" + category + "问题" if kind == "complaint" else "用餐体验",
            "closed_at": (at + dt.timedelta(days=int(rng.integers(1, 10)))).isoformat() + "+08:00"
            if kind == "complaint" and rng.random() < 0.8
            else None,
            "_shop": s.shop_id,
        }
        if stars is not None:
            record["stars"] = stars
        return record

    def feedback_files(self, out: Path, records: list[dict[str, object]]) -> Iterator[Path]:
        rng, w = self.rng, self.world
        by_month: dict[dt.date, list[dict[str, object]]] = {}
        for r in records:
            by_month.setdefault(
                self._month_start(dt.date.fromisoformat(str(r["received_at"])[:10])), []
            ).append(r)
        for month, items in sorted(by_month.items()):
            deliver = self._delivery_day(month)
            if deliver is None:
                continue
            lines = []
            truncated = rng.random() < 0.3
            for i, r in enumerate(items):
                w.links.append(("consumer_feedback", str(r["feedback_id"]), str(r["_shop"])))
                line = json.dumps(
                    {k: v for k, v in r.items() if not k.startswith("_")}, ensure_ascii=False
                )
                if truncated and i == len(items) // 2:
                    line = line[: len(line) // 2]  # a line cut short in transfer
                    w.links.pop()
                lines.append(line)
                if rng.random() < 0.01:
                    lines.append(line)  # the same feedback twice
            path = (
                out / "consumer_feedback" / deliver.isoformat() / f"feedback_{deliver:%Y%m%d}.jsonl"
            )
            write_jsonl(path, lines)
            yield path

    def truth_rows(self) -> Iterator[dict[str, object]]:
        seen: set[tuple[str, str]] = set()
        for source, record, shop in self.world.links:
            if (source, record) not in seen:
                seen.add((source, record))
                yield {"source": source, "record_id": record, "shop_id": shop}

    def shop_truth(self) -> Iterator[dict[str, object]]:
        for s in self.world.shops:
            yield {
                "shop_id": s.shop_id,
                "risk": round(s.risk, 4),
                "licence_fault": s.licence_fault or "",
                "industry": s.industry,
                "operator_id_number": s.operator_id,
            }
