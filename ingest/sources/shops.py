"""市场监管 (Xuhui): the street-shop register of 汇商码, a full GBK CSV snapshot."""

from ..spec import (
    DIRTY_ID_NUMBER,
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
    name="shops",
    department="市场监管 (market supervision, Xuhui)",
    description="Street shops of the 汇商码 register: one code per shop.",
    expected_every_days=35,
    stale_after_days=70,
    entities=(
        EntitySpec(
            name="register",
            file_pattern=r"shops_\d{8}\.csv",
            reader="csv",
            encoding="gbk",
            mode="snapshot",
            business_key=("shop_id",),
            columns=(
                Column(
                    "店铺编号",
                    "shop_id",
                    description="HS-310104-<6 digits>",
                    checks=(required(), pattern(r"^HS-\d{6}-\d{6}$"), unique_in_file()),
                ),
                Column("店铺名称", "shop_name", description="signboard name", checks=(required(),)),
                Column(
                    "统一社会信用代码",
                    "uscc",
                    description="of the operating business; dirty; blank for some 个体工商户",
                    checks=DIRTY_USCC,
                ),
                Column("经营者姓名", "operator_name"),
                Column(
                    "经营者身份证号",
                    "operator_id_number",
                    description="PII: never leaves staging",
                    checks=DIRTY_ID_NUMBER,
                ),
                Column("路名", "road", checks=(required(),)),
                Column(
                    "门牌号",
                    "house_no",
                    description="123号, 123-1号, 123弄4号",
                    checks=(required(),),
                ),
                Column("街道", "street", checks=(required(),)),
                Column(
                    "行业",
                    "industry",
                    "enum",
                    checks=(
                        one_of(
                            "餐饮",
                            "食品零售",
                            "零售",
                            "美容美发",
                            "洗衣",
                            "维修",
                            "教育培训",
                            "其他",
                        ),
                    ),
                ),
                Column(
                    "经营状态",
                    "status",
                    "enum",
                    checks=(required(), one_of("营业", "歇业", "注销")),
                ),
                Column(
                    "开业日期",
                    "opened_on",
                    "date",
                    description="YYYY/MM/DD; may be blank",
                    checks=(parses("YYYY/MM/DD", also=r"^\d{4}-\d{2}-\d{2}$"),),
                ),
                Column("经度", "lon", "decimal", checks=(parses("decimal"),)),
                Column("纬度", "lat", "decimal", checks=(parses("decimal"),)),
            ),
        ),
    ),
)
