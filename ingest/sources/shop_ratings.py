"""行业协会: industry ratings (行业评价), quarterly UTF-8-with-BOM CSV, corrections re-sent."""

from ..spec import DIRTY_USCC, Column, EntitySpec, SourceSpec, one_of, parses, required

SPEC = SourceSpec(
    name="shop_ratings",
    department="行业协会 (industry associations)",
    description="Association grades A-D of their member shops: the rating dimension.",
    expected_every_days=100,
    stale_after_days=200,
    entities=(
        EntitySpec(
            name="ratings",
            file_pattern=r"ratings_\d{4}Q[1-4]\.csv",
            reader="csv",
            encoding="utf-8-sig",
            mode="increment",
            business_key=("association", "shop_name", "rated_on"),
            columns=(
                Column("店铺编号", "shop_id", description="may be blank"),
                Column("统一社会信用代码", "uscc", checks=DIRTY_USCC),
                Column("店铺名称", "shop_name", checks=(required(),)),
                Column("评价机构", "association", checks=(required(),)),
                Column(
                    "评价等级", "grade", "enum", checks=(required(), one_of("A", "B", "C", "D"))
                ),
                Column("评价日期", "rated_on", "date", checks=(required(), parses("YYYY-MM-DD"))),
            ),
        ),
    ),
)
