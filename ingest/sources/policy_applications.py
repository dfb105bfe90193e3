"""政策申报: applications for policies and their decisions, monthly UTF-8 CSV."""

from ..spec import DIRTY_USCC, Column, EntitySpec, SourceSpec, one_of, parses, required

SPEC = SourceSpec(
    name="policy_applications",
    department="政策申报 (policy applications)",
    description="Applications for 申报 policies: who applied, the decision and the amount granted.",
    expected_every_days=35,
    stale_after_days=70,
    entities=(
        EntitySpec(
            name="applications",
            file_pattern=r"applications_\d{6}\.csv",
            reader="csv",
            mode="increment",
            business_key=("application_id",),
            columns=(
                Column("申报编号", "application_id", checks=(required(),)),
                Column("政策编号", "policy_id", checks=(required(),)),
                Column("统一社会信用代码", "uscc", description="dirty", checks=DIRTY_USCC),
                Column(
                    "申报日期", "submitted_on", "date", checks=(required(), parses("YYYY-MM-DD"))
                ),
                Column(
                    "状态", "status", "enum", checks=(required(), one_of("已受理", "通过", "驳回"))
                ),
                Column("核定金额(万元)", "granted_wan", "decimal", checks=(parses("decimal"),)),
                Column("决定日期", "decided_on", "date", checks=(parses("YYYY-MM-DD"),)),
            ),
        ),
    ),
)
