{# Hourly observations; null and the sentinel -9999 both mean unknown (safe_numeric). #}
with

source as (
    {{ latest('weather', 'weather__observations') }}
),

renamed as (
    select
        btrim(station_id) as station_id,
        staging.safe_timestamp(observed_at) as observed_at,
        (staging.safe_timestamp(observed_at) at time zone 'Asia/Shanghai')::date as observed_on,
        staging.safe_numeric(wind_speed_ms) as wind_speed_ms,
        staging.safe_numeric(gust_ms) as gust_ms,
        staging.safe_numeric(temp_c) as temp_c,
        staging.safe_numeric(precip_mm) as precip_mm,
        coalesce(nullif(btrim(typhoon_warning), ''), 'none') as typhoon_warning,
        _batch_id as batch_id
    from source
),

final as (
    select * from renamed
)

select * from final
