{{
    config(
        post_hook=[
            "{{ office_candidates_function() }}",
        ],
    )
}}
-- Office units on offer, one row per unit of the newest listing, with the housing
-- registry's building (by the listed code, else the address, else the building name in
-- its district) and that building's facade risk tier. A unit is proposable when it is
-- vacant and its building is not in the red tier. The post-hook creates
-- marts.office_candidates(), the one implementation of office matching (the mart of
-- matches and `cityops offices match` both call it).
-- depends_on: {{ ref('office_match_weights') }}
-- depends_on: {{ ref('enterprise_parameters') }}
with

units as (
    select * from {{ ref('stg_office_space__units') }}
),

registry as (
    select building_code from {{ ref('stg_housing__buildings') }}
),

keys as (
    select * from {{ ref('int_registry_building_keys') }}
),

streets as (
    select street_code, street_name, district_code from {{ ref('ref_shanghai_streets') }}
),

risk as (
    select building_code, risk_tier from {{ ref('mart_facade_risk') }}
),

linked as (
    select
        u.*,
        case
            when r.building_code is not null then r.building_code
            when a.buildings = 1 then a.building_code
            when n.buildings = 1 then n.building_code
        end as registry_building_code,
        case
            when r.building_code is not null then 'code'
            when a.buildings = 1 then 'address'
            when n.buildings = 1 then 'building_name'
        end as building_link_path
    from units as u
    left join registry as r on r.building_code = u.building_code
    left join keys as a
        on a.key_kind = 'address' and a.district_code = u.district_code and a.key = u.address_key
    left join keys as n
        on n.key_kind = 'building_name' and n.district_code = u.district_code
        and n.key = u.building_name
)

select
    l.unit_id,
    l.building_name,
    l.registry_building_code as building_code,
    l.building_link_path,
    case l.building_link_path when 'code' then 1.0 when 'address' then 0.95 when 'building_name' then 0.8 end
        as building_link_confidence,
    l.address,
    l.district_code,
    l.district_name,
    s.street_code,
    l.street_name,
    l.floor,
    l.area_m2,
    l.rent,
    l.grade,
    l.available_on,
    l.status,
    k.risk_tier as facade_risk_tier,
    l.status = '空置' and k.risk_tier is distinct from 'red' as is_proposable,
    l.snapshot_on
from linked as l
left join streets as s on s.street_name = l.street_name and s.district_code = l.district_code
left join risk as k on k.building_code = l.registry_building_code
