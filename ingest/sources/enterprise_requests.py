"""街道营商办: enterprise requests (诉求), a monthly workbook; a request's later row wins."""

from ..spec import DIRTY_USCC, Column, EntitySpec, SourceSpec, one_of, parses, pattern, required

#: ``300-500``, ``≥800`` (or ``>=800``) or one number of square metres
AREA_NEED = (
    r"^\s*(\d+(\.\d+)?\s*[-~－～至]\s*\d+(\.\d+)?|(≥|>=|＞=|>|大于)\s*\d+(\.\d+)?|\d+(\.\d+)?)\s*$"
)

SPEC = SourceSpec(
    name="enterprise_requests",
    department="街道营商办 (street business offices)",
    description="Requests enterprises bring to their street, followed to closure.",
    expected_every_days=35,
    stale_after_days=70,
    entities=(
        EntitySpec(
            name="requests",
            file_pattern=r"requests_\d{6}\.xlsx",
            reader="xlsx",
            sheet="企业诉求",
            mode="increment",
            business_key=("request_id",),
            columns=(
                Column("诉求编号", "request_id", checks=(required(),)),
                Column("统一社会信用代码", "uscc", description="dirty", checks=DIRTY_USCC),
                Column(
                    "受理日期", "received_on", "date", checks=(required(), parses("YYYY-MM-DD"))
                ),
                Column(
                    "诉求类型",
                    "category",
                    "enum",
                    checks=(
                        required(),
                        one_of("办公用房", "政策咨询", "融资", "人才", "审批", "其他"),
                    ),
                ),
                Column("诉求内容", "detail"),
                Column(
                    "需求面积(平方米)",
                    "need_area_m2",
                    description="办公用房 only: `300-500`, `≥800` or a number (±20 %)",
                    checks=(
                        pattern(
                            AREA_NEED,
                            "warning",
                            why="an area need that does not parse leaves the area open",
                        ),
                    ),
                ),
                Column(
                    "租金预算(元/平方米/天)",
                    "rent_budget",
                    "decimal",
                    description="办公用房 only; may be blank",
                    checks=(parses("decimal"),),
                ),
                Column(
                    "意向区域",
                    "wanted_area",
                    description="district or street names, `;`-separated; blank = anywhere",
                ),
                Column("承办部门", "handler"),
                Column(
                    "办理状态",
                    "status",
                    "enum",
                    checks=(required(), one_of("已受理", "办理中", "已办结", "无法办理")),
                ),
                Column("办结日期", "closed_on", "date", checks=(parses("YYYY-MM-DD"),)),
                Column(
                    "满意度",
                    "satisfaction",
                    "int",
                    description="1-5, after closure",
                    checks=(one_of("1", "2", "3", "4", "5"),),
                ),
            ),
        ),
    ),
)
