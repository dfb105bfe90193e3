"""住建委: curtain-wall building registry, a full snapshot in xlsx."""

from ..spec import Column, EntitySpec, SourceSpec, one_of, parses, pattern, required, unique_in_file

SPEC = SourceSpec(
    name="housing",
    department="住建委 (housing and urban-rural development)",
    description="Registry of high-rise buildings with glass curtain walls.",
    expected_every_days=100,
    stale_after_days=200,
    entities=(
        EntitySpec(
            name="buildings",
            file_pattern=r"buildings_\d{8}\.xlsx",
            reader="xlsx",
            sheet="幕墙建筑",
            mode="snapshot",
            business_key=("building_code",),
            columns=(
                Column(
                    "建筑编号",
                    "building_code",
                    description="SH-<district code>-<5 digits>",
                    checks=(
                        required(),
                        unique_in_file(),
                        pattern(r"^SH-\d{6}-\d{5}$"),
                    ),
                ),
                Column("建筑名称", "building_name", checks=(required(),)),
                Column("地址", "address", checks=(required(),)),
                Column(
                    "区",
                    "district",
                    checks=(
                        required(),
                        one_of(
                            "黄浦区",
                            "徐汇区",
                            "长宁区",
                            "静安区",
                            "普陀区",
                            "虹口区",
                            "杨浦区",
                            "闵行区",
                            "宝山区",
                            "嘉定区",
                            "浦东新区",
                            "金山区",
                            "松江区",
                            "青浦区",
                            "奉贤区",
                            "崇明区",
                        ),
                    ),
                ),
                Column("街道", "street", checks=(required(),)),
                Column(
                    "经度",
                    "lon",
                    "decimal",
                    checks=(
                        parses("decimal"),
                        required("warning", mostly=0.9),
                    ),
                ),
                Column("纬度", "lat", "decimal", checks=(parses("decimal"),)),
                Column("地上层数", "floors", "int", checks=(parses("int"),)),
                Column("建筑高度(米)", "height_m", "decimal", checks=(parses("decimal"),)),
                Column(
                    "竣工年份",
                    "completion_year",
                    "int",
                    checks=(
                        parses("year"),
                        required("warning", mostly=0.95),
                    ),
                ),
                Column(
                    "幕墙面积(平方米)",
                    "curtain_wall_area_m2",
                    "decimal",
                    checks=(parses("decimal"),),
                ),
                Column(
                    "玻璃类型",
                    "glass_type",
                    "enum",
                    checks=(one_of("普通浮法玻璃", "钢化玻璃", "半钢化玻璃", "夹层玻璃"),),
                ),
                Column(
                    "幕墙形式",
                    "wall_system",
                    "enum",
                    checks=(one_of("隐框", "半隐框", "点支式", "明框"),),
                ),
                Column("最近大修年份", "last_major_repair_year", "int", checks=(parses("year"),)),
                Column("结构胶更换年份", "sealant_replaced_year", "int", checks=(parses("year"),)),
                Column(
                    "使用性质",
                    "use_type",
                    "enum",
                    checks=(one_of("办公", "商业", "酒店", "住宅", "综合"),),
                ),
                Column("物业单位", "property_manager"),
                Column("临街", "street_facing", "enum", checks=(one_of("是", "否"),)),
            ),
        ),
    ),
)
