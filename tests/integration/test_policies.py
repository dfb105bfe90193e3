"""政策通 on the tiny city's real run: the catalogue in force, matches and pushes against the
generator's own evaluation of the rules, near misses, the explain command, exports, streets."""

from __future__ import annotations

import csv
import json

import psycopg
import pytest

from cityops.roles import create_street_account

from ..conftest import TINY_AS_OF
from ..helpers import run_against
from .test_security import login

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _truth(tiny_city, name: str) -> list[dict[str, str]]:
    with open(tiny_city / "truth" / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_catalogue_in_force_is_the_truths(pipeline, tiny_city) -> None:
    rows = _truth(tiny_city, "policy_catalogue.csv")
    expected = {(r["policy_id"], r["published_on"]) for r in rows if r["in_force"] == "True"}
    with psycopg.connect(pipeline) as conn:
        found = set(
            conn.execute(
                "select policy_id, published_on::text from marts.dim_policy_version where is_in_force"
            ).fetchall()
        )
        versions = conn.execute("select count(*) from marts.dim_policy_version").fetchone()[0]
    assert len(expected) > 10 and found == expected
    assert versions == sum(r["invalid"] == "False" for r in rows)  # every valid version kept


def test_a_policy_with_a_condition_the_contract_forbids_is_rejected_with_the_reason(
    pipeline, tiny_city
) -> None:
    invalid = {
        r["policy_id"] for r in _truth(tiny_city, "policy_catalogue.csv") if r["invalid"] == "True"
    }
    assert invalid
    with psycopg.connect(pipeline) as conn:
        reasons = [
            r
            for (r,) in conn.execute(
                "select r.reason from ops.rejected_rows as r join ops.load_batches as b using (batch_id) "
                "where b.source = 'policies'"
            )
        ]
    assert len(reasons) == sum(
        r["invalid"] == "True" for r in _truth(tiny_city, "policy_catalogue.csv")
    )
    assert all("conditions" in r and ("not one of" in r or "not of type" in r) for r in reasons), (
        reasons
    )


def test_matches_are_exactly_the_pairs_the_rules_make_eligible(pipeline, tiny_city) -> None:
    expected = {(r["uscc"], r["policy_id"]) for r in _truth(tiny_city, "policy_eligibility.csv")}
    with psycopg.connect(pipeline) as conn:
        found = set(
            conn.execute("select uscc, policy_id from marts.mart_policy_matches").fetchall()
        )
        unrecorded = conn.execute(  # a condition's field without the value that met it
            "select count(*) from marts.mart_policy_matches as m "
            "join marts.dim_policy_condition as c using (policy_id) "
            "where m.conditions_met -> c.field is null "
            "or jsonb_typeof(m.conditions_met -> c.field) = 'null'"
        ).fetchone()[0]
        unread = conn.execute(  # a value recorded for a field no condition reads
            "select count(*) from marts.mart_policy_matches as m, jsonb_object_keys(m.conditions_met) k "
            "where not exists (select from marts.dim_policy_condition c "
            "where c.policy_id = m.policy_id and c.field = k)"
        ).fetchone()[0]
        on_file = set(
            conn.execute(
                "select f.uscc, p ->> 'policy_id' from marts.mart_enterprise_file as f, "
                "jsonb_array_elements(f.policies_matched) as p"
            ).fetchall()
        )
    assert len(expected) > 50
    assert found == expected
    assert unrecorded == 0 and unread == 0  # each condition's field, with the value that met it
    assert on_file == expected  # 一户一档 lists the policies its enterprise matches


def test_no_push_reaches_an_ineligible_enterprise_or_one_that_applied(pipeline, tiny_city) -> None:
    eligible = {(r["uscc"], r["policy_id"]) for r in _truth(tiny_city, "policy_eligibility.csv")}
    applied = {r["uscc"] for r in _truth(tiny_city, "policy_applications.csv")}
    with psycopg.connect(pipeline) as conn:
        pushes = set(conn.execute("select uscc, policy_id from marts.mart_policy_push").fetchall())
        applications = set(
            conn.execute(
                "select uscc, policy_id from staging.stg_policy_applications__applications "
                "where uscc is not null"
            ).fetchall()
        )
        false_pushes = conn.execute(
            "select coalesce(sum(false_pushes), 0) from marts.mart_policy_metrics"
        ).fetchone()[0]
    assert pushes and applied
    assert pushes <= eligible  # false-push rate 0 against the generator's evaluation
    assert not pushes & applications
    assert false_pushes == 0


def test_the_compiled_matcher_agrees_with_the_conditions_read_as_data(pipeline) -> None:
    """The matcher compiles the catalogue into its SQL; the explain view reads the same
    conditions as data. Both give the same matches, the same near misses and the same
    failing condition; a policy of one condition has no near misses."""
    with psycopg.connect(pipeline) as conn:
        read_as_data = set(
            conn.execute(
                "select uscc, policy_id, min(condition_no) filter (where not holds) "
                "from marts.policy_condition_evaluations group by uscc, policy_id "
                "having count(*) filter (where not holds) = 0 "
                "or (count(*) filter (where not holds) = 1 and count(*) > 1)"
            ).fetchall()
        )
        matches = conn.execute("select uscc, policy_id, null from marts.mart_policy_matches")
        near = conn.execute(
            "select n.uscc, r.policy_id, r.failed_condition from marts.int_policy_near_misses n, "
            "unnest(n.policy_ids, n.failed_conditions) as r (policy_id, failed_condition)"
        )
        compiled = {*matches.fetchall(), *near.fetchall()}
    assert any(failed is None for *_, failed in compiled)
    assert any(failed is not None for *_, failed in compiled)
    assert compiled == read_as_data


def test_near_misses_name_the_one_condition_that_fails(pipeline) -> None:
    with psycopg.connect(pipeline) as conn:
        rows = conn.execute(
            "select n.failing_condition, n.enterprise_value, n.value_text, n.condition_no, "
            "array_agg(e.condition_no) filter (where not e.holds) "
            "from marts.mart_policy_near_misses as n "
            "join marts.policy_condition_evaluations as e using (uscc, policy_id) "
            "group by 1, 2, 3, 4, n.uscc, n.policy_id limit 200"
        ).fetchall()
    assert rows
    for text, value, needs, condition_no, failing in rows:
        assert failing == [condition_no]  # the one condition the explanation also fails
        # "headcount 8, needs ≥ 10": the field, the enterprise's value, what it needs
        assert f"{value}, needs" in text and needs in text


def test_explain_prints_each_condition_with_the_enterprises_value(pipeline) -> None:
    with psycopg.connect(pipeline) as conn:
        uscc, policy, near = conn.execute(
            "select m.uscc, m.policy_id, (select n.policy_id from marts.mart_policy_near_misses n "
            "where n.uscc = m.uscc limit 1) from marts.mart_policy_matches m "
            "where exists (select from marts.mart_policy_near_misses n where n.uscc = m.uscc) limit 1"
        ).fetchone()
    out = run_against(pipeline, "-m", "cityops", "policies", "explain", "--uscc", uscc.lower())
    assert f"{policy}" in out and "applies" in out and near in out and "✗" in out
    one = run_against(
        pipeline, "-m", "cityops", "policies", "explain", "--uscc", uscc, "--policy", policy
    )
    assert policy in one and near not in one


def test_exports_carry_push_lists_per_street_and_grant_lists_per_issuer(pipeline) -> None:
    from cityops.settings import get_settings

    root = get_settings().exports / TINY_AS_OF
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    with psycopg.connect(pipeline) as conn:
        pushes = conn.execute("select count(*) from marts.mart_policy_push").fetchone()[0]
        grants = conn.execute("select count(*) from marts.mart_policy_grants").fetchone()[0]
    assert manifest["totals"]["policy_push"] == pushes > 0
    assert manifest["totals"]["policy_grants"] == grants > 0
    assert sorted(root.glob("policy_grants/政策通/*.xlsx"))
    header = (
        sorted(root.glob("policy_push/*/*.csv"))[0].read_text(encoding="utf-8-sig").splitlines()[0]
    )
    assert header.startswith("区,街道,统一社会信用代码,企业名称,政策编号")


def test_a_street_account_sees_its_own_matches_only(pipeline) -> None:
    with psycopg.connect(pipeline, autocommit=True) as conn:
        street = conn.execute(
            "select street_code from marts.mart_policy_matches where street_code is not null "
            "group by 1 order by count(*) desc limit 1"
        ).fetchone()[0]
        role = create_street_account(conn, street, "street-test-password")
    with login(pipeline, role, "street-test-password") as account:
        for mart in ("mart_policy_matches", "mart_policy_push", "mart_policy_near_misses"):
            other = account.execute(
                f"select count(*) filter (where street_code is distinct from %s) from marts.{mart}",
                (street,),
            ).fetchone()[0]
            assert other == 0, mart
