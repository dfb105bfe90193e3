"""教委: graduating students, a yearly UTF-8-with-BOM CSV, corrections re-sent."""

from ..spec import DIRTY_ID_NUMBER, Column, EntitySpec, SourceSpec, one_of, parses, required

SPEC = SourceSpec(
    name="education",
    department="教委 (education commission)",
    description="Students expected to graduate, by class year.",
    expected_every_days=200,
    stale_after_days=400,
    entities=(
        EntitySpec(
            name="graduates",
            file_pattern=r"graduates_\d{4}\.csv",
            reader="csv",
            encoding="utf-8-sig",
            mode="increment",
            business_key=("student_no", "university"),
            columns=(
                Column("学号", "student_no", checks=(required(),)),
                Column("姓名", "name", checks=(required(),)),
                Column(
                    "身份证号",
                    "id_number",
                    description="dirty like the welfare file",
                    checks=DIRTY_ID_NUMBER,
                ),
                Column(
                    "出生日期",
                    "birth_date",
                    "date",
                    checks=(
                        required(
                            "warning",
                            why="derivable from a valid ID number of the same row; linkage treats a blank as no evidence",
                        ),
                        parses("YYYY-MM-DD"),
                    ),
                ),
                Column("性别", "gender", "enum", checks=(one_of("男", "女"),)),
                Column("学校", "university", checks=(required(),)),
                Column("学历", "degree", "enum", checks=(one_of("专科", "本科", "硕士", "博士"),)),
                Column("专业", "major"),
                Column(
                    "预计毕业日期",
                    "expected_graduation",
                    "date",
                    checks=(
                        required(),
                        parses("YYYY-MM-DD"),
                    ),
                ),
                Column("生源地", "origin_district", description="may be blank or outside Shanghai"),
            ),
        ),
    ),
)
