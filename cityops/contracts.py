"""Everything rendered from a source's spec (``ingest/sources/<source>.py``), its one
declaration: the Great Expectations suites (``expectations/<table>.json``), dbt's source
definitions (``dbt_project/models/staging/<source>/_<source>__sources.yml``, with each
table's key and mode in ``meta``) the contract pages (``docs/sources/<source>.md``), the cadence seed
(``ref_source_cadence.csv``) and ``source_contracts()``, the macro through which each
staging model's ``latest()`` reads its table's mode and key; and, from
``cityops.policy_rules``, the policy condition fields' seed and ``policy_rules()``.
A unit test fails when a committed copy differs from its rendering.

    uv run python -m cityops.contracts          # rewrite them all
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from cityops import policy_rules
from ingest.spec import EntitySpec, SourceSpec
from ingest.validate import level_of

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "sources"
EXPECTATIONS = ROOT / "expectations"
STAGING = ROOT / "dbt_project" / "models" / "staging"
MACROS = ROOT / "dbt_project" / "macros"
SEEDS = ROOT / "dbt_project" / "seeds"

LEVELS = {
    "file": "the file is refused",
    "row": "the row is rejected, the rest of the file loads",
    "warning": "recorded in the report and the ledger; the row loads",
}
MODES = {
    "snapshot": "full snapshot: each file replaces the previous one",
    "increment": "increment: rows add to earlier files; a later delivery wins per key",
}


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.replace("|", "\\|").replace("\n", " ")


def _rule_terms(kwargs: dict[str, Any]) -> str:
    terms = {k: v for k, v in kwargs.items() if k not in ("column", "column_list")}
    if "column_list" in kwargs:
        terms = {"columns": kwargs["column_list"], **terms}
    return "; ".join(f"{k} `{_cell(v)}`" for k, v in terms.items())


def _entity(source: SourceSpec, entity: EntitySpec) -> list[str]:
    table = source.table(entity)
    suite = source.suite(entity)
    reader = entity.reader + (f", sheet `{entity.sheet}`" if entity.sheet else "")
    reader += f", records under `{entity.json_path}`" if entity.json_path else ""
    lines = [
        f"## `{entity.name}` -> `raw.{table}`",
        "",
        *([entity.description, ""] if entity.description else []),
        "| | |",
        "|---|---|",
        f"| file name | `{entity.file_pattern}` (regular expression, ASCII digits) |",
        f"| format | {reader}, {entity.encoding} |",
        f"| mode | {MODES[entity.mode]} |",
        f"| business key | {', '.join(f'`{k}`' for k in entity.business_key)} |",
        f"| tolerance | refused past {entity.tolerance} rejected, whichever is more |",
        "",
        "| header | column | type | required header | notes |",
        "|---|---|---|---|---|",
    ]
    for c in entity.columns:
        lines.append(
            f"| {c.header} | `{c.name}` | {c.type} | {'yes' if c.required else 'no'} "
            f"| {_cell(c.description)} |"
        )
    lines += [
        "",
        f"Rules (suite `expectations/{table}.json`); a rule's level says what breaking it does: "
        + "; ".join(f"**{level}**: {meaning}" for level, meaning in LEVELS.items())
        + ".",
        "",
        "| level | rule | column | terms | why |",
        "|---|---|---|---|---|",
    ]
    for e in suite["expectations"]:
        kwargs = e.get("kwargs", {})
        lines.append(
            f"| {level_of(e)} | `{e['type']}` | {_cell(kwargs.get('column', ''))} "
            f"| {_rule_terms(kwargs)} | {_cell(e.get('meta', {}).get('why', ''))} |"
        )
    return lines + [""]


def render(source: SourceSpec) -> str:
    lines = [
        f"# Source `{source.name}`: {source.department}",
        "",
        "<!-- Rendered by `python -m cityops.contracts` from ingest/sources/ and "
        "expectations/; edit those, not this page. -->",
        "",
        source.description,
        "",
        f"A delivery is expected at least every {source.expected_every_days} days "
        "(dbt source freshness, `marts.mart_data_quality`).",
        "",
        "Every file is one transaction: a file fault refuses it whole (quarantined with a "
        "report), a row fault rejects the row into `ops.rejected_rows` with the rule, column, "
        "raw value and line number, and rows in the file = rows loaded + rows rejected.",
        "",
    ]
    for entity in source.entities:
        lines += _entity(source, entity)
    return "\n".join(lines).rstrip() + "\n"


def render_index(sources: dict[str, SourceSpec]) -> str:
    lines = [
        "# The departments' file contracts",
        "",
        "<!-- Rendered by `python -m cityops.contracts`; edit the specs, not this page. -->",
        "",
        "One page per source, rendered from its spec (`ingest/sources/<source>.py`) and its",
        "expectation suites (`expectations/`).",
        "",
        "| source | department | files | expected every |",
        "|---|---|---|---|",
    ]
    for name, source in sources.items():
        files = ", ".join(dict.fromkeys(f"`{e.file_pattern}`" for e in source.entities))
        lines.append(
            f"| [{name}]({name}.md) | {source.department} | {files} "
            f"| {source.expected_every_days} days |"
        )
    return "\n".join(lines) + "\n"


def render_suite(source: SourceSpec, entity: EntitySpec) -> str:
    return json.dumps(source.suite(entity), ensure_ascii=False, indent=2) + "\n"


def render_dbt_sources(source: SourceSpec) -> str:
    """dbt's definition of the source's raw tables: freshness from the cadence, each
    column's header, and the key and mode the staging model's ``latest()`` reads."""
    tables = []
    for entity in source.entities:
        columns: list[dict[str, Any]] = [
            {
                "name": c.name,
                "description": f"{c.header}: {c.description}" if c.description else c.header,
            }
            for c in entity.columns
        ]
        columns.append(
            {
                "name": "_batch_id",
                "description": "ops.load_batches.batch_id",
                "data_tests": ["not_null"],
            }
        )
        tables.append(
            {
                "name": source.table(entity),
                "description": f"{entity.mode}; business key: {', '.join(entity.business_key)}",
                "meta": {"business_key": list(entity.business_key), "mode": entity.mode},
                "columns": columns,
            }
        )
    document = {
        "version": 2,
        "sources": [
            {
                "name": source.name,
                "schema": "raw",
                "description": (
                    f"{source.department}: {source.description} Loaded as delivered (text), "
                    "with lineage columns."
                ),
                "loaded_at_field": "_loaded_at",
                "freshness": {
                    "warn_after": {"count": source.expected_every_days, "period": "day"},
                    "error_after": {"count": source.stale_after_days, "period": "day"},
                },
                "tables": tables,
            }
        ],
    }
    header = (
        f"# Rendered from ingest/sources/{source.name}.py by `python -m cityops.contracts`;\n"
        "# edit the spec, not this file.\n"
    )
    return header + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def render_contracts_macro(sources: dict[str, SourceSpec]) -> str:
    """``source_contracts()``: each raw table's mode and business key, for ``latest()``."""
    contracts = {
        f"{name}.{source.table(entity)}": {
            "mode": entity.mode,
            "business_key": list(entity.business_key),
        }
        for name, source in sources.items()
        for entity in source.entities
    }
    lines = [
        "{# Rendered from ingest/sources/ by `python -m cityops.contracts`; edit the specs. #}",
        "{% macro source_contracts() -%}",
        "    {{ return({",
    ]
    lines += [f"        {json.dumps(k)}: {json.dumps(v)}," for k, v in contracts.items()]
    lines += ["    }) }}", "{%- endmacro %}"]
    return "\n".join(lines) + "\n"


