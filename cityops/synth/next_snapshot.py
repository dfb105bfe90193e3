"""The registry a month later: a new full snapshot derived from a delivered one.

The household registry arrives as a full snapshot (docs/sources/population.md), and from one
month to the next most of its records stay as they were. This writes the next snapshot
from a delivered file with a known share of changes, so that a snapshot day can be run
and measured at any scale without generating the city again:

- deaths and moves out: a record's 人口状态 changes (the record stays);
- moves within the city: a record gets a new address;
- removals: a record leaves the snapshot (a registration cancelled);
- births: a new child joins an existing household, with a valid new ID number.

Unchanged lines are copied byte for byte; only changed lines are parsed. Streams: a
25 M-row file needs no more memory than a small one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import idcard
from .population import PERSON_HEADERS

_BUILDING = re.compile(r"\d+号")
_KINDS = ("status", "address", "removed", "births")


@dataclass(frozen=True)
class MonthlyChanges:
    """Shares of a month's records that change (of the delivered records)."""

    status: float = 0.001  # deaths and moves out of the city
    address: float = 0.003  # moves within the city
    removed: float = 0.0005  # registrations cancelled
    births: float = 0.0005  # a child added to a household


@dataclass
class ChangeCount:
    records_in: int = 0
    records_out: int = 0
    changed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_KINDS, 0))


def _uniforms(rng: np.random.Generator) -> Iterator[float]:
    """Uniform draws in [0, 1), one a record, drawn in blocks (one call per record is slow)."""
    while True:
        yield from rng.random(1 << 16).tolist()


def _line(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(values)
    return buf.getvalue()


def next_snapshot(
    previous: Path,
    out: Path,
    day: dt.date,
    seed: int = 1,
    changes: MonthlyChanges = MonthlyChanges(),
) -> ChangeCount:
    """Write the snapshot of ``day`` to ``out`` from the ``previous`` snapshot's file."""
    rng = np.random.default_rng([seed, 41, day.toordinal()])
    stamp = f"{day - dt.timedelta(days=1)} 18:00:00"
    thresholds = np.cumsum([getattr(changes, k) for k in _KINDS])
    count = ChangeCount()
    born = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with (
        previous.open(encoding="utf-8", newline="") as src,
        out.open("w", encoding="utf-8", newline="") as dst,
    ):
        header = src.readline()
        names = [name.strip() for name in next(csv.reader([header]))]
        missing = [name for name in PERSON_HEADERS if name not in names]
        if missing:
            raise ValueError(f"{previous}: not a registry snapshot (no {', '.join(missing)})")
        col = {name: names.index(name) for name in PERSON_HEADERS}
        dst.write(header)
        for line, u in zip(src, _uniforms(rng), strict=False):  # the draws never end
            count.records_in += 1
            if u >= thresholds[-1]:
                dst.write(line)
                count.records_out += 1
                continue
            kind = _KINDS[int(np.searchsorted(thresholds, u, side="right"))]
            count.changed[kind] += 1
            values = next(csv.reader([line]))
            if kind == "removed":
                continue
            if kind == "births":
                dst.write(line)
                count.records_out += 1
                born += 1
                values = _newborn(values, col, day, born)
            elif kind == "status":
                values[col["人口状态"]] = "死亡" if rng.random() < 0.6 else "迁出"
                values[col["更新时间"]] = stamp
            else:  # address: the same street, another building
                building = f"{int(rng.integers(1, 2000))}号"
                values[col["户籍地址"]] = _BUILDING.sub(building, values[col["户籍地址"]], count=1)
                values[col["更新时间"]] = stamp
            dst.write(_line(values))
            count.records_out += 1
    return count


def _newborn(parent: list[str], col: dict[str, int], day: dt.date, n: int) -> list[str]:
    """The ``n``-th child born in the month before ``day``, in ``parent``'s household.

    Sequence numbers count down from 999, where the registry's own (allocated from 0 per
    region, birth date and sex) are least likely to be: unique for 14,000 births a region.
    """
    male = n % 2 == 1
    birth = day - dt.timedelta(days=1 + (n // 2) % 28)
    seq = 2 * (499 - (n // 56) % 250) + int(male)
    district = parent[col["区划代码"]].strip()
    region = int(district) if district.isdigit() and len(district) == 6 else 310101
    ids = idcard.make_ids(
        np.array([region]), np.array([int(birth.strftime("%Y%m%d"))]), np.array([seq])
    )
    values = list(parent)
    for name, value in (
        ("身份证号", str(ids[0])),
        ("姓名", parent[col["姓名"]].strip()[:1] + "新" + "春夏秋冬"[n % 4]),
        ("性别", "男" if male else "女"),
        ("出生日期", birth.strftime("%Y%m%d")),
        ("与户主关系", "子" if male else "女"),
        ("人口状态", "正常"),
        ("更新时间", f"{birth} 09:00:00"),
    ):
        values[col[name]] = value
    return values
