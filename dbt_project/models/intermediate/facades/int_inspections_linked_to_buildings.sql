{#
    Each inspection linked to a registered building: by its building code when it carries
    a known one, else by normalised address (no 上海市, ASCII digits, 弄 read as 号, no
    spaces) when exactly one building has it. Unlinked inspections are kept and counted.
#}
with

inspections as (
    select * from {{ ref('stg_facade_inspections__inspections') }}
),

buildings as (
    select * from {{ ref('stg_housing__buildings') }}
),

addresses as (
    select address_normalised, min(building_code) as building_code, count(*) as buildings
    from buildings
    group by address_normalised
),

final as (
    select
        inspections.inspection_id,
        coalesce(by_code.building_code, by_address.building_code) as building_code,
        case
            when by_code.building_code is not null then 'building_code'
            when by_address.building_code is not null then 'address'
            else 'unlinked'
        end as link_path,
        case
            when by_code.building_code is not null then 1.0
            when by_address.building_code is not null then 0.99
            else 0.0
        end as link_confidence,
        inspections.address_as_delivered,
        inspections.address_normalised
    from inspections
    left join buildings as by_code
        on by_code.building_code = inspections.building_code
    left join addresses as by_address
        on by_address.address_normalised = inspections.address_normalised
        and by_address.buildings = 1
        and by_code.building_code is null
)

select * from final
