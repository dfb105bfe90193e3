"""气象局: hourly automatic-station observations, one JSON document per day."""

from ..spec import Column, EntitySpec, SourceSpec, one_of, parses, pattern, required, unique_in_file

_FILE = r"obs_\d{8}\.json"

SPEC = SourceSpec(
    name="weather",
    department="气象局 (meteorological bureau)",
    description="Automatic weather stations and their hourly observations.",
    expected_every_days=2,
    stale_after_days=7,
    entities=(
        EntitySpec(
            name="stations",
            file_pattern=_FILE,
            reader="json",
            json_path="stations",
            mode="snapshot",
            business_key=("station_id",),
            columns=(
                Column(
                    "station_id",
                    "station_id",
                    checks=(
                        required(),
                        unique_in_file(),
                        pattern(r"^[0-9A-Z]{5}$", "warning"),
                    ),
                ),
                Column("name", "station_name"),
                Column("lon", "lon", "decimal", checks=(parses("decimal"),)),
                Column("lat", "lat", "decimal", checks=(parses("decimal"),)),
                Column("district", "district"),
            ),
        ),
        EntitySpec(
            name="observations",
            file_pattern=_FILE,
            reader="json",
            json_path="observations",
            mode="increment",
            business_key=("station_id", "observed_at"),
            columns=(
                Column("station_id", "station_id", checks=(required(),)),
                Column(
                    "ts",
                    "observed_at",
                    "timestamp",
                    checks=(
                        required(),
                        parses("YYYY-MM-DD hh:mm[:ss][+hh:mm]"),
                    ),
                ),
                Column(
                    "wind_speed_ms",
                    "wind_speed_ms",
                    "decimal",
                    description="null or -9999: unknown",
                    checks=(parses("decimal"),),
                ),
                Column(
                    "gust_ms",
                    "gust_ms",
                    "decimal",
                    description="null or -9999: unknown",
                    checks=(
                        parses("decimal"),
                        required("warning", mostly=0.95),
                    ),
                ),
                Column(
                    "temp_c",
                    "temp_c",
                    "decimal",
                    description="null or -9999: unknown",
                    checks=(parses("decimal"),),
                ),
                Column(
                    "precip_mm",
                    "precip_mm",
                    "decimal",
                    description="null or -9999: unknown",
                    checks=(parses("decimal"),),
                ),
                Column(
                    "typhoon_warning",
                    "typhoon_warning",
                    "enum",
                    checks=(one_of("none", "blue", "yellow", "orange", "red"),),
                ),
            ),
        ),
    ),
)
