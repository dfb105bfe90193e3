"""气象局: hourly automatic-station observations, one JSON document per day."""

from ..spec import Column, EntitySpec, SourceSpec

_FILE = r"obs_\d{8}\.json"

SPEC = SourceSpec(
    name="weather",
    department="气象局 (meteorological bureau)",
    description="Automatic weather stations and their hourly observations.",
    expected_every_days=2,
    entities=(
        EntitySpec(
            name="stations",
            file_pattern=_FILE,
            reader="json",
            json_path="stations",
            mode="snapshot",
            business_key=("station_id",),
            columns=(
                Column("station_id", "station_id"),
                Column("name", "station_name"),
                Column("lon", "lon", "decimal"),
                Column("lat", "lat", "decimal"),
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
                Column("station_id", "station_id"),
                Column("ts", "observed_at", "timestamp"),
                Column(
                    "wind_speed_ms",
                    "wind_speed_ms",
                    "decimal",
                    description="null or -9999: unknown",
                ),
                Column("gust_ms", "gust_ms", "decimal", description="null or -9999: unknown"),
                Column("temp_c", "temp_c", "decimal", description="null or -9999: unknown"),
                Column("precip_mm", "precip_mm", "decimal", description="null or -9999: unknown"),
                Column("typhoon_warning", "typhoon_warning", "enum"),
            ),
        ),
    ),
)
