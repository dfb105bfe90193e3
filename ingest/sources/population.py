"""公安: household registration, a full snapshot (city scale: ~25 M rows, streamed)."""

from ..spec import Column, EntitySpec, SourceSpec

SPEC = SourceSpec(
    name="population",
    department="公安 (public security: household registration)",
    description="Registered persons and their households.",
    expected_every_days=40,
    entities=(
        EntitySpec(
            name="persons",
            file_pattern=r"persons_\d{8}\.csv",
            reader="csv",
            mode="snapshot",
            business_key=("id_number",),
            columns=(
                Column("身份证号", "id_number", description="18-digit, some legacy 15-digit"),
                Column("姓名", "name"),
                Column("性别", "gender", "enum"),
                Column("出生日期", "birth_date", "date", description="YYYYMMDD"),
                Column("户号", "household_no"),
                Column("与户主关系", "relation_to_head", "enum"),
                Column("区划代码", "district_code"),
                Column("街道", "street"),
                Column("户籍地址", "address"),
                Column("人口状态", "status", "enum"),
                Column("更新时间", "updated_at", "timestamp"),
            ),
        ),
    ),
)
