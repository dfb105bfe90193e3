{#
    Every day's observation file carries the station list, a snapshot (an empty list
    refuses the file), yet the newest row per station wins here rather than the newest
    file's list alone: a station that one day's file leaves out is kept, as its
    observations of earlier days still need it. Hence not latest().
#}
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
