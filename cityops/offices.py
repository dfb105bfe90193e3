"""Office matching for enterprise requests (精准营商): candidate units with a reason per criterion.

The matching itself is one SQL function, ``marts.office_candidates()`` (created with
``dim_office_unit``; its rules are in docs/domain.md, Scene 5): the mart of matches calls it
for every open 办公用房 request, and :func:`match` calls it for one request or for criteria
typed at the command line, so both answer alike.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import psycopg
from psycopg.rows import dict_row

from .roles import role_url

_RANGE = re.compile(r"^(\d+(?:\.\d+)?)[-~～至－](\d+(?:\.\d+)?)$")
_AT_LEAST = re.compile(r"^(?:≥|>=|>|大于)(\d+(?:\.\d+)?)$")
_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)$")


def area_bounds(text: str | None, tolerance: float = 0.2) -> tuple[float | None, float | None]:
    """An area need as (low, high) m², as staging.area_need_bounds() reads it: ``300-500``,
    ``≥800`` (high None) or one number n (n ± tolerance); (None, None) when it does not parse."""
    import unicodedata

    s = re.sub(r"\s", "", unicodedata.normalize("NFKC", text or ""))
    if m := _RANGE.match(s):
        a, b = float(m[1]), float(m[2])
        return min(a, b), max(a, b)
    if m := _AT_LEAST.match(s):
        return float(m[1]), None
    if m := _NUMBER.match(s):
        n = float(m[1])
        return n * (1 - tolerance), n * (1 + tolerance)
    return None, None


@dataclass
class Criteria:
    low: float | None = None
    high: float | None = None
    rent_budget: float | None = None
    wanted: list[str] = field(default_factory=list)
    request_id: str | None = None
    uscc: str | None = None
    enterprise_name: str | None = None

    def describe(self) -> str:
        area = (
            "any area"
            if self.low is None
            else f"≥ {self.low:g} m²"
            if self.high is None
            else f"{self.low:g}-{self.high:g} m²"
        )
        rent = "no rent budget" if self.rent_budget is None else f"rent ≤ {self.rent_budget:g}"
        place = "anywhere" if not self.wanted else " or ".join(self.wanted)
        who = f"{self.enterprise_name or self.uscc or ''} {self.request_id or ''}".strip()
        return f"{who + ': ' if who else ''}{area}, {rent}, {place}"


def _require_marts(conn: psycopg.Connection) -> None:
    found = conn.execute(
        "select to_regprocedure('marts.office_candidates(numeric, numeric, numeric, text[], date, integer)') as f"
    ).fetchone()
    if found["f"] is None:
        raise LookupError("the enterprise marts have not been built yet: run the transform first")


def criteria_for(url: str, *, request_id: str | None = None, uscc: str | None = None) -> Criteria:
    """The needs of an open office request, by its id or by its enterprise's credit code
    (the newest open 办公用房 request of that enterprise)."""
    from .uscc import normalised

    with psycopg.connect(role_url(url, "bi"), row_factory=dict_row) as conn:
        _require_marts(conn)
        row = conn.execute(
            "select request_id, uscc, enterprise_name, need_area_low, need_area_high, "
            "rent_budget, wanted_areas from marts.mart_enterprise_requests "
            "where category = '办公用房' and is_open "
            "and (%(id)s::text is null or request_id = %(id)s) "
            "and (%(uscc)s::text is null or uscc = %(uscc)s) "
            "order by received_on desc, request_id desc limit 1",
            {"id": request_id, "uscc": normalised(uscc) if uscc else None},
        ).fetchone()
    if row is None:
        what = f"request {request_id}" if request_id else f"enterprise {uscc}"
        raise LookupError(f"no open 办公用房 request for {what}")
    return Criteria(
        low=row["need_area_low"],
        high=row["need_area_high"],
        rent_budget=row["rent_budget"],
        wanted=list(row["wanted_areas"] or []),
        request_id=row["request_id"],
        uscc=row["uscc"],
        enterprise_name=row["enterprise_name"],
    )


def match(url: str, criteria: Criteria, *, on: dt.date, top: int = 5) -> list[dict]:
    """Candidate units for ``criteria``, best first, as ``cityops_bi`` reads them."""
    with psycopg.connect(role_url(url, "bi"), row_factory=dict_row) as conn:
        _require_marts(conn)
        return conn.execute(
            "select * from marts.office_candidates("
            "%s::numeric, %s::numeric, %s::numeric, %s::text[], %s::date, %s::integer)",
            (criteria.low, criteria.high, criteria.rent_budget, criteria.wanted, on, top),
        ).fetchall()
