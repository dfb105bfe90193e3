"""政策通 conditions without a database: the field table, the JSON Schema, Python's evaluator
on the operator examples the warehouse's SQL evaluator also runs."""

from __future__ import annotations

import csv
import json

import jsonschema
import pytest

from cityops.policy_rules import FIELDS, conditions_schema, holds
from cityops.settings import get_settings

SEEDS = get_settings().dbt_project_dir / "seeds"


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_seed_declares_the_same_fields_as_the_code() -> None:
    seeded = {
        r["field"]: (r["kind"], tuple(r["ops"].split(";")), r["label"])
        for r in _seed("policy_condition_fields")
    }
    assert seeded == {f.name: (f.kind, f.ops, f.label) for f in FIELDS.values()}


@pytest.mark.parametrize("example", _seed("policy_condition_examples"), ids=lambda e: e["example"])
def test_python_gives_each_operator_example_its_answer(example) -> None:
    field = next(f for f in FIELDS.values() if f.kind == example["kind"] and example["op"] in f.ops)
    facts = {
        "text": example["fact_text"] or None,
        "number": float(example["fact_number"]) if example["fact_number"] else None,
        "bool": {"true": True, "false": False}.get(example["fact_bool"]),
        "list": [v for v in example["fact_list"].split(";") if v] if example["fact_list"] else [],
    }[field.kind]
    condition = {"field": field.name, "op": example["op"], "value": json.loads(example["value"])}
    assert holds(condition, {field.name: facts}) is (example["expected"] == "true")


def test_every_operator_has_examples() -> None:
    covered = {(e["kind"], e["op"]) for e in _seed("policy_condition_examples")}
    declared = {(f.kind, op) for f in FIELDS.values() for op in f.ops}
    assert declared <= covered, declared - covered


@pytest.mark.parametrize(
    "conditions, valid",
    [
        ([{"field": "employees", "op": ">=", "value": 10}], True),
        ([{"field": "industry_code", "op": "prefix", "value": ["I65", "M73"]}], True),
        ([{"field": "in_building", "op": "=", "value": True}], True),
        ([{"field": "qualifications", "op": "contains", "value": "专精特新"}], True),
        ([{"field": "revenue_wan", "op": ">=", "value": 10}], False),  # unknown field
        ([{"field": "employees", "op": "~=", "value": 10}], False),  # unknown operator
        ([{"field": "employees", "op": "prefix", "value": "1"}], False),  # not the field's
        ([{"field": "employees", "op": ">=", "value": "十人"}], False),  # wrong type
        ([{"field": "in_building", "op": "=", "value": "是"}], False),
        ([{"field": "district", "op": "=", "value": ["徐汇区"]}], False),  # = takes one text
        ([{"field": "employees", "op": ">="}], False),  # no value
        ({"field": "employees"}, False),  # not a list
    ],
)
def test_the_schema_accepts_exactly_the_contracts_conditions(conditions, valid) -> None:
    errors = list(jsonschema.Draft7Validator(conditions_schema()).iter_errors(conditions))
    assert (not errors) is valid, [e.message for e in errors]
