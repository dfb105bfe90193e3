{#
    Each building's nearest weather station (haversine distance). A building without
    coordinates takes the station nearest to its district's centre.
#}
with

buildings as (
    select * from {{ ref('stg_housing__buildings') }}
),

stations as (
    select * from {{ ref('stg_weather__stations') }}
    where lon is not null and lat is not null
),

districts as (
    select * from {{ ref('ref_shanghai_districts') }}
),

located as (
    select
        buildings.building_code,
        coalesce(buildings.lon, districts.centre_lon) as lon,
        coalesce(buildings.lat, districts.centre_lat) as lat,
        buildings.lon is null as is_located_by_district
    from buildings
    left join districts
        on districts.district_name = buildings.district_name
),

distances as (
    select
        located.building_code,
        located.is_located_by_district,
        stations.station_id,
        2 * 6371000 * asin(sqrt(
            power(sin(radians(stations.lat - located.lat) / 2), 2)
            + cos(radians(located.lat)) * cos(radians(stations.lat)) * power(sin(radians(stations.lon - located.lon) / 2), 2)
        )) as distance_m,
        row_number() over (
            partition by located.building_code
            order by power(stations.lat - located.lat, 2) + power((stations.lon - located.lon) * cos(radians(located.lat)), 2),
                stations.station_id
        ) as nearness_rank
    from located
    cross join stations
),

final as (
    select building_code, station_id, round(distance_m::numeric, 1) as distance_m, is_located_by_district
    from distances
    where nearness_rank = 1
)

select * from final
