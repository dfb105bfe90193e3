{# Sensor readings: late and duplicate deliveries collapse to one reading per device and time. #}
with

source as (
    {{ latest('billboards', 'billboards__readings') }}
),

renamed as (
    select
        btrim(device_id) as device_id,
        staging.safe_timestamp(read_at) as read_at,
        staging.safe_numeric(tilt_deg) as tilt_deg,
        staging.safe_numeric(vibration_mm_s) as vibration_mm_s,
        staging.safe_numeric(battery_pct) as battery_pct,
        _batch_id as batch_id
    from source
),

final as (
    select * from renamed
)

select * from final
