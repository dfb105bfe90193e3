"""公安: household registration, a full snapshot (city scale: ~25 M rows, streamed)."""

from ..spec import Column, EntitySpec, SourceSpec, one_of, parses, pattern, required

SPEC = SourceSpec(
    name="population",
    department="公安 (public security: household registration)",
    description="Registered persons and their households.",
    expected_every_days=40,
    stale_after_days=90,
    entities=(
        EntitySpec(
            name="persons",
            file_pattern=r"persons_\d{8}\.csv",
            reader="csv",
            mode="snapshot",
            business_key=("id_number",),
            columns=(
                Column(
                    "身份证号",
                    "id_number",
                    description="18-digit, some legacy 15-digit",
                    checks=(
                        required(),
                        pattern(r"^\d{17}[\dX]$|^\d{15}$", "warning", mostly=0.99),
                    ),
                ),
                Column("姓名", "name", checks=(required(),)),
                Column("性别", "gender", "enum", checks=(one_of("男", "女"),)),
                Column(
                    "出生日期",
                    "birth_date",
                    "date",
                    description="YYYYMMDD",
                    checks=(
                        required(
                            "warning",
                            why="derivable from a valid ID number of the same row; linkage treats a blank as no evidence",
                        ),
                        parses("YYYYMMDD"),
                    ),
                ),
                Column("户号", "household_no", checks=(required(),)),
                Column(
                    "与户主关系",
                    "relation_to_head",
                    "enum",
                    checks=(one_of("户主", "配偶", "子", "女", "父母", "孙子女", "其他"),),
                ),
                Column("区划代码", "district_code", checks=(pattern(r"^\d{6}$"),)),
                Column("街道", "street"),
                Column("户籍地址", "address"),
                Column("人口状态", "status", "enum", checks=(one_of("正常", "死亡", "迁出"),)),
                Column(
                    "更新时间",
                    "updated_at",
                    "timestamp",
                    checks=(parses("YYYY-MM-DD hh:mm[:ss][+hh:mm]"),),
                ),
            ),
        ),
    ),
)
