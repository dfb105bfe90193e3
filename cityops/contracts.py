"""Each source's contract page (``docs/sources/<source>.md``), rendered from what the
pipeline runs on: the source's spec (files, columns, types, key, mode, tolerance, cadence)
and its expectation suites (each rule with its level). A unit test fails when a committed
page differs from its rendering, so the pages cannot drift from the code.

    uv run python -m cityops.contracts          # rewrite docs/sources/
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ingest.spec import EntitySpec, SourceSpec
from ingest.validate import level_of, suite_path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "sources"
EXPECTATIONS = ROOT / "expectations"

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
    suite = json.loads(suite_path(EXPECTATIONS, source, entity).read_text(encoding="utf-8"))
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


def pages() -> dict[Path, str]:
    from ingest.sources import REGISTRY

    out = {DOCS / "README.md": render_index(REGISTRY)}
    out.update({DOCS / f"{name}.md": render(source) for name, source in REGISTRY.items()})
    return out


def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    for path, text in pages().items():
        path.write_text(text, encoding="utf-8")
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    sys.exit(main())
