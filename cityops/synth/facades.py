"""Curtain-wall buildings, weather stations and the inspections that find their defects.

Each building carries a latent daily breakage hazard driven by the docs/domain.md risk
factors (age, repairs, sealant, glass, wall system, height, management, weather
exposure). The hazard drives routine inspection findings, reported breakages and
cases in the past year, and held-out breakages in the days after as-of (truth only).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .config import DIRT, FUTURE_DAYS
from .vocab import (
    BUILDING_WEIGHTS,
    BUILDING_WORDS,
    COASTAL_DISTRICTS,
    DISTRICTS,
    PROPERTY_MANAGERS,
    roads_for,
    streets,
)
from .writers import Delivery, write_csv, write_json, write_xlsx

BUILDING_HEADERS = [
    "建筑编号",
    "建筑名称",
    "地址",
    "区",
    "街道",
    "经度",
    "纬度",
    "地上层数",
    "建筑高度(米)",
    "竣工年份",
    "幕墙面积(平方米)",
    "玻璃类型",
    "幕墙形式",
    "最近大修年份",
    "结构胶更换年份",
    "使用性质",
    "物业单位",
    "临街",
]
INSPECTION_HEADERS = [
    "检查编号",
    "建筑编号",
    "地址",
    "检查日期",
    "检查方式",
    "问题类型",
    "严重程度",
    "立案编号",
    "立案时间",
    "结案时间",
    "处置措施",
]
GLASS = ["普通浮法玻璃", "钢化玻璃", "半钢化玻璃", "夹层玻璃"]
GLASS_RISK = [0.9, 0.6, 0.25, 0.0]
WALL = ["隐框", "半隐框", "点支式", "明框"]
WALL_RISK = [0.8, 0.5, 0.3, 0.0]
USES = ["办公", "商业", "酒店", "住宅", "综合"]
TYPHOON_LEVELS = ["none", "blue", "yellow", "orange", "red"]
_FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class Building:
    code: str
    name: str
    district_code: str
    street: str
    road: str
    number: int
    lon: float
    lat: float
    floors: int
    height: float
    completion_year: int
    area: float
    glass: int
    wall: int
    repair_year: int | None
    sealant_year: int | None
    use: str
    manager: str
    street_facing: bool
    log_hazard: float = 0.0
    station: int = 0

    @property
    def address(self) -> str:
        return f"上海市{DISTRICTS[self.district_code][0]}{self.road}{self.number}号"


@dataclass
class Station:
    station_id: str
    name: str
    district_code: str
    lon: float
    lat: float


@dataclass
class Inspection:
    inspection_id: str
    building: Building
    day: dt.date
    method: str
    finding: str
    severity: int
    case_id: str = ""
    opened_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    measures: str = ""
    address_text: str = ""
    with_code: bool = True
    unmatchable: bool = False
    slash_date: bool = False


@dataclass
class FacadeWorld:
    buildings: list[Building] = field(default_factory=list)
    stations: list[Station] = field(default_factory=list)
    inspections: list[Inspection] = field(default_factory=list)
    breakages: list[tuple[str, dt.date]] = field(default_factory=list)  # past year
    future_breakages: list[tuple[str, dt.date]] = field(default_factory=list)


def _haversine_m(lon1, lat1, lon2, lat2):
    r = 6_371_000.0
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(a))


class FacadeBuilder:
    def __init__(self, n_buildings: int, n_stations: int, seed: int, as_of: dt.date) -> None:
        self.n_buildings, self.n_stations = n_buildings, n_stations
        self.seed, self.as_of = seed, as_of
        self.window_start = as_of - dt.timedelta(days=365)
        self.days = [self.window_start + dt.timedelta(days=i) for i in range(365 + FUTURE_DAYS)]
        self.world = FacadeWorld()

    def rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, 20, *key])

    # -- stations and weather ------------------------------------------------------
    def build_stations(self) -> None:
        rng = self.rng(1)
        codes = sorted(DISTRICTS)
        used = {58367}
        for i in range(self.n_stations):
            district = codes[i % len(codes)]
            _, lon, lat = DISTRICTS[district]
            if i == 0:
                sid, district, lon, lat, name = 58367, "310104", 121.43, 31.19, "徐家汇"
            else:
                sid = 58360 + int(rng.integers(0, 640))
                while sid in used:
                    sid = 58360 + int(rng.integers(0, 640))
                lon, lat = lon + rng.normal(0, 0.03), lat + rng.normal(0, 0.03)
                name = f"{DISTRICTS[district][0][:-1]}{i:03d}站"
            used.add(sid)
            self.world.stations.append(
                Station(str(sid), name, district, round(float(lon), 4), round(float(lat), 4))
            )

    def simulate_weather(self) -> None:
        """Hourly weather per station and day over the window and the held-out future."""
        rng = self.rng(2)
        n_days, n_st = len(self.days), len(self.world.stations)
        doy = np.array([d.timetuple().tm_yday for d in self.days])
        base = 17 + 11 * np.sin(2 * np.pi * (doy - 110) / 365)
        coastal = np.array([s.district_code in COASTAL_DISTRICTS for s in self.world.stations])
        tmax = base[:, None] + 4.5 + rng.normal(0, 2.2, (n_days, n_st)) + rng.normal(0, 0.6, n_st)
        summer = (doy > 180) & (doy < 240)
        heat = summer[:, None] & (rng.random((n_days, 1)) < 0.35)
        tmax = np.where(heat, tmax + rng.uniform(2, 5, (n_days, n_st)), tmax)
        tmin = tmax - rng.uniform(5, 11, (n_days, n_st))
        wind = rng.gamma(3.0, 1.3, (n_days, 1)) + rng.normal(0, 0.5, (n_days, n_st)) + coastal * 1.5
        wind = np.clip(wind, 0.3, None)
        gust = wind * rng.uniform(1.5, 2.1, (n_days, n_st))
        rainy = rng.random((n_days, 1)) < 0.3
        rain = np.where(rainy, rng.gamma(0.9, 9.0, (n_days, n_st)), 0.0)
        storm = rng.random((n_days, 1)) < 0.015
        rain = np.where(storm, rain + rng.uniform(45, 90, (n_days, n_st)), rain)
        warning = np.zeros((n_days, n_st), dtype=int)
        # typhoons: one or two in the summer of the window, and possibly one ahead
        summer_days = np.flatnonzero((doy > 190) & (doy < 270))
        n_typhoons = min(len(summer_days), 2)
        for t in rng.choice(summer_days, n_typhoons, replace=False) if n_typhoons else []:
            for k, strength in enumerate([0.7, 1.0, 0.6]):
                day = min(int(t) + k, n_days - 1)
                boost = strength * (12 + coastal * 8) + rng.normal(0, 2, n_st)
                wind[day] = np.maximum(wind[day], 8 + boost * 0.6)
                gust[day] = np.maximum(gust[day], 14 + boost)
                rain[day] += strength * rng.uniform(40, 120, n_st)
                warning[day] = np.where(
                    coastal, 4 if strength >= 1.0 else 3, 3 if strength >= 0.7 else 2
                )
        self.tmax, self.tmin, self.wind, self.gust, self.rain, self.warning = (
            tmax,
            tmin,
            wind,
            gust,
            rain,
            warning,
        )

    def weather_files(self, landing: Path) -> Iterator[Path]:
        rng = self.rng(3)
        stations = [
            {
                "station_id": s.station_id,
                "name": s.name,
                "lon": s.lon,
                "lat": s.lat,
                "district": DISTRICTS[s.district_code][0],
            }
            for s in self.world.stations
        ]
        hours = np.arange(24)
        shape = np.clip(
            np.sin((hours - 8) / 24 * 2 * np.pi) * 0.5 + 0.5, 0, 1
        )  # warmest mid-afternoon
        tz = dt.timezone(dt.timedelta(hours=8))
        for di, day in enumerate(self.days[:365]):
            if day >= self.as_of:
                break
            obs = []
            for si, s in enumerate(self.world.stations):
                temps = self.tmin[di, si] + (self.tmax[di, si] - self.tmin[di, si]) * shape
                peak = int(rng.integers(10, 17))
                rain_hours = rng.dirichlet(np.ones(24) * 0.3) * self.rain[di, si]
                for h in range(24):
                    gust_h = (
                        self.gust[di, si]
                        if h == peak
                        else self.gust[di, si] * rng.uniform(0.55, 0.95)
                    )
                    row = {
                        "station_id": s.station_id,
                        "ts": dt.datetime(day.year, day.month, day.day, h, tzinfo=tz).isoformat(),
                        "wind_speed_ms": round(float(self.wind[di, si] * rng.uniform(0.6, 1.0)), 1),
                        "gust_ms": round(float(gust_h), 1),
                        "temp_c": round(float(temps[h] if h != 14 else self.tmax[di, si]), 1),
                        "precip_mm": round(float(rain_hours[h]), 1),
                        "typhoon_warning": TYPHOON_LEVELS[int(self.warning[di, si])],
                    }
                    for key in ("wind_speed_ms", "gust_ms", "temp_c", "precip_mm"):
                        u = rng.random()
                        if u < DIRT.weather_null:
                            row[key] = None
                        elif u < DIRT.weather_null + DIRT.weather_sentinel:
                            row[key] = -9999
                    obs.append(row)
            path = landing / "weather" / day.isoformat() / f"obs_{day:%Y%m%d}.json"
            write_json(path, {"stations": stations, "observations": obs})
            yield path

    # -- buildings ---------------------------------------------------------------------
    def build_buildings(self) -> None:
        rng = self.rng(4)
        all_streets = streets()
        district_codes = sorted(DISTRICTS)
        w = np.array([BUILDING_WEIGHTS[c] for c in district_codes])
        street_centre = {}
        for i, s in enumerate(all_streets):
            _, lon, lat = DISTRICTS[s.district_code]
            street_centre[i] = (lon + rng.normal(0, 0.025), lat + rng.normal(0, 0.02))
        taken: set[tuple[str, str, int]] = set()
        counters: dict[str, int] = {}
        for _ in range(self.n_buildings):
            district = district_codes[int(rng.choice(len(district_codes), p=w / w.sum()))]
            candidates = [i for i, s in enumerate(all_streets) if s.district_code == district]
            si = candidates[int(rng.integers(0, len(candidates)))]
            road = roads_for(si)[int(rng.integers(0, 6))]
            number = int(rng.integers(1, 2000))
            while (district, road, number) in taken:
                number = int(rng.integers(1, 2000))
            taken.add((district, road, number))
            counters[district] = counters.get(district, 0) + 1
            code = f"SH-{district}-{counters[district]:05d}"
            completion = int(np.clip(rng.normal(2004, 9), 1985, 2023))
            age = self.as_of.year - completion
            floors = int(np.clip(rng.gamma(4, 5), 6, 90))
            glass_p = (
                np.array([0.35, 0.35, 0.15, 0.15])
                if completion < 2005
                else np.array([0.08, 0.42, 0.2, 0.3])
            )
            repair = completion + int(rng.integers(8, 20)) if rng.random() < 0.5 else None
            sealant = completion + int(rng.integers(8, 20)) if rng.random() < 0.4 else None
            repair = repair if repair and repair <= self.as_of.year else None
            sealant = sealant if sealant and sealant <= self.as_of.year else None
            lon0, lat0 = street_centre[si]
            b = Building(
                code=code,
                name=f"{road.rstrip('路街大道')}{BUILDING_WORDS[int(rng.integers(0, len(BUILDING_WORDS)))]}",
                district_code=district,
                street=all_streets[si].name,
                road=road,
                number=number,
                lon=round(float(lon0 + rng.normal(0, 0.004)), 6),
                lat=round(float(lat0 + rng.normal(0, 0.0035)), 6),
                floors=floors,
                height=round(floors * rng.uniform(3.6, 4.4), 1),
                completion_year=completion,
                area=round(float(floors * rng.uniform(180, 650)), 1),
                glass=int(rng.choice(4, p=glass_p)),
                wall=int(rng.choice(4, p=[0.3, 0.3, 0.15, 0.25])),
                repair_year=repair,
                sealant_year=sealant,
                use=USES[int(rng.choice(5, p=[0.4, 0.2, 0.08, 0.12, 0.2]))],
                manager=""
                if rng.random() < 0.1
                else PROPERTY_MANAGERS[int(rng.integers(0, len(PROPERTY_MANAGERS)))],
                street_facing=bool(rng.random() < 0.6),
            )
            since_repair = self.as_of.year - (repair or completion)
            sealant_age = self.as_of.year - (sealant or completion)
            # Facade condition is concentrated: old, never-resealed, hidden-frame float glass
            # dominates. The factor sum is stretched (x1.7) around a low base rate.
            condition = (
                0.035 * age
                + 0.03 * since_repair
                + 0.035 * sealant_age
                + GLASS_RISK[b.glass]
                + WALL_RISK[b.wall]
                + 0.004 * b.height
                + (0.35 if not b.manager else 0.0)
                + (0.25 if district in COASTAL_DISTRICTS else 0.0)
            )
            b.log_hazard = float(-13.6 + 1.7 * condition + rng.normal(0, 0.35))
            self.world.buildings.append(b)
        lons = np.array([s.lon for s in self.world.stations])
        lats = np.array([s.lat for s in self.world.stations])
        for b in self.world.buildings:
            b.station = int(np.argmin(_haversine_m(b.lon, b.lat, lons, lats)))

    def building_files(self, landing: Path) -> Iterator[Path]:
        rng = self.rng(5)
        snapshots = [
            self.window_start + dt.timedelta(days=2),
            self.window_start + dt.timedelta(days=180),
        ]
        blank_year = {
            b.code for b in self.world.buildings if rng.random() < DIRT.building_blank_year
        }
        blank_xy = {
            b.code for b in self.world.buildings if rng.random() < DIRT.building_blank_coords
        }
        for k, day in enumerate(snapshots):
            if day >= self.as_of:
                continue
            rows = []
            for b in self.world.buildings:
                rows.append(
                    {
                        "建筑编号": b.code,
                        "建筑名称": b.name,
                        "地址": b.address,
                        "区": DISTRICTS[b.district_code][0],
                        "街道": b.street,
                        "经度": "" if b.code in blank_xy else b.lon,
                        "纬度": "" if b.code in blank_xy else b.lat,
                        "地上层数": b.floors,
                        "建筑高度(米)": b.height,
                        "竣工年份": "" if b.code in blank_year else b.completion_year,
                        "幕墙面积(平方米)": b.area,
                        "玻璃类型": GLASS[b.glass],
                        "幕墙形式": WALL[b.wall],
                        "最近大修年份": b.repair_year or "",
                        "结构胶更换年份": b.sealant_year or "",
                        "使用性质": b.use,
                        "物业单位": b.manager,
                        "临街": "是" if b.street_facing else "否",
                    }
                )
            path = landing / "housing" / day.isoformat() / f"buildings_{day:%Y%m%d}.xlsx"
            write_xlsx(path, "幕墙建筑", Delivery(BUILDING_HEADERS, rng, allow_dirt=k > 0), rows)
            yield path

    # -- inspections -------------------------------------------------------------------
    def simulate_inspections(self) -> None:
        rng = self.rng(6)
        hazard = np.exp(np.array([b.log_hazard for b in self.world.buildings]))
        gust_at = self.gust[:, [b.station for b in self.world.buildings]]
        heat_at = self.tmax[:, [b.station for b in self.world.buildings]]
        mult = np.exp(0.09 * np.clip(gust_at - 12, 0, None) + 0.05 * np.clip(heat_at - 34, 0, None))
        p = 1 - np.exp(-hazard[None, :] * mult)
        events = rng.random(p.shape) < p
        seq = 0
        cases = 0
        inspections: list[Inspection] = []
        for di, bi in zip(*np.nonzero(events), strict=True):
            b, day = self.world.buildings[bi], self.days[di]
            if day >= self.as_of:
                self.world.future_breakages.append((b.code, day))
                continue
            self.world.breakages.append((b.code, day))
            finding = (
                "面板脱落"
                if rng.random() < 0.1
                else ("玻璃自爆" if b.glass == 1 and rng.random() < 0.6 else "玻璃破损")
            )
            seq += 1
            insp = Inspection(
                f"JC{day:%Y%m%d}{seq:06d}",
                b,
                day,
                "人工",
                finding,
                3 if finding == "面板脱落" or rng.random() < 0.4 else 2,
            )
            inspections.append(insp)
        # routine inspections, drones and sensors
        for b in self.world.buildings:
            cycle = 180 if (b.wall == 0 or self.as_of.year - b.completion_year > 15) else 365
            first = int(rng.integers(0, cycle))
            if rng.random() < 0.06:
                first += cycle  # overdue: missed a cycle
            methods = [(first, cycle, "人工")]
            if rng.random() < 0.3:
                methods.append((int(rng.integers(0, 90)), 90, "无人机"))
            if rng.random() < 0.05:
                methods.append((int(rng.integers(0, 30)), 30, "传感器"))
            condition = 1 / (1 + math.exp(-(b.log_hazard + 7.0)))
            for start, step, method in methods:
                for di in range(start, 365, step):
                    day = self.days[di]
                    if day >= self.as_of:
                        break
                    finding, severity = "无", 0
                    if rng.random() < 0.04 + 0.75 * condition:
                        sealant_old = self.as_of.year - (b.sealant_year or b.completion_year) > 12
                        choices = ["密封胶老化", "五金件松动", "框架锈蚀", "玻璃破损"]
                        weights = np.array(
                            [
                                3.0 if sealant_old else 1.0,
                                1.5,
                                1.0 + (b.completion_year < 2000),
                                0.4,
                            ]
                        )
                        finding = choices[int(rng.choice(4, p=weights / weights.sum()))]
                        severity = int(rng.choice([1, 2, 3], p=[0.6, 0.33, 0.07]))
                    seq += 1
                    inspections.append(
                        Inspection(f"JC{day:%Y%m%d}{seq:06d}", b, day, method, finding, severity)
                    )
        tz = dt.timezone(dt.timedelta(hours=8))
        for insp in inspections:
            r = np.random.default_rng([self.seed, 21, int(insp.inspection_id[-6:])])
            insp.with_code = r.random() >= DIRT.inspection_no_code
            insp.address_text = self._dirty_address(insp.building, r)
            insp.unmatchable = not insp.with_code and r.random() < DIRT.address_unmatchable * 3
            if insp.unmatchable:
                insp.address_text = insp.address_text.replace(
                    insp.building.road, insp.building.road[0] + "某路"
                )
            insp.slash_date = r.random() < DIRT.inspection_slash_date
            if insp.severity >= 2:
                cases += 1
                insp.case_id = f"LA{insp.day:%Y%m%d}{cases:05d}"
                opened = dt.datetime(
                    insp.day.year,
                    insp.day.month,
                    insp.day.day,
                    int(r.integers(8, 20)),
                    int(r.integers(0, 60)),
                    tzinfo=tz,
                )
                insp.opened_at = opened
                u = r.random()
                hours = r.uniform(2, 23) if u < 0.86 else (r.uniform(25, 96) if u < 0.97 else None)
                if hours is not None:
                    insp.closed_at = opened + dt.timedelta(
                        hours=float(hours), minutes=int(r.integers(0, 60))
                    )
                measures = ["拆除", "围封", "警示"]
                k = int(r.integers(1, 4))
                insp.measures = ";".join(
                    sorted(r.choice(measures, k, replace=False).tolist(), key=measures.index)
                )
        inspections.sort(key=lambda i: (i.day, i.inspection_id))
        self.world.inspections = inspections

    def _dirty_address(self, b: Building, r: np.random.Generator) -> str:
        text = b.address
        if r.random() < DIRT.address_no_city:
            text = text.replace("上海市", "", 1)
        if r.random() < DIRT.address_lane:
            text = text.replace("号", "弄")
        if r.random() < DIRT.address_fullwidth:
            text = text.translate(_FULLWIDTH_DIGITS)
        if r.random() < DIRT.address_spaces:
            cut = len(text) - len(str(b.number)) - 1
            text = (
                text[:cut] + " " + text[cut:]
                if r.random() < 0.5
                else " " + text.replace("区", "区 ", 1) + " "
            )
        return text

    def inspection_files(
        self, landing: Path
    ) -> Iterator[tuple[Path, list[tuple[int, Inspection]]]]:
        """Daily increments: the day's inspections, plus re-sends when a case closes later."""
        rng = self.rng(7)
        by_day: dict[dt.date, list[tuple[Inspection, bool]]] = {}
        for insp in self.world.inspections:
            by_day.setdefault(insp.day, []).append((insp, False))
            if insp.closed_at is not None and insp.closed_at.date() > insp.day:
                by_day.setdefault(insp.closed_at.date(), []).append((insp, True))
            elif rng.random() < DIRT.inspection_corrections:
                later = insp.day + dt.timedelta(days=int(rng.integers(1, 20)))
                by_day.setdefault(later, []).append((insp, True))
        for day in sorted(by_day):
            delivered = day + dt.timedelta(days=1)
            if delivered > self.as_of:
                continue
            rows, meta = [], []
            for insp, _resend in by_day[day]:
                closed = insp.closed_at if insp.closed_at and insp.closed_at.date() <= day else None
                date_text = (
                    f"{insp.day.year}/{insp.day.month}/{insp.day.day}"
                    if insp.slash_date
                    else insp.day.isoformat()
                )
                rows.append(
                    {
                        "检查编号": insp.inspection_id,
                        "建筑编号": insp.building.code if insp.with_code else "",
                        "地址": insp.address_text,
                        "检查日期": date_text,
                        "检查方式": insp.method,
                        "问题类型": insp.finding,
                        "严重程度": insp.severity,
                        "立案编号": insp.case_id,
                        "立案时间": insp.opened_at.strftime("%Y-%m-%d %H:%M")
                        if insp.opened_at
                        else "",
                        "结案时间": closed.strftime("%Y-%m-%d %H:%M:%S") if closed else "",
                        "处置措施": insp.measures,
                    }
                )
                meta.append((len(rows) + 1, insp))
            path = (
                landing
                / "facade_inspections"
                / delivered.isoformat()
                / f"inspections_{day:%Y%m%d}.csv"
            )
            write_csv(path, Delivery(INSPECTION_HEADERS, rng), rows, encoding="gbk")
            yield path, meta