def render_cadence_seed(sources: dict[str, SourceSpec]) -> str:
    """``ref_source_cadence``: each source's expected cadence, for ``mart_data_quality``."""
    rows = ["source_name,expected_every_days"]
    rows += [f"{name},{sources[name].expected_every_days}" for name in sorted(sources)]
    return "\n".join(rows) + "\n"


def render_policy_fields_seed() -> str:
    """``policy_condition_fields.csv``: each field's kind, operators and label."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["field", "kind", "ops", "label"])
    writer.writerows(
        [f.name, f.kind, ";".join(f.ops), f.label] for f in policy_rules.FIELDS.values()
    )
    return out.getvalue()


def render_policy_rules_macro() -> str:
    """``policy_rules()``: the fields (in order: a condition's field is its number in the
    list), the operators (likewise) and the most conditions a policy may carry."""
    fields = ", ".join(f'["{f.name}", "{f.kind}"]' for f in policy_rules.FIELDS.values())
    operators = ", ".join(f'"{op}"' for op in policy_rules.OPERATORS)
    return (
        "{# Rendered from cityops/policy_rules.py by `python -m cityops.contracts`. #}\n"
        "{% macro policy_rules() -%}\n"
        "    {{ return({\n"
        f"        'fields': [{fields}],\n"
        f"        'operators': [{operators}],\n"
        f"        'max_conditions': {policy_rules.MAX_CONDITIONS},\n"
        "    }) }}\n"
        "{%- endmacro %}\n"
    )


def pages() -> dict[Path, str]:
    """Every rendered file, by path."""
    from ingest.sources import REGISTRY

    out = {
        DOCS / "README.md": render_index(REGISTRY),
        MACROS / "source_contracts.sql": render_contracts_macro(REGISTRY),
        SEEDS / "ref_source_cadence.csv": render_cadence_seed(REGISTRY),
        SEEDS / "policy_condition_fields.csv": render_policy_fields_seed(),
        MACROS / "policy_rules.sql": render_policy_rules_macro(),
    }
    for name, source in REGISTRY.items():
        out[DOCS / f"{name}.md"] = render(source)
        out[STAGING / name / f"_{name}__sources.yml"] = render_dbt_sources(source)
        for entity in source.entities:
            out[EXPECTATIONS / f"{source.table(entity)}.json"] = render_suite(source, entity)
    return out


def main() -> None:
    for path, text in pages().items():
        path.parent.mkdir(parents=True, exist_ok=True)  # a new source's staging folder
        path.write_text(text, encoding="utf-8")
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    sys.exit(main())
