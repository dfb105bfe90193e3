"""Scales and dirt rates of the synthetic city: every tunable number in one module."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    persons: int
    buildings: int
    welfare_households: int
    stations: int
    billboards: int
    #: population snapshots delivered in the window (the last one is the day before as-of)
    population_snapshots: int
    #: months of welfare rolls delivered (latest first), per district
    welfare_months: int
    #: days of billboard sensor readings before as-of
    reading_days: int
    #: share of working-age persons in the social-insurance feed as background contributors
    employment_background_rate: float
    #: share of graduate-age children who appear in the graduates feed
    graduate_rate: float
    #: graduates from outside Shanghai (no registry record) per registry graduate
    outside_graduate_ratio: float
    #: households generated per chunk when streaming persons
    chunk_households: int = 200_000
    #: street shops of the 汇商码 register (Xuhui) and the months of their records
    shops: int = 10_000
    shop_months: int = 12
    #: enterprises of the register (besides the shops' companies), office buildings, and
    #: requests received a month
    enterprises: int = 300_000
    office_buildings: int = 1_000
    requests_per_month: int = 300
    #: policies of the 政策通 catalogue (revisions come on top)
    policies: int = 300


SCALES: dict[str, Scale] = {
    "tiny": Scale(
        "tiny",
        2_000,
        60,
        60,
        4,
        20,
        2,
        3,
        2,
        0.05,
        0.9,
        0.3,
        50_000,
        shops=150,
        shop_months=6,
        enterprises=400,
        office_buildings=12,
        requests_per_month=12,
        policies=30,
    ),
    "small": Scale(
        "small",
        50_000,
        860,
        1_500,
        30,
        200,
        2,
        12,
        3,
        0.04,
        0.7,
        0.3,
        shops=1_000,
        enterprises=5_000,
        office_buildings=60,
        requests_per_month=60,
        policies=80,
    ),
    # a tenth of the city's persons, delivered as the city delivers: profiling in minutes
    "district": Scale(
        "district",
        2_500_000,
        860,
        10_000,
        30,
        500,
        1,
        12,
        2,
        0.01,
        0.1,
        0.3,
        60_000,
        shops=1_000,
        enterprises=30_000,
        office_buildings=100,
        requests_per_month=60,
    ),
    "city": Scale("city", 25_000_000, 8_600, 100_000, 200, 5_000, 1, 12, 2, 0.01, 0.1, 0.3, 60_000),
}


@dataclass(frozen=True)
class DirtRates:
    """How often each kind of dirt appears (share of the records it can apply to)."""

    # ID numbers in the welfare, education and employment feeds
    id_lowercase_x: float = 0.5  # of IDs that end in X
    id_fullwidth: float = 0.02
    id_legacy15: float = 0.02  # of persons born before 2000
    id_transposed: float = 0.01  # two adjacent digits swapped: fails the check
    id_blank: float = 0.01
    id_spaces: float = 0.02
    # ID numbers in the population registry (mostly clean)
    registry_legacy15: float = 0.03  # of persons born before 1980
    # addresses in inspections
    address_no_city: float = 0.3
    address_fullwidth: float = 0.1
    address_lane: float = 0.1  # 号 written as 弄
    address_spaces: float = 0.1
    address_unmatchable: float = 0.004  # a typo nobody can resolve
    inspection_no_code: float = 0.35
    inspection_slash_date: float = 0.2
    inspection_corrections: float = 0.03
    # weather
    weather_null: float = 0.005
    weather_sentinel: float = 0.005
    # buildings
    building_blank_year: float = 0.02
    building_blank_coords: float = 0.03
    # sensors
    reading_duplicate: float = 0.01
    reading_late: float = 0.01
    truncated_line_files: float = 0.05  # share of readings files with one truncated line
    # every source
    extra_column_deliveries: float = 0.1
    shuffled_column_deliveries: float = 0.15


DIRT = DirtRates()

#: Billboard alert rules used to compute the true alerts (the warehouse keeps its own
#: copy of these thresholds in a dbt seed; the two are compared by tests).
TILT_MAX_DEG = 2.0
TILT_CHANGE_DEG = 0.5
VIBRATION_MAX_MM_S = 10.0
VIBRATION_CONSECUTIVE = 3
SILENCE_HOURS = 6

#: Enterprise alert rules used to compute the true alerts (the warehouse's copy is the dbt
#: seed enterprise_alert_rules; a test compares the two).
ENTERPRISE_ALERT_THRESHOLDS = {
    "window_days": 365,
    "legal_rep_changes": 2,
    "headcount_drop_share": 0.3,
    "headcount_min_base": 10,
}

#: Days after as-of over which held-out future breakages are simulated.
FUTURE_DAYS = 90
