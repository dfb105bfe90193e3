with

buildings as (
    select * from {{ ref('stg_housing__buildings') }}
),

stations as (
    select * from {{ ref('int_buildings_nearest_station') }}
),

districts as (
    select * from {{ ref('ref_shanghai_districts') }}
),

known as (
    select
        buildings.building_code,
        buildings.building_name,
        buildings.address,
        districts.district_code,
        buildings.district_name,
        buildings.street_name,
        buildings.lon,
        buildings.lat,
        buildings.floors,
        buildings.height_m,
        buildings.completion_year,
        buildings.curtain_wall_area_m2,
        buildings.glass_type,
        buildings.wall_system,
        buildings.last_major_repair_year,
        buildings.sealant_replaced_year,
        buildings.use_type,
        buildings.property_manager,
        buildings.is_street_facing,
        coalesce(districts.is_coastal, false) as is_coastal_district,
        stations.station_id as nearest_station_id,
        stations.distance_m as nearest_station_distance_m
    from buildings
    left join districts
        on districts.district_name = buildings.district_name
    left join stations
        on stations.building_code = buildings.building_code
),

unknown as (
    select
        'UNKNOWN' as building_code, '(unlinked inspections)', null, null, null, null,
        null::double precision, null::double precision, null::int, null::numeric, null::int, null::numeric,
        null, null, null::int, null::int, null, null, null::boolean, false, null, null::numeric
),

final as (
    select * from known
    union all
    select * from unknown
)

select * from final
