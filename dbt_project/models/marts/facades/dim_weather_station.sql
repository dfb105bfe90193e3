with

stations as (
    select * from {{ ref('stg_weather__stations') }}
),

districts as (
    select * from {{ ref('ref_shanghai_districts') }}
),

final as (
    select
        stations.station_id,
        stations.station_name,
        stations.lon,
        stations.lat,
        districts.district_code,
        stations.district_name,
        coalesce(districts.is_coastal, false) as is_coastal_district,
        stations.last_reported_on
    from stations
    left join districts
        on districts.district_name = stations.district_name
)

select * from final
