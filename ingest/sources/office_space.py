"""楼宇招商: office units on offer, a full UTF-8 CSV snapshot."""

from ..spec import Column, EntitySpec, SourceSpec, one_of, parses, pattern, required, unique_in_file

SPEC = SourceSpec(
    name="office_space",
    department="楼宇招商 (office-building investment promotion)",
    description="Listed office units: what office matching proposes.",
    expected_every_days=35,
    stale_after_days=70,
    entities=(
        EntitySpec(
            name="units",
            file_pattern=r"units_\d{8}\.csv",
            reader="csv",
            mode="snapshot",
            business_key=("unit_id",),
            columns=(
                Column("房源编号", "unit_id", checks=(required(), unique_in_file())),
                Column("楼宇名称", "building_name", checks=(required(),)),
                Column(
                    "建筑编号",
                    "building_code",
                    description="the housing registry's code; often blank",
                    checks=(pattern(r"^SH-\d{6}-\d{5}$", "warning"),),
                ),
                Column("地址", "address", checks=(required(),)),
                Column("区", "district", checks=(required(),)),
                Column("街道", "street"),
                Column("楼层", "floor", "int", checks=(parses("int"),)),
                Column(
                    "面积(平方米)", "area_m2", "decimal", checks=(required(), parses("decimal"))
                ),
                Column(
                    "租金(元/平方米/天)", "rent", "decimal", checks=(required(), parses("decimal"))
                ),
                Column("楼宇等级", "grade", "enum", checks=(one_of("甲级", "乙级", "其他"),)),
                Column("可入驻日期", "available_on", "date", checks=(parses("YYYY-MM-DD"),)),
                Column(
                    "状态",
                    "status",
                    "enum",
                    checks=(required(), one_of("空置", "洽谈中", "已签约")),
                ),
            ),
        ),
    ),
)
