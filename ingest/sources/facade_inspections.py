"""Facade inspection records and cases: daily GBK CSV increments with corrections."""

from ..spec import Column, EntitySpec, SourceSpec, one_of, parses, pattern, required, unique_in_file

SPEC = SourceSpec(
    name="facade_inspections",
    department="住建委 / 街道 (facade inspections and cases)",
    description="Inspections of curtain walls, findings, and the cases they open.",
    expected_every_days=2,
    stale_after_days=7,
    entities=(
        EntitySpec(
            name="inspections",
            file_pattern=r"inspections_\d{8}\.csv",
            reader="csv",
            encoding="gbk",
            mode="increment",
            business_key=("inspection_id",),
            columns=(
                Column(
                    "检查编号",
                    "inspection_id",
                    checks=(
                        required(),
                        unique_in_file(),
                    ),
                ),
                Column(
                    "建筑编号",
                    "building_code",
                    description="often blank: link by address",
                    checks=(
                        pattern(r"^SH-\d{6}-\d{5}$"),
                        required("warning", mostly=0.5),
                    ),
                ),
                Column("地址", "address", checks=(required(),)),
                Column(
                    "检查日期",
                    "inspected_on",
                    "date",
                    description="YYYY-MM-DD or YYYY/M/D",
                    checks=(
                        required(),
                        parses("YYYY-MM-DD", also=r"^\d{4}/([1-9]|1[0-2])/([1-9]|[12]\d|3[01])$"),
                    ),
                ),
                Column("检查方式", "method", "enum", checks=(one_of("人工", "无人机", "传感器"),)),
                Column(
                    "问题类型",
                    "finding",
                    "enum",
                    checks=(
                        one_of(
                            "无",
                            "玻璃破损",
                            "玻璃自爆",
                            "密封胶老化",
                            "五金件松动",
                            "框架锈蚀",
                            "面板脱落",
                        ),
                    ),
                ),
                Column(
                    "严重程度",
                    "severity",
                    "int",
                    checks=(
                        required(),
                        one_of("0", "1", "2", "3"),
                    ),
                ),
                Column("立案编号", "case_id"),
                Column(
                    "立案时间",
                    "case_opened_at",
                    "timestamp",
                    description="Asia/Shanghai",
                    checks=(parses("YYYY-MM-DD hh:mm[:ss][+hh:mm]"),),
                ),
                Column(
                    "结案时间",
                    "case_closed_at",
                    "timestamp",
                    description="blank while open",
                    checks=(parses("YYYY-MM-DD hh:mm[:ss][+hh:mm]"),),
                ),
                Column(
                    "处置措施",
                    "measures",
                    description="';'-separated: 拆除, 围封, 警示",
                    checks=(pattern(r"^(拆除|围封|警示)(;(拆除|围封|警示))*$"),),
                ),
            ),
        ),
    ),
)
