"""政策通 conditions: the fields a policy may test, the operators each allows, and checks.

A policy's conditions are data (SOURCES.md 18): ``{"field": "employees", "op": ">=",
"value": 10}``. :data:`FIELDS` is their one declaration: the ingest gate validates every
delivered policy against :func:`conditions_schema` (a JSON Schema, so Great Expectations
checks the same rule) and rejects a policy with an unknown field or operator or a value of
the wrong type, saying which (ingest.validate.schema_problem); the dbt seed
``policy_condition_fields`` (labels for the marts' words) and the macro ``policy_rules()``
(fields, operators and the most conditions a policy may have, for the matcher's SQL) are
rendered from it by ``python -m cityops.contracts``. :func:`holds` evaluates one condition in Python; the warehouse
evaluates them in SQL, and the tests hold the two to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, number, bool, list
    ops: tuple[str, ...]
    label: str  # how a near miss names it


TEXT_OPS = ("=", "!=", "in", "prefix")
NUMBER_OPS = ("=", "!=", "<", "<=", ">", ">=")
FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("industry_code", "text", TEXT_OPS, "industry"),
        Field("district", "text", ("=", "!=", "in"), "district"),
        Field("street", "text", ("=", "!=", "in"), "street"),
        Field("registered_capital_wan", "number", NUMBER_OPS, "registered capital (万元)"),
        Field("years_since_established", "number", NUMBER_OPS, "years since established"),
        Field("employees", "number", NUMBER_OPS, "headcount"),
        Field("headcount_growth_12m", "number", NUMBER_OPS, "12-month headcount growth"),
        Field("qualifications", "list", ("contains",), "qualifications"),
        Field("status", "text", ("=", "!=", "in"), "status"),
        Field("not_on_abnormal_list", "bool", ("=",), "not on the abnormal list"),
        Field("in_building", "bool", ("=",), "in a registered office building"),
    )
}
OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "in", "prefix", "contains")
MAX_CONDITIONS = (
    12  # the warehouse's matcher keeps a policy's failing conditions as bits of one mask
)


def conditions_schema() -> dict[str, Any]:
    """The JSON Schema of a policy's ``conditions`` list: per field its operators and the
    type of its value (a text field's ``in`` and ``prefix`` also take a list of texts)."""
    texts = {
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]
    }
    value = {"number": {"type": "number"}, "bool": {"type": "boolean"}, "list": {"type": "string"}}
    rules: list[dict[str, Any]] = [
        {
            "if": {"properties": {"field": {"const": f.name}}},
            "then": {
                "properties": {"op": {"enum": list(f.ops)}, "value": value.get(f.kind, texts)}
            },
        }
        for f in FIELDS.values()
    ]
    rules.append(  # one text to compare with
        {
            "if": {"properties": {"op": {"enum": ["=", "!="]}, "value": {"type": "array"}}},
            "then": {"properties": {"value": {"type": "string"}}},
        }
    )
    return {
        "type": "array",
        "maxItems": MAX_CONDITIONS,
        "items": {
            "type": "object",
            "required": ["field", "op", "value"],
            "additionalProperties": False,
            "properties": {
                "field": {"enum": list(FIELDS)},
                "op": {"enum": list(OPERATORS)},
                "value": {},
            },
            "allOf": rules,
        },
    }


def holds(condition: dict[str, Any], facts: dict[str, Any]) -> bool:
    """Whether one (valid) condition holds for an enterprise's facts; an unknown fact fails."""
    field, op, value = FIELDS[condition["field"]], condition["op"], condition["value"]
    fact = facts.get(field.name)
    if fact is None:
        return False
    if field.kind == "list":
        return value in fact
    if field.kind in ("number", "bool"):
        return {
            "=": fact == value,
            "!=": fact != value,
            "<": fact < value,
            "<=": fact <= value,
            ">": fact > value,
            ">=": fact >= value,
        }[op]
    values = value if isinstance(value, list) else [value]
    if op == "prefix":
        return any(str(fact).startswith(v) for v in values)
    if op == "in":
        return fact in values
    return (fact == values[0]) if op == "=" else (fact != values[0])
