"""市场监管: supervision inspections (监督检查), JSON documents with their violations."""

from ..spec import (
    DIRTY_USCC,
    Column,
    EntitySpec,
    SourceSpec,
    one_of,
    parses,
    pattern,
    required,
    unique_in_file,
)

SPEC = SourceSpec(
    name="shop_inspections",
    department="市场监管 (market supervision)",
    description="Inspections of shops and the violations found: the inspection dimension.",
    expected_every_days=35,
    stale_after_days=70,
    entities=(
        EntitySpec(
            name="inspections",
            file_pattern=r"inspections_\d{8}\.json",
            reader="json",
            json_path="inspections",
            mode="increment",
            business_key=("inspection_id",),
            columns=(
                Column("inspection_id", "inspection_id", checks=(required(), unique_in_file())),
                Column("shop_id", "shop_id", required=False, description="HS-... or null"),
                Column("uscc", "uscc", required=False, checks=DIRTY_USCC),
                Column("shop_name", "shop_name", required=False),
                Column("address", "address", required=False),
                Column(
                    "inspected_on",
                    "inspected_on",
                    "date",
                    checks=(required(), parses("YYYY-MM-DD")),
                ),
                Column(
                    "kind",
                    "kind",
                    "enum",
                    checks=(required(), one_of("routine", "complaint", "follow_up")),
                ),
                Column("team", "team", required=False),
                Column(
                    "violations",
                    "violations",
                    description="a list of {code, severity, points, note}; [] when none",
                    checks=(required(), pattern(r"^\[.*\]$", why="violations must be a JSON list")),
                ),
            ),
        ),
    ),
)
