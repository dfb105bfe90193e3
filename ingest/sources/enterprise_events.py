"""市场监管: the change feed of enterprises (经营异动), one JSON object a line."""

from ..spec import DIRTY_USCC, Column, EntitySpec, SourceSpec, one_of, parses, required

EVENT_TYPES = (
    "address_change",
    "legal_rep_change",
    "capital_change",
    "status_change",
    "abnormal_list_in",
    "abnormal_list_out",
    "annual_report_filed",
)

SPEC = SourceSpec(
    name="enterprise_events",
    department="市场监管 (market supervision)",
    description="Changes of registered enterprises: events repeat across deliveries and "
    "arrive out of order, so each counts once and in the order it occurred.",
    expected_every_days=35,
    stale_after_days=70,
    entities=(
        EntitySpec(
            name="events",
            file_pattern=r"events_\d{8}\.jsonl",
            reader="jsonl",
            mode="increment",
            business_key=("event_id",),
            columns=(
                Column("event_id", "event_id", checks=(required(),)),
                Column("uscc", "uscc", checks=(required(), *DIRTY_USCC)),
                Column(
                    "occurred_at",
                    "occurred_at",
                    "timestamp",
                    checks=(required(), parses("YYYY-MM-DD hh:mm[:ss][+hh:mm]")),
                ),
                Column("type", "type", "enum", checks=(required(), one_of(*EVENT_TYPES))),
                Column("old", "old", required=False),
                Column("new", "new", required=False),
            ),
        ),
    ),
)
