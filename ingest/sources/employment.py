"""人社: social-insurance contributions, one row per person and month paid."""

from ..spec import Column, EntitySpec, SourceSpec, parses, pattern, required

SPEC = SourceSpec(
    name="employment",
    department="人社 (human resources and social security)",
    description="Monthly social-insurance contributions.",
    expected_every_days=40,
    stale_after_days=70,
    entities=(
        EntitySpec(
            name="contributions",
            file_pattern=r"insurance_\d{6}\.csv",
            reader="csv",
            mode="increment",
            business_key=("id_number", "employer_uscc", "contribution_month"),
            columns=(
                Column("身份证号", "id_number", checks=(required(),)),
                Column("姓名", "name", checks=(required("warning"),)),
                Column(
                    "单位统一社会信用代码",
                    "employer_uscc",
                    checks=(pattern(r"^[0-9A-Z]{18}$", "warning", mostly=0.99),),
                ),
                Column("单位名称", "employer_name"),
                Column(
                    "缴费月份",
                    "contribution_month",
                    description="YYYYMM",
                    checks=(
                        required(),
                        parses("YYYYMM"),
                    ),
                ),
            ),
        ),
    ),
)
