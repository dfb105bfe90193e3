"""教委: graduating students, a yearly UTF-8-with-BOM CSV, corrections re-sent."""

from ..spec import Column, EntitySpec, SourceSpec

SPEC = SourceSpec(
    name="education",
    department="教委 (education commission)",
    description="Students expected to graduate, by class year.",
    expected_every_days=200,
    entities=(
        EntitySpec(
            name="graduates",
            file_pattern=r"graduates_\d{4}\.csv",
            reader="csv",
            encoding="utf-8-sig",
            mode="increment",
            business_key=("student_no", "university"),
            columns=(
                Column("学号", "student_no"),
                Column("姓名", "name"),
                Column("身份证号", "id_number", description="dirty like the welfare file"),
                Column("出生日期", "birth_date", "date"),
                Column("性别", "gender", "enum"),
                Column("学校", "university"),
                Column("学历", "degree", "enum"),
                Column("专业", "major"),
                Column("预计毕业日期", "expected_graduation", "date"),
                Column("生源地", "origin_district", description="may be blank or outside Shanghai"),
            ),
        ),
    ),
)
