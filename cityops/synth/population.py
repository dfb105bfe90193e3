"""Households and persons of the synthetic city, generated in chunks (bounded memory).

Each chunk of households is vectorised with numpy; the registry file is written
chunk by chunk while the few persons other departments need (welfare households,
graduate-age children, contributors) are collected on the way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from . import idcard
from .config import DIRT, Scale
from .vocab import (
    DISTRICT_WEIGHTS,
    GIVEN_CHARS,
    OTHER_REGIONS,
    SURNAMES,
    Street,
    roads_for,
    streets,
)

#: The registry snapshot's header, in the order the city delivers it (docs/sources/population.md).
PERSON_HEADERS = [
    "身份证号",
    "姓名",
    "性别",
    "出生日期",
    "户号",
    "与户主关系",
    "区划代码",
    "街道",
    "户籍地址",
    "人口状态",
    "更新时间",
]

RELATIONS = np.array(["户主", "配偶", "子", "女", "父母", "孙子女", "其他"])
STATUS = np.array(["正常", "死亡", "迁出"])
HOUSEHOLD_SIZES = np.array([1, 2, 3, 4, 5])
HOUSEHOLD_SIZE_P = np.array([0.2, 0.3, 0.3, 0.13, 0.07])
MEAN_HOUSEHOLD_SIZE = float((HOUSEHOLD_SIZES * HOUSEHOLD_SIZE_P).sum())
EPOCH = np.datetime64("1970-01-01", "D")


@dataclass
class Person:
    """One person other departments refer to (welfare, education, employment)."""

    uid: int
    id_number: str  # true, normalised 18-digit number
    name: str
    gender: str
    birth: dt.date
    household_no: str
    relation: str
    district_code: str
    street: str
    address: str
    status: str  # in the latest registry snapshot
    in_registry: bool = True


@dataclass
class Household:
    household_no: str
    district_code: str
    street: str
    members: list[Person]

    @property
    def head(self) -> Person:
        return self.members[0]


@dataclass
class PopulationSample:
    """What the rest of the city needs from the registry."""

    welfare_households: list[Household] = field(default_factory=list)
    graduate_candidates: list[Person] = field(default_factory=list)
    contributors: list[Person] = field(default_factory=list)
    persons_written: int = 0
    households: int = 0


@dataclass
class Chunk:
    uid: np.ndarray
    hh: np.ndarray
    pos: np.ndarray
    rel: np.ndarray
    male: np.ndarray
    birth: np.ndarray  # datetime64[D]
    street: np.ndarray
    address: np.ndarray
    household_no: np.ndarray
    id18: np.ndarray
    name: np.ndarray
    status: np.ndarray  # latest
    changed_on: np.ndarray  # datetime64[D]: when status changed (NaT if never)
    updated_at: np.ndarray  # datetime64[s]


class SeqAllocator:
    """Unique 3-digit sequence numbers per (region, birth date, sex), across chunks.

    Counts live in one dense int32 array indexed by (region, day since 1900, sex): a few
    megabytes for the whole city, and every chunk is allocated with vectorised numpy.
    """

    EPOCH = np.datetime64("1900-01-01", "D")
    DAYS = 200 * 366

    def __init__(self, regions: list[int]) -> None:
        self.region_index = {code: i for i, code in enumerate(sorted(set(regions)))}
        self.counts = np.zeros(len(self.region_index) * self.DAYS * 2, dtype=np.int32)

    def allocate(self, region: np.ndarray, birth: np.ndarray, male: np.ndarray) -> np.ndarray:
        lookup = np.vectorize(self.region_index.__getitem__, otypes=[np.int64])
        day = (birth.astype("datetime64[D]") - self.EPOCH).astype(np.int64)
        cell = (lookup(region) * self.DAYS + day) * 2 + male.astype(np.int64)
        order = np.argsort(cell, kind="stable")
        sorted_cells = cell[order]
        starts = np.r_[0, np.flatnonzero(np.diff(sorted_cells)) + 1]
        sizes = np.diff(np.r_[starts, len(cell)])
        run_id = np.repeat(np.arange(len(starts)), sizes)
        uniq = sorted_cells[starts]
        base = self.counts[uniq].astype(np.int64)
        self.counts[uniq] += sizes.astype(np.int32)
        rank = np.empty(len(cell), dtype=np.int64)
        rank[order] = np.arange(len(cell)) - starts[run_id] + base[run_id]
        return rank


def _names(rng: np.random.Generator, surname_idx: np.ndarray) -> np.ndarray:
    n = len(surname_idx)
    sur = np.array(SURNAMES)[surname_idx]
    given = np.array(GIVEN_CHARS)
    first = given[rng.integers(0, len(given), n)]
    second = given[rng.integers(0, len(given), n)]
    two = rng.random(n) < 0.7
    return np.char.add(np.char.add(sur, first), np.where(two, second, ""))


def _yyyymmdd(days: np.ndarray) -> np.ndarray:
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(int) + 1970
    m = d.astype("datetime64[M]").astype(int) % 12 + 1
    day = (d - d.astype("datetime64[M]")).astype(int) + 1
    return y * 10000 + m * 100 + day


class PopulationBuilder:
    def __init__(self, scale: Scale, seed: int, as_of: dt.date) -> None:
        self.scale = scale
        self.seed = seed
        self.as_of = np.datetime64(as_of, "D")
        self.window_start = self.as_of - np.timedelta64(365, "D")
        self.streets: list[Street] = streets()
        weights = np.array([DISTRICT_WEIGHTS[s.district_code] for s in self.streets], dtype=float)
        per_district = {}
        for s in self.streets:
            per_district[s.district_code] = per_district.get(s.district_code, 0) + 1
        weights = weights / np.array([per_district[s.district_code] for s in self.streets])
        self.street_p = weights / weights.sum()
        self.street_district = np.array([int(s.district_code) for s in self.streets])
        self.street_names = np.array([s.name for s in self.streets])
        self.street_district_names = np.array([s.district_name for s in self.streets])
        self.roads = [roads_for(i) for i in range(len(self.streets))]
        self.seq = SeqAllocator([int(c) for c in self.street_district] + OTHER_REGIONS)
        self.households_total = int(round(scale.persons / MEAN_HOUSEHOLD_SIZE))

    # -- one chunk -------------------------------------------------------------------
    def chunk(self, index: int, hh_start: int, n_hh: int, uid_start: int) -> Chunk:
        rng = np.random.default_rng([self.seed, 1, index])
        sizes = rng.choice(HOUSEHOLD_SIZES, n_hh, p=HOUSEHOLD_SIZE_P)
        n = int(sizes.sum())
        hh_local = np.repeat(np.arange(n_hh), sizes)
        offsets = np.r_[0, np.cumsum(sizes)[:-1]]
        pos = np.arange(n) - offsets[hh_local]
        hh = hh_start + hh_local
        uid = uid_start + np.arange(n, dtype=np.int64)

        # household attributes
        street = rng.choice(len(self.streets), n_hh, p=self.street_p)
        head_age = np.where(sizes >= 3, rng.uniform(38, 62, n_hh), rng.uniform(22, 88, n_hh))
        head_male = rng.random(n_hh) < 0.6
        surname = rng.integers(0, len(SURNAMES), n_hh)
        road_idx = rng.integers(0, 6, n_hh)
        number = rng.integers(1, 1200, n_hh)
        room = rng.integers(1, 30, n_hh) * 100 + rng.integers(1, 6, n_hh)

        # person attributes from position in the household
        h_age = head_age[hh_local]
        h_male = head_male[hh_local]
        age = h_age.copy()
        male = h_male.copy()
        rel = np.zeros(n, dtype=np.int64)
        spouse = pos == 1
        age[spouse] = np.clip(h_age[spouse] + rng.normal(-1, 3, spouse.sum()), 18, 100)
        male[spouse] = ~h_male[spouse]
        rel[spouse] = 1
        child = (pos == 2) | (pos == 3)
        gap = rng.uniform(22, 36, child.sum())
        age[child] = np.maximum(h_age[child] - gap, 0.2)
        male[child] = rng.random(child.sum()) < 0.52
        rel[child] = np.where(male[child], 2, 3)
        extra = pos == 4
        old_head = h_age[extra] > 55
        age[extra] = np.where(
            old_head,
            rng.uniform(1, 12, extra.sum()),
            np.minimum(h_age[extra] + rng.uniform(24, 32, extra.sum()), 99),
        )
        male[extra] = rng.random(extra.sum()) < 0.5
        rel[extra] = np.where(old_head, 5, 4)

        birth = self.as_of - (age * 365.25).astype("timedelta64[D]")
        # a few births inside the window: children younger than a year
        birth = np.minimum(birth, self.as_of - np.timedelta64(1, "D"))

        # registry status in the latest snapshot and when it changed
        u = rng.random(n)
        p_dead = np.clip((age - 60) / 40, 0, 1) * 0.03
        young = (age > 20) & (age < 25)
        p_dead = np.where(young, 0.015, p_dead)
        p_moved = np.where(young, 0.04, 0.015)
        status = np.where(u < p_dead, 1, np.where(u > 1 - p_moved, 2, 0))
        changed_on = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        changed = status > 0
        changed_on[changed] = self.window_start + rng.integers(1, 360, changed.sum()).astype(
            "timedelta64[D]"
        )

        # ID numbers: region of birth, birth date, unique sequence by sex, check character
        district = self.street_district[street][hh_local]
        region = np.where(
            rng.random(n) < 0.85,
            district,
            np.array(OTHER_REGIONS)[rng.integers(0, len(OTHER_REGIONS), n)],
        )
        ymd = _yyyymmdd(birth)
        rank = self.seq.allocate(region.astype(np.int64), birth, male) % 500
        seq = rank * 2 + male.astype(np.int64)
        id18 = idcard.make_ids(region.astype(np.int64), ymd, seq)

        names = _names(rng, surname[hh_local])
        names[pos == 1] = _names(rng, rng.integers(0, len(SURNAMES), int(spouse.sum())))
        roads = np.array(
            [self.roads[s][r] for s, r in zip(street.tolist(), road_idx.tolist(), strict=True)]
        )
        district_names = self.street_district_names[street]
        address_hh = np.char.add(
            np.char.add(
                np.char.add(np.char.add("上海市", district_names), self.street_names[street]), roads
            ),
            np.char.add(np.char.add(number.astype(str), "号"), np.char.add(room.astype(str), "室")),
        )
        household_no = np.char.add(
            self.street_district[street].astype(str),
            np.char.zfill((hh_start + np.arange(n_hh)).astype(str), 9),
        )
        updated = (self.window_start - rng.integers(30, 3000, n).astype("timedelta64[D]")).astype(
            "datetime64[s]"
        )
        updated = updated + rng.integers(8 * 3600, 18 * 3600, n).astype("timedelta64[s]")
        updated = np.where(
            changed, changed_on.astype("datetime64[s]") + np.timedelta64(36000, "s"), updated
        )
        return Chunk(
            uid=uid,
            hh=hh,
            pos=pos,
            rel=rel,
            male=male,
            birth=birth,
            street=street[hh_local],
            address=address_hh[hh_local],
            household_no=household_no[hh_local],
            id18=id18,
            name=names,
            status=status,
            changed_on=changed_on,
            updated_at=updated,
        )

    # -- registry rows ---------------------------------------------------------------
    def registry_columns(
        self, c: Chunk, snapshot_day: np.datetime64, rng: np.random.Generator
    ) -> dict[str, np.ndarray]:
        """Column arrays of one registry snapshot for the persons present on that day."""
        present = c.birth <= snapshot_day
        status = np.where(np.isnat(c.changed_on) | (c.changed_on > snapshot_day), 0, c.status)
        ids = c.id18.copy()
        legacy = (c.birth < np.datetime64("1980-01-01")) & (
            rng.random(len(ids)) < DIRT.registry_legacy15
        )
        if legacy.any():
            ids[legacy] = [idcard.to_legacy15(x) for x in ids[legacy]]
        updated = np.where(
            np.isnat(c.changed_on) | (c.changed_on > snapshot_day),
            np.minimum(c.updated_at, snapshot_day.astype("datetime64[s]")),
            c.updated_at,
        )
        cols = {
            "身份证号": ids,
            "姓名": c.name,
            "性别": np.where(c.male, "男", "女"),
            "出生日期": _yyyymmdd(c.birth).astype(str),
            "户号": c.household_no,
            "与户主关系": RELATIONS[c.rel],
            "区划代码": self.street_district[c.street].astype(str),
            "街道": self.street_names[c.street],
            "户籍地址": c.address,
            "人口状态": STATUS[status],
            "更新时间": np.datetime_as_string(updated, unit="s"),
        }
        cols["更新时间"] = np.char.replace(cols["更新时间"], "T", " ")
        return {k: v[present] for k, v in cols.items()}

    def person(self, c: Chunk, i: int) -> Person:
        s = self.streets[int(c.street[i])]
        return Person(
            uid=int(c.uid[i]),
            id_number=str(c.id18[i]),
            name=str(c.name[i]),
            gender="男" if c.male[i] else "女",
            birth=c.birth[i].astype(dt.date),
            household_no=str(c.household_no[i]),
            relation=str(RELATIONS[c.rel[i]]),
            district_code=s.district_code,
            street=s.name,
            address=str(c.address[i]),
            status=str(STATUS[c.status[i]]),
        )

    # -- what other departments need -------------------------------------------------
    def sample(self, c: Chunk, index: int, n_hh: int, out: PopulationSample) -> None:
        rng = np.random.default_rng([self.seed, 2, index])
        age_days = (self.as_of - c.birth).astype(int)
        grad_age = (
            (age_days >= int(20.6 * 365.25))
            & (age_days <= int(24.4 * 365.25))
            & ((c.rel == 2) | (c.rel == 3))
        )
        hh_start = int(c.hh[0])
        has_grad = np.zeros(n_hh, dtype=bool)
        has_grad[c.hh[grad_age] - hh_start] = True

        target = self.scale.welfare_households * n_hh / self.households_total
        k = int(rng.poisson(target))
        k_grad = min(int(round(k * 0.35)), int(has_grad.sum()))
        grad_hh = (
            rng.choice(np.flatnonzero(has_grad), k_grad, replace=False)
            if k_grad
            else np.array([], dtype=int)
        )
        others = np.flatnonzero(~has_grad)
        other_hh = rng.choice(others, min(k - k_grad, len(others)), replace=False)
        welfare = set((np.r_[grad_hh, other_hh] + hh_start).tolist())

        starts = np.r_[0, np.flatnonzero(np.diff(c.hh)) + 1]
        ends = np.r_[starts[1:], len(c.hh)]
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            if int(c.hh[s]) in welfare:
                members = [self.person(c, i) for i in range(s, e)]
                out.welfare_households.append(
                    Household(
                        members[0].household_no,
                        members[0].district_code,
                        members[0].street,
                        members,
                    )
                )
        in_welfare = (
            np.isin(c.hh, np.fromiter(welfare, dtype=np.int64))
            if welfare
            else np.zeros(len(c.hh), bool)
        )
        keep = grad_age & (in_welfare | (rng.random(len(c.hh)) < self.scale.graduate_rate))
        out.graduate_candidates.extend(self.person(c, i) for i in np.flatnonzero(keep))
        working = (age_days >= 22 * 365) & (age_days <= 60 * 365) & (c.status == 0) & ~grad_age
        contrib = working & (rng.random(len(c.hh)) < self.scale.employment_background_rate)
        out.contributors.extend(self.person(c, i) for i in np.flatnonzero(contrib))
