"""Civil affairs (低保 rolls), education (graduates) and social insurance, with the
true list of graduates eligible for employment assistance."""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from . import idcard
from .config import DIRT
from .population import Household, Person, PopulationSample
from .vocab import (
    DEGREES,
    DISTRICTS,
    GIVEN_CHARS,
    MAJORS,
    OTHER_REGIONS,
    OUTSIDE_ORIGINS,
    SURNAMES,
    UNIVERSITIES,
)
from .writers import Delivery, write_csv, write_xlsx

WELFARE_HEADERS = [
    "救助证号",
    "户主姓名",
    "户主身份证号",
    "成员姓名",
    "成员身份证号",
    "与户主关系",
    "街道",
    "保障起始日期",
    "保障终止日期",
    "月保障金额",
    "状态",
]
GRADUATE_HEADERS = [
    "学号",
    "姓名",
    "身份证号",
    "出生日期",
    "性别",
    "学校",
    "学历",
    "专业",
    "预计毕业日期",
    "生源地",
]
INSURANCE_HEADERS = ["身份证号", "姓名", "单位统一社会信用代码", "单位名称", "缴费月份"]
DIBAO_PER_PERSON = 1510


class Employers(Protocol):
    """Who employs the contributors (the enterprise register, cityops.synth.enterprises)."""

    def assign_employers(self, contributions: dict[int, set[str]], months: list[str]) -> None: ...

    def employer(self, uid: int, month: str) -> tuple[str, str]: ...

    def count_contribution(self, uscc: str, month: str) -> None: ...


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def recent_months(as_of: dt.date, count: int = 3) -> list[str]:
    """The ``count`` calendar months before as-of's month, as YYYYMM (rule 4)."""
    return [add_months(month_start(as_of), -k).strftime("%Y%m") for k in range(count, 0, -1)]


def dirty_id(
    true_id: str, rng: np.random.Generator, *, birth: dt.date, strong: bool = True
) -> tuple[str, str]:
    """A department's rendering of an ID number and the kind of dirt applied."""
    if strong:
        u = rng.random()
        if u < DIRT.id_blank:
            return "", "blank"
        u -= DIRT.id_blank
        if u < DIRT.id_transposed:
            return idcard.transpose_digits(true_id, rng), "transposed"
        u -= DIRT.id_transposed
        if u < DIRT.id_fullwidth:
            return idcard.fullwidth(true_id), "fullwidth"
        u -= DIRT.id_fullwidth
        if u < DIRT.id_spaces:
            return f" {true_id[:6]} {true_id[6:14]} {true_id[14:]} ", "spaces"
        u -= DIRT.id_spaces
        if birth.year < 2000 and u < DIRT.id_legacy15:
            return idcard.to_legacy15(true_id), "legacy15"
    if true_id.endswith("X") and rng.random() < DIRT.id_lowercase_x:
        return true_id[:-1] + "x", "lowercase_x"
    return true_id, "clean"


@dataclass
class Enrolment:
    case_no: str
    household: Household
    start: dt.date
    end: dt.date | None
    listed: list[Person]
    amount: int

    def status_on(self, day: dt.date) -> str:
        return "在保" if self.end is None or self.end >= day else "停保"

    def on_roll(self, snapshot: dt.date) -> bool:
        return self.start <= snapshot and (
            self.end is None or self.end >= snapshot - dt.timedelta(days=31)
        )

    def active_on(self, day: dt.date, snapshot: dt.date) -> bool:
        """DOMAIN rule 2 as read from the latest roll delivered on ``snapshot``."""
        return (
            self.on_roll(snapshot)
            and self.start <= day
            and (self.end is None or self.end >= day)
            and self.status_on(snapshot) == "在保"
        )


@dataclass
class Graduate:
    student_no: str
    university: str
    person: Person
    degree: str
    major: str
    expected: dt.date
    class_year: int
    origin: str


