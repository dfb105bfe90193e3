with

source as (
    {{ latest_per_key(source('weather', 'weather__stations'), ['station_id']) }}
),

renamed as (
    select
        btrim(station_id) as station_id,
        btrim(station_name) as station_name,
        staging.safe_numeric(lon)::double precision as lon,
        staging.safe_numeric(lat)::double precision as lat,
        btrim(district) as district_name,
        _delivered_on as last_reported_on
    from source
),

final as (
    select * from renamed
)

select * from final
