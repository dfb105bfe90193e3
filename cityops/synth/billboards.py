"""Billboards on Nanjing Road and beyond, and their tilt/vibration sensors.

Most devices are quiet; a few drift past the tilt limit, shift suddenly, shake,
spike once (no alert), or fall silent. The true alerts are computed from the
readings a reader can actually recover (unique, parseable lines).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import (
    DIRT,
    SILENCE_HOURS,
    TILT_CHANGE_DEG,
    TILT_MAX_DEG,
    VIBRATION_CONSECUTIVE,
    VIBRATION_MAX_MM_S,
)
from .vocab import BILLBOARD_OWNERS, DISTRICTS, roads_for, streets
from .writers import Delivery, write_csv, write_jsonl

REGISTRY_HEADERS = [
    "广告牌编号",
    "设备编号",
    "地址",
    "区",
    "街道",
    "经度",
    "纬度",
    "高度(米)",
    "面积(平方米)",
    "安装日期",
    "设置单位",
]
BEHAVIOURS = ["normal", "drift", "shift", "shake", "spike", "silent", "gap"]
BEHAVIOUR_P = [0.79, 0.03, 0.03, 0.04, 0.04, 0.04, 0.03]
TZ = dt.timezone(dt.timedelta(hours=8))


@dataclass
class Billboard:
    billboard_id: str
    device_id: str
    address: str
    district_code: str
    street: str
    lon: float
    lat: float
    behaviour: str


class BillboardBuilder:
    def __init__(self, n: int, days: int, seed: int, as_of: dt.date) -> None:
        self.n, self.days, self.seed, self.as_of = n, days, seed, as_of
        self.boards: list[Billboard] = []
        self.readings: dict[str, list[tuple[dt.datetime, float, float, int]]] = {}
        self.recoverable: dict[str, dict[dt.datetime, tuple[float, float]]] = {}

    def build(self) -> None:
        rng = np.random.default_rng([self.seed, 30])
        all_streets = streets()
        nanjing = [i for i, s in enumerate(all_streets) if s.name == "南京东路街道"]
        for k in range(self.n):
            if nanjing and k < self.n * 0.6:
                si, road = nanjing[0], "南京东路"
            else:
                si = int(rng.integers(0, len(all_streets)))
                road = roads_for(si)[int(rng.integers(0, 6))]
            s = all_streets[si]
            _, lon, lat = DISTRICTS[s.district_code]
            self.boards.append(
                Billboard(
                    billboard_id=f"GG{s.district_code}{k:05d}",
                    device_id=f"DEV{k:06d}",
                    address=f"上海市{DISTRICTS[s.district_code][0]}{road}{int(rng.integers(1, 900))}号",
                    district_code=s.district_code,
                    street=s.name,
                    lon=round(float(lon + rng.normal(0, 0.01)), 6),
                    lat=round(float(lat + rng.normal(0, 0.01)), 6),
                    behaviour=BEHAVIOURS[int(rng.choice(len(BEHAVIOURS), p=BEHAVIOUR_P))],
                )
            )

    def registry_file(self, landing: Path) -> Path:
        rng = np.random.default_rng([self.seed, 31])
        day = self.as_of - dt.timedelta(days=self.days)
        rows = [
            {
                "广告牌编号": b.billboard_id,
                "设备编号": b.device_id,
                "地址": b.address,
                "区": DISTRICTS[b.district_code][0],
                "街道": b.street,
                "经度": b.lon,
                "纬度": b.lat,
                "高度(米)": round(float(rng.uniform(3, 30)), 1),
                "面积(平方米)": round(float(rng.uniform(10, 300)), 1),
                "安装日期": (
                    dt.date(2012, 1, 1) + dt.timedelta(days=int(rng.integers(0, 4000)))
                ).isoformat(),
                "设置单位": BILLBOARD_OWNERS[int(rng.integers(0, len(BILLBOARD_OWNERS)))],
            }
            for b in self.boards
        ]
        path = landing / "billboards" / day.isoformat() / "registry.csv"
        write_csv(path, Delivery(REGISTRY_HEADERS, rng), rows, encoding="utf-8")
        return path

    def simulate(self) -> None:
        start = dt.datetime(
            self.as_of.year, self.as_of.month, self.as_of.day, tzinfo=TZ
        ) - dt.timedelta(days=self.days)
        steps = self.days * 144
        for k, b in enumerate(self.boards):
            rng = np.random.default_rng([self.seed, 32, k])
            t = np.arange(steps)
            tilt = 0.3 + rng.normal(0, 0.03, steps) + rng.uniform(-0.1, 0.3)
            vib = np.abs(rng.normal(2.0, 0.8, steps))
            present = np.ones(steps, dtype=bool)
            at = int(rng.integers(steps // 4, steps * 3 // 4))
            if b.behaviour == "drift":  # slow lean past the limit
                tilt = tilt + np.clip(t - at, 0, None) * (2.4 / (steps - at))
            elif b.behaviour == "shift":  # sudden change, stays under the limit
                tilt = tilt + np.where(t >= at, 0.85, 0.0)
            elif b.behaviour == "shake":
                vib[at : at + 5] = rng.uniform(12, 20, len(vib[at : at + 5]))
            elif b.behaviour == "spike":
                vib[at : at + 2] = rng.uniform(12, 20, len(vib[at : at + 2]))
            elif b.behaviour == "silent":
                present[at : at + int(rng.integers(40, 90))] = False  # 6.7 to 15 hours
            elif b.behaviour == "gap":
                present[at : at + int(rng.integers(6, 24))] = False  # 1 to 4 hours
            battery = np.clip(95 - t / steps * 10 + rng.normal(0, 1, steps), 5, 100).astype(int)
            self.readings[b.device_id] = [
                (
                    start + dt.timedelta(minutes=10 * int(i)),
                    round(float(tilt[i]), 2),
                    round(float(vib[i]), 1),
                    int(battery[i]),
                )
                for i in np.flatnonzero(present)
            ]

    def reading_files(self, landing: Path) -> Iterator[Path]:
        rng = np.random.default_rng([self.seed, 33])
        by_hour: dict[dt.datetime, list[str]] = {}
        recoverable: dict[str, dict[dt.datetime, tuple[float, float]]] = {}
        for device, rows in self.readings.items():
            for ts, tilt, vib, battery in rows:
                line = json.dumps(
                    {
                        "device_id": device,
                        "ts": ts.isoformat(),
                        "tilt_deg": tilt,
                        "vibration_mm_s": vib,
                        "battery_pct": battery,
                    },
                    separators=(", ", ": "),
                )
                hour = ts.replace(minute=0)
                u = rng.random()
                if u < DIRT.reading_late:
                    hour = hour + dt.timedelta(hours=int(rng.integers(1, 3)))
                by_hour.setdefault(hour, []).append(line)
                if rng.random() < DIRT.reading_duplicate:
                    by_hour.setdefault(
                        hour + dt.timedelta(hours=int(rng.integers(0, 2))), []
                    ).append(line)
        end = dt.datetime(self.as_of.year, self.as_of.month, self.as_of.day, tzinfo=TZ)
        for hour in sorted(by_hour):
            if hour >= end:
                hour_lines = by_hour[hour]
                by_hour.setdefault(end - dt.timedelta(hours=1), []).extend(hour_lines)
        for hour in sorted(h for h in by_hour if h < end):
            lines = sorted(by_hour[hour])
            if rng.random() < DIRT.truncated_line_files and lines:
                i = int(rng.integers(0, len(lines)))
                lines[i] = lines[i][: int(rng.integers(10, len(lines[i]) - 5))]
            for line in lines:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                ts = dt.datetime.fromisoformat(rec["ts"])
                recoverable.setdefault(rec["device_id"], {})[ts] = (
                    rec["tilt_deg"],
                    rec["vibration_mm_s"],
                )
            path = landing / "billboards" / hour.date().isoformat() / f"readings_{hour:%H}.jsonl"
            write_jsonl(path, lines)
            yield path
        self.recoverable = recoverable

    def true_alerts(self) -> list[dict[str, object]]:
        """Alerts per device and rule, from the readings a reader can recover; silence
        runs up to the newest recoverable reading of any device."""
        start = dt.datetime(
            self.as_of.year, self.as_of.month, self.as_of.day, tzinfo=TZ
        ) - dt.timedelta(days=self.days)
        end = max(ts for series in self.recoverable.values() for ts in series)
        alerts = []
        for b in self.boards:
            series = sorted(self.recoverable.get(b.device_id, {}).items())
            first: dict[str, dt.datetime] = {}
            run = 0
            times = [ts for ts, _ in series]
            for i, (ts, (tilt, vib)) in enumerate(series):
                if tilt > TILT_MAX_DEG:
                    first.setdefault("tilt_over_limit", ts)
                j = i - 1
                while j >= 0 and ts - times[j] <= dt.timedelta(hours=24):
                    if abs(tilt - series[j][1][0]) > TILT_CHANGE_DEG:
                        first.setdefault("tilt_change_24h", ts)
                        break
                    j -= 1
                run = run + 1 if vib > VIBRATION_MAX_MM_S else 0
                if run >= VIBRATION_CONSECUTIVE:
                    first.setdefault("vibration_sustained", ts)
            gap_from = [start, *times]
            gap_to = [*times, end]
            for a, c in zip(gap_from, gap_to, strict=True):
                if c - a >= dt.timedelta(hours=SILENCE_HOURS):
                    first.setdefault("device_silent", a)
                    break
            for rule, ts in sorted(first.items()):
                alerts.append(
                    {
                        "billboard_id": b.billboard_id,
                        "device_id": b.device_id,
                        "rule": rule,
                        "first_at": ts.isoformat(),
                        "behaviour": b.behaviour,
                    }
                )
        return alerts
