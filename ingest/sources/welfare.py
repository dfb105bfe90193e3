"""民政: minimum living guarantee (低保) rolls, monthly xlsx snapshot per district."""

from ..spec import DIRTY_ID_NUMBER, Column, EntitySpec, SourceSpec, one_of, parses, required

SPEC = SourceSpec(
    name="welfare",
    department="民政 (civil affairs)",
    description="Households on the minimum living guarantee, one row per household member.",
    expected_every_days=40,
    stale_after_days=70,
    entities=(
        EntitySpec(
            name="roll_members",
            file_pattern=r"dibao_\d{6}_\d{6}\.xlsx",
            reader="xlsx",
            sheet="低保名册",
            mode="snapshot",
            business_key=("case_no", "member_name", "member_id_number"),
            columns=(
                Column("救助证号", "case_no", checks=(required(),)),
                Column("户主姓名", "head_name", checks=(required(),)),
                Column("户主身份证号", "head_id_number"),
                Column("成员姓名", "member_name", checks=(required(),)),
                Column(
                    "成员身份证号",
                    "member_id_number",
                    description="dirty: x, 15-digit, full-width, typos, blank",
                    checks=DIRTY_ID_NUMBER,
                ),
                Column("与户主关系", "relation"),
                Column("街道", "street", checks=(required(),)),
                Column(
                    "保障起始日期",
                    "start_date",
                    "date",
                    checks=(
                        required(),
                        parses("YYYY-MM-DD"),
                    ),
                ),
                Column(
                    "保障终止日期",
                    "end_date",
                    "date",
                    description="blank while ongoing",
                    checks=(parses("YYYY-MM-DD"),),
                ),
                Column("月保障金额", "monthly_amount", "decimal", checks=(parses("decimal"),)),
                Column("状态", "status", "enum", checks=(one_of("在保", "停保"),)),
            ),
        ),
    ),
)