class RecordLog:
    """Truth of every person record written (source, file, row, person uid, dirt), packed.

    A city writes millions of such records; as dicts they would dominate the generator's
    memory. Columns live in arrays, texts are interned; iterating yields the dicts back.
    """

    def __init__(self) -> None:
        self._texts: dict[str, int] = {}
        self._names: list[str] = []
        self._source = array("H")
        self._file = array("I")
        self._row = array("q")
        self._uid = array("q")
        self._dirt = array("I")

    def _intern(self, text: object) -> int:
        key = "" if text is None else str(text)
        code = self._texts.get(key)
        if code is None:
            code = self._texts[key] = len(self._names)
            self._names.append(key)
        return code

    def append(self, record: dict[str, object]) -> None:
        self._source.append(self._intern(record["source"]))
        self._file.append(self._intern(record["file"]))
        self._row.append(int(record["row"]))  # type: ignore[call-overload]
        self._uid.append(int(record["uid"]))  # type: ignore[call-overload]
        self._dirt.append(self._intern(record["dirt"]))

    def __len__(self) -> int:
        return len(self._row)

    def __iter__(self) -> Iterator[dict[str, object]]:
        names = self._names
        for i in range(len(self._row)):
            yield {
                "source": names[self._source[i]],
                "file": names[self._file[i]],
                "row": self._row[i],
                "uid": self._uid[i],
                "dirt": names[self._dirt[i]],
            }


@dataclass
class SocialWorld:
    enrolments: list[Enrolment] = field(default_factory=list)
    graduates: list[Graduate] = field(default_factory=list)
    contributions: dict[int, set[str]] = field(default_factory=dict)  # uid -> {YYYYMM}
    latest_roll: dt.date | None = None
    insurance_months: list[str] = field(default_factory=list)  # delivered by as-of
    records: RecordLog = field(default_factory=RecordLog)  # truth: record -> person


