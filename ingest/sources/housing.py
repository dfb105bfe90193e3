"""住建委: curtain-wall building registry, a full snapshot in xlsx."""

from ..spec import Column, EntitySpec, SourceSpec

SPEC = SourceSpec(
    name="housing",
    department="住建委 (housing and urban-rural development)",
    description="Registry of high-rise buildings with glass curtain walls.",
    expected_every_days=100,
    entities=(
        EntitySpec(
            name="buildings",
            file_pattern=r"buildings_\d{8}\.xlsx",
            reader="xlsx",
            sheet="幕墙建筑",
            mode="snapshot",
            business_key=("building_code",),
            columns=(
                Column("建筑编号", "building_code", description="SH-<district code>-<5 digits>"),
                Column("建筑名称", "building_name"),
                Column("地址", "address"),
                Column("区", "district"),
                Column("街道", "street"),
                Column("经度", "lon", "decimal"),
                Column("纬度", "lat", "decimal"),
                Column("地上层数", "floors", "int"),
                Column("建筑高度(米)", "height_m", "decimal"),
                Column("竣工年份", "completion_year", "int"),
                Column("幕墙面积(平方米)", "curtain_wall_area_m2", "decimal"),
                Column("玻璃类型", "glass_type", "enum"),
                Column("幕墙形式", "wall_system", "enum"),
                Column("最近大修年份", "last_major_repair_year", "int"),
                Column("结构胶更换年份", "sealant_replaced_year", "int"),
                Column("使用性质", "use_type", "enum"),
                Column("物业单位", "property_manager"),
                Column("临街", "street_facing", "enum"),
            ),
        ),
    ),
)
