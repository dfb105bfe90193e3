"""绿化市容: billboard registry (CSV snapshot) and sensor readings (hourly JSONL)."""

from ..spec import Column, EntitySpec, SourceSpec, parses, required, unique_in_file

SPEC = SourceSpec(
    name="billboards",
    department="绿化市容 (greening and city appearance)",
    description="Outdoor billboards, their IoT devices and tilt/vibration readings.",
    expected_every_days=1,
    stale_after_days=3,
    entities=(
        EntitySpec(
            name="registry",
            file_pattern=r"registry\.csv",
            reader="csv",
            mode="snapshot",
            business_key=("billboard_id",),
            columns=(
                Column(
                    "广告牌编号",
                    "billboard_id",
                    checks=(
                        required(),
                        unique_in_file(),
                    ),
                ),
                Column(
                    "设备编号",
                    "device_id",
                    checks=(
                        required(),
                        unique_in_file(),
                    ),
                ),
                Column("地址", "address"),
                Column("区", "district", checks=(required(),)),
                Column("街道", "street"),
                Column("经度", "lon", "decimal", checks=(parses("decimal"),)),
                Column("纬度", "lat", "decimal", checks=(parses("decimal"),)),
                Column("高度(米)", "height_m", "decimal", checks=(parses("decimal"),)),
                Column("面积(平方米)", "area_m2", "decimal", checks=(parses("decimal"),)),
                Column("安装日期", "installed_on", "date", checks=(parses("YYYY-MM-DD"),)),
                Column("设置单位", "owner"),
            ),
        ),
        EntitySpec(
            name="readings",
            file_pattern=r"readings_\d{2}\.jsonl",
            reader="jsonl",
            mode="increment",
            business_key=("device_id", "read_at"),
            columns=(
                Column("device_id", "device_id", checks=(required(),)),
                Column(
                    "ts",
                    "read_at",
                    "timestamp",
                    checks=(
                        required(),
                        parses("YYYY-MM-DD hh:mm[:ss][+hh:mm]"),
                    ),
                ),
                Column(
                    "tilt_deg",
                    "tilt_deg",
                    "decimal",
                    checks=(
                        parses("decimal"),
                        required("warning", mostly=0.99),
                    ),
                ),
                Column("vibration_mm_s", "vibration_mm_s", "decimal", checks=(parses("decimal"),)),
                Column("battery_pct", "battery_pct", "decimal", checks=(parses("decimal"),)),
            ),
        ),
    ),
)