class SocialBuilder:
    def __init__(
        self,
        sample: PopulationSample,
        seed: int,
        as_of: dt.date,
        welfare_months: int,
        employers: Employers,
    ) -> None:
        self.sample = sample
        self.employers = employers
        self.seed = seed
        self.as_of = as_of
        self.window_start = as_of - dt.timedelta(days=365)
        self.welfare_months = welfare_months
        self.world = SocialWorld()

    def rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, 10, *key])

    # -- welfare -------------------------------------------------------------------
    def build_enrolments(self) -> None:
        rng = self.rng(1)
        latest_roll = month_start(self.as_of)
        self.world.latest_roll = latest_roll
        grads = {p.uid for p in self.sample.graduate_candidates}
        for i, hh in enumerate(self.sample.welfare_households):
            start = latest_roll - dt.timedelta(days=int(rng.integers(20, 5 * 365)))
            u = rng.random()
            end: dt.date | None = None
            if u < 0.12:  # ended during the window
                end = self.window_start + dt.timedelta(days=int(rng.integers(30, 330)))
                end = max(end, start + dt.timedelta(days=30))
            elif u < 0.17:  # fixed term ending after as-of
                end = self.as_of + dt.timedelta(days=int(rng.integers(0, 200)))
            elif u < 0.20 and self.as_of > latest_roll:  # ends between the last roll and as-of
                end = latest_roll + dt.timedelta(
                    days=int(rng.integers(0, (self.as_of - latest_roll).days))
                )
            listed = [p for p in hh.members if p.status != "死亡"]
            if any(p.uid in grads for p in listed) and rng.random() < 0.25:
                listed = [p for p in listed if p.uid not in grads] or listed[:1]
            if hh.head not in listed:
                listed.insert(0, hh.head)
            amount = DIBAO_PER_PERSON * len(listed) - int(rng.integers(0, 600))
            case_no = f"DB{hh.district_code}{i:06d}"
            self.world.enrolments.append(Enrolment(case_no, hh, start, end, listed, amount))

    def welfare_files(self, landing: Path) -> Iterator[Path]:
        rng = self.rng(2)
        latest = self.world.latest_roll
        assert latest is not None
        id_render: dict[int, tuple[str, str]] = {}
        for k in range(self.welfare_months - 1, -1, -1):
            snapshot = add_months(latest, -k)
            if snapshot < self.window_start:
                continue
            by_district: dict[str, list[dict[str, object]]] = {}
            for e in self.world.enrolments:
                if not e.on_roll(snapshot):
                    continue
                head = e.household.head
                for member in e.listed:
                    if member.uid not in id_render:
                        r = np.random.default_rng([self.seed, 11, _key(member.uid)])
                        id_render[member.uid] = dirty_id(member.id_number, r, birth=member.birth)
                    member_id, dirt = id_render[member.uid]
                    head_id = head.id_number if member is not head else member_id
                    by_district.setdefault(e.household.district_code, []).append(
                        {
                            "救助证号": e.case_no,
                            "户主姓名": head.name,
                            "户主身份证号": head_id,
                            "成员姓名": member.name,
                            "成员身份证号": member_id,
                            "与户主关系": member.relation,
                            "街道": e.household.street,
                            "保障起始日期": e.start.isoformat(),
                            "保障终止日期": e.end.isoformat() if e.end else "",
                            "月保障金额": e.amount,
                            "状态": e.status_on(snapshot),
                            "_uid": member.uid,
                            "_dirt": dirt,
                        }
                    )
            for district in sorted(DISTRICTS):
                rows = by_district.get(district, [])
                if not rows:
                    continue
                name = f"dibao_{district}_{snapshot:%Y%m}.xlsx"
                path = landing / "welfare" / snapshot.isoformat() / name
                write_xlsx(path, "低保名册", Delivery(WELFARE_HEADERS, rng), rows)
                for n, row in enumerate(rows, start=2):
                    self.world.records.append(
                        {
                            "source": "welfare",
                            "file": name,
                            "row": n,
                            "uid": row["_uid"],
                            "dirt": row["_dirt"],
                        }
                    )
                yield path

    # -- graduates -------------------------------------------------------------------
    def build_graduates(self) -> None:
        rng = self.rng(3)
        y = self.as_of.year
        persons = list(self.sample.graduate_candidates)
        n_outside = int(len(persons) * 0.3)
        for j in range(n_outside):
            birth = self.as_of - dt.timedelta(
                days=int(rng.integers(int(20.6 * 365), int(24.4 * 365)))
            )
            male = bool(rng.random() < 0.5)
            region = int(OTHER_REGIONS[int(rng.integers(0, len(OTHER_REGIONS)))])
            first17 = f"{region}{birth:%Y%m%d}{int(rng.integers(0, 500)) * 2 + int(male):03d}"
            name = SURNAMES[int(rng.integers(0, len(SURNAMES)))] + "".join(
                GIVEN_CHARS[int(x)] for x in rng.integers(0, len(GIVEN_CHARS), 2)
            )
            persons.append(
                Person(
                    uid=-(j + 1),
                    id_number=first17 + idcard.check_char(first17),
                    name=name,
                    gender="男" if male else "女",
                    birth=birth,
                    household_no="",
                    relation="",
                    district_code="",
                    street="",
                    address="",
                    status="",
                    in_registry=False,
                )
            )
        for seq, p in enumerate(persons, start=1):
            age = (self.as_of - p.birth).days / 365.25
            class_year = y + 1 if age < 22.5 else (y if age < 23.5 else y - 1)
            expected = (
                dt.date(class_year, 1, 15) if rng.random() < 0.15 else dt.date(class_year, 6, 30)
            )
            u = int(rng.integers(0, len(UNIVERSITIES)))
            if p.in_registry:
                origin = "" if rng.random() < 0.1 else DISTRICTS[p.district_code][0]
            else:
                origin = (
                    ""
                    if rng.random() < 0.2
                    else OUTSIDE_ORIGINS[int(rng.integers(0, len(OUTSIDE_ORIGINS)))]
                )
            self.world.graduates.append(
                Graduate(
                    student_no=f"{class_year % 100:02d}{u:02d}{seq:06d}",
                    university=UNIVERSITIES[u],
                    person=p,
                    degree=DEGREES[int(rng.integers(0, len(DEGREES)))],
                    major=MAJORS[int(rng.integers(0, len(MAJORS)))],
                    expected=expected,
                    class_year=class_year,
                    origin=origin,
                )
            )

    def graduate_files(self, landing: Path) -> Iterator[Path]:
        rng = self.rng(4)
        first = self.window_start + dt.timedelta(days=5)
        last = self.as_of - dt.timedelta(days=1)
        for class_year in sorted({g.class_year for g in self.world.graduates}):
            grads = [g for g in self.world.graduates if g.class_year == class_year]
            delivered = min(max(dt.date(class_year - 1, 10, 15), first), last)
            rows = []
            for g in grads:
                r = np.random.default_rng([self.seed, 12, _key(g.person.uid)])
                rendered, dirt = dirty_id(g.person.id_number, r, birth=g.person.birth)
                rows.append(self._graduate_row(g, rendered, dirt))
            yield self._write_graduates(landing, class_year, delivered, rows, rng)
            # corrections: a later re-send of some rows, ID slips fixed
            corrected_on = min(delivered + dt.timedelta(days=90), last)
            if corrected_on > delivered:
                fix = [
                    dict(r, 身份证号=r["_true"], _dirt="clean")
                    for r in rows
                    if r["_dirt"] in ("transposed", "fullwidth") or rng.random() < 0.02
                ]
                if fix:
                    yield self._write_graduates(landing, class_year, corrected_on, fix, rng)

    def _graduate_row(self, g: Graduate, rendered: str, dirt: str) -> dict[str, object]:
        return {
            "学号": g.student_no,
            "姓名": g.person.name,
            "身份证号": rendered,
            "出生日期": g.person.birth.isoformat(),
            "性别": g.person.gender,
            "学校": g.university,
            "学历": g.degree,
            "专业": g.major,
            "预计毕业日期": g.expected.isoformat(),
            "生源地": g.origin,
            "_uid": g.person.uid,
            "_dirt": dirt,
            "_true": g.person.id_number,
        }

    def _write_graduates(
        self,
        landing: Path,
        class_year: int,
        day: dt.date,
        rows: list[dict[str, object]],
        rng: np.random.Generator,
    ) -> Path:
        name = f"graduates_{class_year}.csv"
        path = landing / "education" / day.isoformat() / name
        write_csv(path, Delivery(GRADUATE_HEADERS, rng), rows, encoding="utf-8-sig")
        for n, row in enumerate(rows, start=2):
            self.world.records.append(
                {
                    "source": "education",
                    "file": f"{day.isoformat()}/{name}",
                    "row": n,
                    "uid": row["_uid"],
                    "dirt": row["_dirt"],
                }
            )
        return path

    # -- employment ------------------------------------------------------------------
    def build_contributions(self) -> None:
        rng = self.rng(5)
        first_month = month_start(self.window_start)
        months = []
        m = first_month
        while m < month_start(self.as_of):
            months.append(m.strftime("%Y%m"))
            m = add_months(m, 1)
        self.months = months
        recent = set(recent_months(self.as_of))
        welfare_uids = {p.uid for e in self.world.enrolments for p in e.household.members}
        contrib = self.world.contributions
        for p in self.sample.contributors:
            lo = int(rng.integers(0, len(months) // 3)) if rng.random() < 0.1 else 0
            hi = (
                len(months) - int(rng.integers(0, len(months) // 3))
                if rng.random() < 0.1
                else len(months)
            )
            contrib[p.uid] = set(months[lo:hi])
        for g in self.world.graduates:
            p = g.person
            poor = p.uid in welfare_uids
            u = rng.random()
            grad_month = g.expected.strftime("%Y%m")
            after = [mm for mm in months if mm > grad_month]
            older = [mm for mm in after if mm not in recent and mm < min(recent)]
            if g.class_year < self.as_of.year:
                share_employed = 0.45 if poor else 0.75
            elif g.class_year == self.as_of.year:
                share_employed = 0.3 if poor else 0.55
            else:
                share_employed = 0.06 if poor else 0.08
                after = sorted(recent)  # interns contributing now
            if u < share_employed and after:
                contrib[p.uid] = set(after[int(rng.integers(0, max(1, len(after) // 2))) :])
            elif u < share_employed + 0.12 and older:
                contrib[p.uid] = set(
                    older[: max(1, len(older) // 2)]
                )  # job ended before the last 3 months

    def insurance_files(self, landing: Path) -> Iterator[Path]:
        rng = self.rng(6)
        people = {p.uid: p for p in self.sample.contributors}
        people.update({g.person.uid: g.person for g in self.world.graduates})
        self.employers.assign_employers(self.world.contributions, self.months)
        for month in self.months:
            delivered = add_months(dt.datetime.strptime(month, "%Y%m").date(), 1).replace(day=5)
            if delivered > self.as_of:
                continue
            self.world.insurance_months.append(month)
            rows = []
            for uid in sorted(self.world.contributions):
                if month not in self.world.contributions[uid]:
                    continue
                p = people[uid]
                r = np.random.default_rng([self.seed, 13, _key(uid)])
                rendered, dirt = dirty_id(p.id_number, r, birth=p.birth, strong=False)
                uscc, employer = self.employers.employer(uid, month)
                if rendered.strip():  # a row without an ID number is rejected on load
                    self.employers.count_contribution(uscc, month)
                rows.append(
                    {
                        "身份证号": rendered,
                        "姓名": p.name,
                        "单位统一社会信用代码": uscc,
                        "单位名称": employer,
                        "缴费月份": month,
                        "_uid": uid,
                        "_dirt": dirt,
                    }
                )
            name = f"insurance_{month}.csv"
            path = landing / "employment" / delivered.isoformat() / name
            write_csv(path, Delivery(INSURANCE_HEADERS, rng), rows, encoding="utf-8")
            for n, row in enumerate(rows, start=2):
                self.world.records.append(
                    {
                        "source": "employment",
                        "file": name,
                        "row": n,
                        "uid": row["_uid"],
                        "dirt": row["_dirt"],
                    }
                )
            yield path

    # -- truth -------------------------------------------------------------------------
    def eligible_graduates(self) -> list[dict[str, object]]:
        """docs/domain.md's four rules applied to the true state of the city on as-of."""
        d = self.as_of
        latest_roll = self.world.latest_roll
        assert latest_roll is not None
        lo, hi = _shift_years(d, -1), _shift_years(d, 1)
        recent = [m for m in recent_months(d) if m in self.world.insurance_months]
        active = [e for e in self.world.enrolments if e.active_on(d, latest_roll)]
        listed = {p.uid: e for e in active for p in e.listed}
        by_household = {e.household.household_no: e for e in active}
        out = []
        seen = set()
        for g in self.world.graduates:
            p = g.person
            if not (lo < g.expected <= hi) or not p.in_registry or p.status != "正常":
                continue
            enrolment = listed.get(p.uid) or by_household.get(p.household_no)
            if enrolment is None:
                continue
            if any(m in self.world.contributions.get(p.uid, ()) for m in recent):
                continue
            if p.uid in seen:
                continue
            seen.add(p.uid)
            out.append(
                {
                    "person_uid": p.uid,
                    "id_number": p.id_number,
                    "name": p.name,
                    "student_no": g.student_no,
                    "university": g.university,
                    "district_code": p.district_code,
                    "street": p.street,
                    "case_no": enrolment.case_no,
                    "path": "roll_member" if p.uid in listed else "registry_household",
                }
            )
        return out


def _key(uid: int) -> int:
    """A non-negative seed key for a person (persons outside the registry have negative uids)."""
    return uid if uid >= 0 else 2**40 - uid


def _shift_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)
