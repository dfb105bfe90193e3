"""The synthetic city: files per contract (read back independently), determinism,
dirt rates, and ground truth consistent with the files."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cityops.synth import generate, idcard
from cityops.synth.social import recent_months

AS_OF = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("city")
    generate("tiny", 11, AS_OF, root / "landing", root / "truth")
    return root


def _csv(path: Path, encoding: str) -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def _xlsx(path: Path, sheet: str) -> list[dict[str, object]]:
    wb = load_workbook(path, read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def _norm(raw: str) -> str | None:
    text = (
        raw.translate(str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX"))
        .replace(" ", "")
        .upper()
    )
    if len(text) == 15 and text.isdigit():
        text = idcard.upgrade15(text)
    return text if idcard.is_valid(text) else None


def _files(city: Path, source: str, pattern: str) -> list[Path]:
    return sorted((city / "landing" / source).glob(f"*/{pattern}"))


def test_landing_tree_follows_the_contract(city: Path) -> None:
    landing = city / "landing"
    from ingest.sources import REGISTRY

    assert sorted(p.name for p in landing.iterdir()) == sorted(REGISTRY)
    for folder in landing.glob("*/*"):
        dt.date.fromisoformat(folder.name)  # delivery folders are dates
        assert AS_OF - dt.timedelta(days=366) <= dt.date.fromisoformat(folder.name) <= AS_OF
    assert _files(city, "housing", "buildings_*.xlsx")
    assert _files(city, "facade_inspections", "inspections_*.csv")
    assert _files(city, "weather", "obs_*.json")
    assert _files(city, "population", "persons_*.csv")
    assert _files(city, "welfare", "dibao_3101*_2026*.xlsx")
    assert _files(city, "education", "graduates_20*.csv")
    assert _files(city, "employment", "insurance_20*.csv")
    assert _files(city, "shops", "shops_*.csv")
    assert _files(city, "shop_licences", "licences_*.xlsx")
    assert _files(city, "shop_inspections", "inspections_*.json")
    assert _files(city, "shop_ratings", "ratings_20*Q*.csv")
    assert _files(city, "consumer_feedback", "feedback_*.jsonl")
    assert _files(city, "billboards", "registry.csv")
    assert _files(city, "billboards", "readings_*.jsonl")


def test_population_rows_parse(city: Path) -> None:
    rows = _csv(_files(city, "population", "persons_*.csv")[-1], "utf-8")
    assert len(rows) > 1500
    normalised = [_norm(r["身份证号"]) for r in rows]
    assert len(set(normalised)) == len(rows), "every registered person has a distinct ID number"
    assert {"身份证号", "姓名", "性别", "出生日期", "户号", "人口状态"} <= set(rows[0])
    for r in rows:
        dt.datetime.strptime(r["出生日期"], "%Y%m%d")
        assert r["性别"] in ("男", "女") and r["人口状态"] in ("正常", "死亡", "迁出")
        assert len(r["区划代码"]) == 6
        number = r["身份证号"]
        assert idcard.is_valid(number) or (
            len(number) == 15 and idcard.is_valid(idcard.upgrade15(number))
        )


def test_inspections_are_gbk_and_typed(city: Path) -> None:
    for path in _files(city, "facade_inspections", "*.csv"):
        raw = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")  # Chinese text in GBK is not valid UTF-8
        for r in _csv(path, "gbk"):
            day = r["检查日期"]
            assert dt.datetime.strptime(day, "%Y-%m-%d" if "-" in day else "%Y/%m/%d")
            assert int(r["严重程度"]) in (0, 1, 2, 3)
            if r["立案时间"]:
                dt.datetime.fromisoformat(r["立案时间"])


def test_graduates_have_bom_and_buildings_have_their_sheet(city: Path) -> None:
    for path in _files(city, "education", "*.csv"):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        rows = _csv(path, "utf-8-sig")
        assert rows and "学号" in rows[0]
    rows = _xlsx(_files(city, "housing", "*.xlsx")[0], "幕墙建筑")
    assert len(rows) == 60
    assert all(str(r["建筑编号"]).startswith("SH-3101") for r in rows)
    assert {r["玻璃类型"] for r in rows} <= {"普通浮法玻璃", "钢化玻璃", "半钢化玻璃", "夹层玻璃"}
    assert _xlsx(_files(city, "welfare", "*.xlsx")[0], "低保名册")


def test_weather_json_and_readings_jsonl(city: Path) -> None:
    doc = json.loads(_files(city, "weather", "*.json")[0].read_text(encoding="utf-8"))
    assert set(doc) == {"stations", "observations"} and len(doc["stations"]) == 4
    assert len(doc["observations"]) == 4 * 24
    truncated = 0
    for path in _files(city, "billboards", "readings_*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                truncated += 1
                continue
            assert set(rec) == {"device_id", "ts", "tilt_deg", "vibration_mm_s", "battery_pct"}
    assert truncated >= 1


def test_same_seed_same_bytes(city: Path, tmp_path: Path) -> None:
    generate("tiny", 11, AS_OF, tmp_path / "landing", tmp_path / "truth")

    def digest(root: Path) -> dict[str, str]:
        return {
            str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    assert digest(tmp_path / "landing") == digest(city / "landing")
    assert digest(tmp_path / "truth") == digest(city / "truth")


def test_dirt_appears_at_documented_rates(city: Path) -> None:
    records = _csv(city / "truth" / "person_records.csv", "utf-8")
    welfare = [r for r in records if r["source"] == "welfare"]
    dirty = [r for r in welfare if r["dirt"] not in ("clean", "lowercase_x")]
    assert 0.02 < len(dirty) / len(welfare) < 0.2
    inspections = _csv(city / "truth" / "inspections.csv", "utf-8")
    no_code = sum(r["had_code"] == "False" for r in inspections) / len(inspections)
    assert 0.2 < no_code < 0.5
    values = []
    for path in _files(city, "weather", "*.json"):
        for obs in json.loads(path.read_text(encoding="utf-8"))["observations"]:
            values.append(obs["gust_ms"])
    missing = sum(v is None or v == -9999 for v in values) / len(values)
    assert 0.003 < missing < 0.03


def test_eligible_graduates_satisfy_the_four_rules_in_the_files(city: Path) -> None:
    truth = _csv(city / "truth" / "eligible_graduates.csv", "utf-8")
    assert truth, "a tiny city should have some eligible graduates"
    registry = {
        r["身份证号"]: r for r in _csv(_files(city, "population", "persons_*.csv")[-1], "utf-8")
    }
    latest_roll = max(p.parent.name for p in _files(city, "welfare", "*.xlsx"))
    roll = [
        r
        for p in _files(city, "welfare", "*.xlsx")
        if p.parent.name == latest_roll
        for r in _xlsx(p, "低保名册")
    ]
    graduates = {}
    for path in _files(city, "education", "*.csv"):  # later deliveries win
        for r in _csv(path, "utf-8-sig"):
            graduates[(r["学号"], r["学校"])] = r
    records = _csv(city / "truth" / "person_records.csv", "utf-8")
    uid_of_insurance = {
        (r["file"], int(r["row"])): r["uid"] for r in records if r["source"] == "employment"
    }
    recent = set(recent_months(AS_OF))
    paid = set()
    for path in _files(city, "employment", "*.csv"):
        for n, r in enumerate(_csv(path, "utf-8"), start=2):
            if r["缴费月份"] in recent:
                paid.add(uid_of_insurance[(path.name, n)])
    for e in truth:
        legacy = e["id_number"][:6] + e["id_number"][8:17]
        person = registry.get(e["id_number"]) or registry.get(legacy)
        assert person and person["人口状态"] == "正常", e  # rule 3
        g = graduates[next(k for k in graduates if k[0] == e["student_no"])]
        expected = dt.date.fromisoformat(g["预计毕业日期"])
        assert (
            AS_OF.replace(year=AS_OF.year - 1) < expected <= AS_OF.replace(year=AS_OF.year + 1)
        )  # rule 1
        case = [r for r in roll if r["救助证号"] == e["case_no"]]
        assert case and case[0]["状态"] == "在保", e  # rule 2
        end = case[0]["保障终止日期"]
        assert not end or dt.date.fromisoformat(str(end)[:10]) >= AS_OF
        heads = {_norm(str(r["户主身份证号"])) for r in case} - {None}
        head = next(
            (
                registry.get(h) or registry.get(h[:6] + h[8:17])
                for h in heads
                if registry.get(h) or registry.get(h[:6] + h[8:17])
            ),
            None,
        )
        listed = e["path"] == "roll_member"
        assert listed or (head and head["户号"] == person["户号"]), e
        assert e["person_uid"] not in paid  # rule 4


def test_truth_has_held_out_future_breakages(city: Path) -> None:
    buildings = _csv(city / "truth" / "buildings.csv", "utf-8")
    assert len(buildings) == 60
    assert any(int(b["future_breakages"]) > 0 for b in buildings)
    assert any(int(b["future_breakages"]) == 0 for b in buildings)


def test_next_snapshot_changes_what_it_reports_and_copies_the_rest(
    city: Path, tmp_path: Path
) -> None:
    from cityops.synth.next_snapshot import MonthlyChanges, next_snapshot

    previous = _files(city, "population", "persons_*.csv")[-1]
    out = tmp_path / "persons_20261224.csv"
    rates = MonthlyChanges(status=0.02, address=0.02, removed=0.02, births=0.02)
    count = next_snapshot(previous, out, dt.date(2026, 12, 24), changes=rates)

    before = previous.read_text(encoding="utf-8").splitlines()
    after = out.read_text(encoding="utf-8").splitlines()
    assert after[0] == before[0]
    changed = count.changed
    assert all(changed.values()), changed
    assert count.records_in == len(before) - 1
    assert (
        count.records_out
        == len(after) - 1
        == count.records_in - changed["removed"] + changed["births"]
    )
    # unchanged records are the same lines; each status or address change alters one line
    kept = set(before[1:]) & set(after[1:])
    assert (
        len(kept) == count.records_in - changed["removed"] - changed["status"] - changed["address"]
    )
    rows = list(csv.DictReader(after))
    born = [r for r in rows if r["出生日期"] > "20261123"]
    assert len(born) == changed["births"]
    assert all(idcard.is_valid(r["身份证号"]) for r in born)
    assert len({r["身份证号"] for r in born}) == len(born)
    # the same inputs give the same file
    again = tmp_path / "again.csv"
    next_snapshot(previous, again, dt.date(2026, 12, 24), changes=rates)
    assert again.read_bytes() == out.read_bytes()
