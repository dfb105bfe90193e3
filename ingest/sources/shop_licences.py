"""市场监管: licences held by shops (店铺自许可), monthly xlsx increments."""

from ..spec import DIRTY_USCC, Column, EntitySpec, SourceSpec, one_of, parses, required

SPEC = SourceSpec(
    name="shop_licences",
    department="市场监管 (market supervision)",
    description="Licences issued, renewed and revoked: the shop's licence dimension.",
    expected_every_days=35,
    stale_after_days=70,
    entities=(
        EntitySpec(
            name="licences",
            file_pattern=r"licences_\d{8}\.xlsx",
            reader="xlsx",
            sheet="许可证",
            mode="increment",
            business_key=("licence_no",),
            columns=(
                Column("许可证编号", "licence_no", checks=(required(),)),
                Column(
                    "店铺编号",
                    "shop_id",
                    description="often blank: link by USCC, else by name and address",
                ),
                Column("统一社会信用代码", "uscc", checks=DIRTY_USCC),
                Column("经营者名称", "holder_name"),
                Column("经营地址", "address", description="free text"),
                Column(
                    "许可类型",
                    "licence_type",
                    "enum",
                    checks=(
                        required(),
                        one_of(
                            "营业执照",
                            "食品经营许可证",
                            "卫生许可证",
                            "酒类零售许可证",
                            "特种行业许可证",
                        ),
                    ),
                ),
                Column("发证日期", "issued_on", "date", checks=(required(), parses("YYYY-MM-DD"))),
                Column(
                    "有效期至",
                    "valid_until",
                    "date",
                    description="blank = no expiry",
                    checks=(parses("YYYY-MM-DD"),),
                ),
                Column(
                    "状态", "status", "enum", checks=(required(), one_of("有效", "注销", "吊销"))
                ),
            ),
        ),
    ),
)
