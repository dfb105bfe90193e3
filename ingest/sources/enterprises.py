"""市场监管: the enterprise register of 一户一档, a full UTF-8 CSV snapshot."""

from ..spec import (
    DIRTY_ID_NUMBER,
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
    name="enterprises",
    department="市场监管 (market supervision)",
    description="Every registered enterprise of the city: the register facts of 一户一档.",
    expected_every_days=35,
    stale_after_days=70,
    entities=(
        EntitySpec(
            name="register",
            file_pattern=r"enterprises_\d{8}\.csv",
            reader="csv",
            mode="snapshot",
            business_key=("uscc",),
            columns=(
                Column(
                    "统一社会信用代码",
                    "uscc",
                    description="business key; clean in this file",
                    checks=(
                        required(),
                        pattern(r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                        unique_in_file(),
                    ),
                ),
                Column("企业名称", "enterprise_name", checks=(required(),)),
                Column("法定代表人", "legal_rep_name"),
                Column(
                    "法定代表人身份证号",
                    "legal_rep_id_number",
                    description="PII: never leaves staging",
                    checks=DIRTY_ID_NUMBER,
                ),
                Column(
                    "注册地址",
                    "registered_address",
                    description="free text; may name a 楼宇",
                    checks=(required(),),
                ),
                Column("区", "district", checks=(required(),)),
                Column("街道", "street"),
                Column(
                    "行业代码",
                    "industry_code",
                    description="GB/T 4754-2017: a letter and four digits",
                    checks=(pattern(r"^[A-T]\d{4}$"),),
                ),
                Column(
                    "注册资本(万元)",
                    "registered_capital_wan",
                    "decimal",
                    checks=(parses("decimal"),),
                ),
                Column(
                    "成立日期", "established_on", "date", checks=(required(), parses("YYYY-MM-DD"))
                ),
                Column(
                    "登记状态",
                    "status",
                    "enum",
                    checks=(required(), one_of("存续", "在业", "迁出", "吊销", "注销")),
                ),
                Column(
                    "资质",
                    "qualifications",
                    description="`;`-separated: 高新技术企业, 专精特新, 科技型中小企业",
                ),
            ),
        ),
    ),
)
