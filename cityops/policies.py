"""政策通 for one enterprise: why each policy in force does or does not apply, condition by
condition, read from ``marts.policy_condition_evaluations`` (the matcher's own test of a
condition, applied condition by condition)."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg.rows import dict_row


@dataclass
class PolicyExplanation:
    policy_id: str
    title: str
    mode: str
    applies: bool
    conditions: list[dict] = field(default_factory=list)

    @property
    def failing(self) -> list[dict]:
        return [c for c in self.conditions if not c["holds"]]


def explain(url: str, uscc: str, policy_id: str | None = None) -> list[PolicyExplanation]:
    """Every policy in force that could apply to the enterprise (its district's and the
    city's), matches first; LookupError for an unknown enterprise or before the marts."""
    from .uscc import normalised

    code = normalised(uscc)
    if code is None:
        raise LookupError(f"{uscc!r} is not a valid 统一社会信用代码")
    with psycopg.connect(url, row_factory=dict_row) as conn:
        if (
            conn.execute(
                "select to_regclass('marts.policy_condition_evaluations') as v"
            ).fetchone()["v"]
            is None
        ):
            raise LookupError("the policy marts have not been built yet: run the transform first")
        if (
            conn.execute("select 1 from marts.dim_enterprise where uscc = %s", (code,)).fetchone()
            is None
        ):
            raise LookupError(f"no enterprise {code} in the register")
        rows = conn.execute(
            "select policy_id, title, mode, condition_no, field, op, value_text, label, "
            "enterprise_value, holds from marts.policy_condition_evaluations "
            "where uscc = %s and (%s::text is null or policy_id = %s) "
            "order by policy_id, condition_no",
            (code, policy_id, policy_id),
        ).fetchall()
    out: dict[str, PolicyExplanation] = {}
    for r in rows:
        p = out.setdefault(
            r["policy_id"], PolicyExplanation(r["policy_id"], r["title"], r["mode"], True)
        )
        p.conditions.append(r)
        p.applies = p.applies and bool(r["holds"])
    if policy_id and not out:
        raise LookupError(f"policy {policy_id} is not in force or does not reach {code}'s district")
    return sorted(out.values(), key=lambda p: (not p.applies, len(p.failing), p.policy_id))
