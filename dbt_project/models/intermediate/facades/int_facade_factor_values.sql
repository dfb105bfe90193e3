{#
    The 30 facade risk factors of docs/domain.md, raw values, one row per building as of the
    run date. Normalisation, weights and tiers are applied in mart_facade_risk from seeds.
#}
{% set as_of = var('as_of') %}

with

buildings as (
    select * from {{ ref('dim_building') }}
    where building_code <> 'UNKNOWN'
),

inspections as (
    select * from {{ ref('fct_facade_inspection') }}
    where building_code <> 'UNKNOWN' and inspected_on <= '{{ as_of }}'::date
),

cases as (
    select * from {{ ref('fct_case') }}
    where opened_on <= '{{ as_of }}'::date
),

weather as (
    select * from {{ ref('fct_weather_daily') }}
    where observed_on > '{{ as_of }}'::date - 365 and observed_on <= '{{ as_of }}'::date
),

inspection_factors as (
    select
        building_code,
        max(inspected_on) as last_inspected_on,
        max(inspected_on) filter (where method = '人工') as last_manual_inspected_on,
        count(*) filter (where has_defect and inspected_on > '{{ as_of }}'::date - interval '3 years') as defects_3y,
        count(*) filter (where is_breakage and inspected_on > '{{ as_of }}'::date - interval '5 years') as glass_breakages_5y,
        count(*) filter (where finding = '玻璃自爆' and inspected_on > '{{ as_of }}'::date - interval '5 years')
            as spontaneous_breakages_5y,
        count(*) filter (where finding = '密封胶老化' and inspected_on > '{{ as_of }}'::date - interval '3 years')
            as sealant_failures_3y,
        count(*) filter (where finding = '五金件松动' and inspected_on > '{{ as_of }}'::date - interval '3 years')
            as loose_hardware_3y,
        count(*) filter (where finding = '框架锈蚀' and inspected_on > '{{ as_of }}'::date - interval '3 years')
            as frame_corrosion_3y,
        count(*) filter (where method = '无人机' and has_defect and inspected_on > '{{ as_of }}'::date - 365)
            as drone_anomalies_1y,
        count(*) filter (where is_breakage and inspected_on > '{{ as_of }}'::date - 30) as breakages_30d
    from inspections
    group by building_code
),

last_inspection as (
    select distinct on (building_code) building_code, severity as worst_severity_last_inspection
    from (
        select building_code, inspected_on, max(severity) as severity
        from inspections
        group by building_code, inspected_on
    ) as by_day
    order by building_code, inspected_on desc
),

repeated as (
    select building_code, count(*) as repeated_findings
    from (
        select building_code, finding
        from inspections
        where has_defect and inspected_on > '{{ as_of }}'::date - interval '3 years'
        group by building_code, finding
        having count(*) > 1
    ) as recurring
    group by building_code
),

case_factors as (
    select
        building_code,
        count(*) filter (where is_open) as open_cases,
        count(*) filter (where is_open and severity >= 3) as open_severity3_cases
    from cases
    group by building_code
),

station_weather as (
    select
        station_id,
        max(max_gust_ms) as max_gust_12m_ms,
        count(*) filter (where is_gale_day) as gale_days_12m,
        count(*) filter (where worst_typhoon_warning in ('orange', 'red')) as typhoon_warning_days_12m,
        count(*) filter (where max_temp_c >= 35) as extreme_heat_days_12m,
        max(temp_swing_c) as max_temp_swing_12m_c,
        count(*) filter (where precip_mm >= 50) as heavy_rain_days_12m
    from weather
    group by station_id
),

recent_breakages as (
    select
        buildings.building_code,
        buildings.lon,
        buildings.lat,
        floor(buildings.lat / 0.005)::int as lat_cell,
        floor(buildings.lon / 0.006)::int as lon_cell
    from inspections
    inner join buildings
        on buildings.building_code = inspections.building_code
    where inspections.is_breakage
        and inspections.inspected_on > '{{ as_of }}'::date - 365
        and buildings.lon is not null
),

{#- Breakages within 500 m lie in a building's grid cell (0.005° x 0.006°, more than 500 m
    each way at Shanghai's latitude) or one of the eight around it: an equi-join on cells,
    which PostgreSQL hashes, instead of comparing every building with every breakage. #}
neighbour_cells as (
    select
        buildings.building_code,
        buildings.lon,
        buildings.lat,
        floor(buildings.lat / 0.005)::int + lat_step as lat_cell,
        floor(buildings.lon / 0.006)::int + lon_step as lon_cell
    from buildings
    cross join generate_series(-1, 1) as lat_step
    cross join generate_series(-1, 1) as lon_step
    where buildings.lon is not null
),

nearby as (
    select neighbour_cells.building_code, count(recent_breakages.building_code) as breakages_within_500m_1y
    from neighbour_cells
    inner join recent_breakages
        on recent_breakages.lat_cell = neighbour_cells.lat_cell
        and recent_breakages.lon_cell = neighbour_cells.lon_cell
        and recent_breakages.building_code <> neighbour_cells.building_code
    where abs(recent_breakages.lat - neighbour_cells.lat) < 0.005
        and abs(recent_breakages.lon - neighbour_cells.lon) < 0.006
        and 2 * 6371000 * asin(sqrt(
            power(sin(radians(recent_breakages.lat - neighbour_cells.lat) / 2), 2)
            + cos(radians(neighbour_cells.lat)) * cos(radians(recent_breakages.lat))
            * power(sin(radians(recent_breakages.lon - neighbour_cells.lon) / 2), 2)
        )) <= 500
    group by neighbour_cells.building_code
),

final as (
    select
        buildings.building_code,
        buildings.district_code,
        buildings.district_name,
        buildings.street_name,
        -- housing
        extract(year from '{{ as_of }}'::date)::int - buildings.completion_year as facade_age_years,
        extract(year from '{{ as_of }}'::date)::int
            - coalesce(buildings.last_major_repair_year, buildings.completion_year) as years_since_major_repair,
        extract(year from '{{ as_of }}'::date)::int
            - coalesce(buildings.sealant_replaced_year, buildings.completion_year) as sealant_age_years,
        buildings.height_m,
        buildings.curtain_wall_area_m2,
        case buildings.glass_type
            when '普通浮法玻璃' then 1.0 when '钢化玻璃' then 0.67 when '半钢化玻璃' then 0.33 else 0.0
        end as glass_type_risk,
        case buildings.wall_system
            when '隐框' then 1.0 when '半隐框' then 0.67 when '点支式' then 0.33 else 0.0
        end as wall_system_risk,
        buildings.is_street_facing::int as is_street_facing,
        case buildings.use_type
            when '商业' then 1.0 when '酒店' then 1.0 when '综合' then 0.8 when '办公' then 0.7 else 0.3
        end as crowd_use_risk,
        (buildings.property_manager is null)::int as has_no_property_manager,
        -- inspections
        coalesce('{{ as_of }}'::date - inspection_factors.last_inspected_on, 730) as days_since_last_inspection,
        (coalesce('{{ as_of }}'::date - inspection_factors.last_manual_inspected_on, 9999)
            > case
                when buildings.wall_system = '隐框'
                    or extract(year from '{{ as_of }}'::date)::int - buildings.completion_year > 15 then 180
                else 365
            end)::int as is_inspection_overdue,
        coalesce(inspection_factors.defects_3y, 0) as defects_3y,
        coalesce(last_inspection.worst_severity_last_inspection, 0) as worst_severity_last_inspection,
        coalesce(inspection_factors.glass_breakages_5y, 0) as glass_breakages_5y,
        coalesce(inspection_factors.spontaneous_breakages_5y, 0) as spontaneous_breakages_5y,
        coalesce(inspection_factors.sealant_failures_3y, 0) as sealant_failures_3y,
        coalesce(inspection_factors.loose_hardware_3y, 0) as loose_hardware_3y,
        coalesce(inspection_factors.frame_corrosion_3y, 0) as frame_corrosion_3y,
        coalesce(case_factors.open_cases, 0) as open_cases,
        coalesce(repeated.repeated_findings, 0) as repeated_findings,
        coalesce(inspection_factors.drone_anomalies_1y, 0) as drone_anomalies_1y,
        -- weather at the nearest station
        station_weather.max_gust_12m_ms,
        station_weather.gale_days_12m,
        station_weather.typhoon_warning_days_12m,
        station_weather.extreme_heat_days_12m,
        station_weather.max_temp_swing_12m_c,
        station_weather.heavy_rain_days_12m,
        -- reference data and geography
        buildings.is_coastal_district::int as is_coastal_district,
        coalesce(nearby.breakages_within_500m_1y, 0) as breakages_within_500m_1y,
        -- hard-rule inputs
        coalesce(case_factors.open_severity3_cases, 0) as open_severity3_cases,
        coalesce(inspection_factors.breakages_30d, 0) as breakages_30d
    from buildings
    left join inspection_factors on inspection_factors.building_code = buildings.building_code
    left join last_inspection on last_inspection.building_code = buildings.building_code
    left join repeated on repeated.building_code = buildings.building_code
    left join case_factors on case_factors.building_code = buildings.building_code
    left join station_weather on station_weather.station_id = buildings.nearest_station_id
    left join nearby on nearby.building_code = buildings.building_code
)

select * from final
