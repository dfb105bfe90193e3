"""12345 hotline and platform reviews (消费评价): one JSON object a line."""

from ..spec import Column, EntitySpec, SourceSpec, one_of, parses, required

SPEC = SourceSpec(
    name="consumer_feedback",
    department="12345 热线 / 平台 (hotline and review platforms)",
    description="Complaints and reviews naming shops as customers name them.",
    expected_every_days=35,
    stale_after_days=70,
    entities=(
        EntitySpec(
            name="feedback",
            file_pattern=r"feedback_\d{8}\.jsonl",
            reader="jsonl",
            mode="increment",
            business_key=("feedback_id",),
            columns=(
                Column("feedback_id", "feedback_id", checks=(required(),)),
                Column(
                    "channel",
                    "channel",
                    "enum",
                    required=False,
                    checks=(one_of("hotline", "platform"),),
                ),
                Column("kind", "kind", "enum", checks=(required(), one_of("complaint", "review"))),
                Column(
                    "shop_name",
                    "shop_name",
                    required=False,
                    description="shortened names, branch suffixes",
                ),
                Column(
                    "address", "address", required=False, description="often without the district"
                ),
                Column("shop_id", "shop_id", required=False, description="usually null"),
                Column(
                    "received_at",
                    "received_at",
                    "timestamp",
                    checks=(required(), parses("YYYY-MM-DD hh:mm[:ss][+hh:mm]")),
                ),
                Column(
                    "stars",
                    "stars",
                    "int",
                    required=False,
                    description="reviews only",
                    checks=(one_of("1", "2", "3", "4", "5"),),
                ),
                Column(
                    "category",
                    "category",
                    "enum",
                    checks=(one_of("食品安全", "价格", "服务", "卫生", "噪音", "其他"),),
                ),
                Column("text", "text", required=False),
                Column(
                    "closed_at",
                    "closed_at",
                    "timestamp",
                    required=False,
                    checks=(parses("YYYY-MM-DD hh:mm[:ss][+hh:mm]"),),
                ),
            ),
        ),
    ),
)
