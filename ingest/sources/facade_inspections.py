"""Facade inspection records and cases: daily GBK CSV increments with corrections."""

from ..spec import Column, EntitySpec, SourceSpec

SPEC = SourceSpec(
    name="facade_inspections",
    department="住建委 / 街道 (facade inspections and cases)",
    description="Inspections of curtain walls, findings, and the cases they open.",
    expected_every_days=2,
    entities=(
        EntitySpec(
            name="inspections",
            file_pattern=r"inspections_\d{8}\.csv",
            reader="csv",
            encoding="gbk",
            mode="increment",
            business_key=("inspection_id",),
            columns=(
                Column("检查编号", "inspection_id"),
                Column("建筑编号", "building_code", description="often blank: link by address"),
                Column("地址", "address"),
                Column("检查日期", "inspected_on", "date", description="YYYY-MM-DD or YYYY/M/D"),
                Column("检查方式", "method", "enum"),
                Column("问题类型", "finding", "enum"),
                Column("严重程度", "severity", "int"),
                Column("立案编号", "case_id"),
                Column("立案时间", "case_opened_at", "timestamp", description="Asia/Shanghai"),
                Column("结案时间", "case_closed_at", "timestamp", description="blank while open"),
                Column("处置措施", "measures", description="';'-separated: 拆除, 围封, 警示"),
            ),
        ),
    ),
)
