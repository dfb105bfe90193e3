-- The housing registry's buildings as enterprise and unit addresses can name them: by
-- district and road|number, and by district and building name; a key two buildings
-- share is ambiguous and links nothing.
with

buildings as (
    select
        b.building_code,
        b.building_name,
        d.district_code,
        staging.office_address_key(b.address) as address_key
    from {{ ref('stg_housing__buildings') }} as b
    inner join {{ ref('ref_shanghai_districts') }} as d on d.district_name = b.district_name
),

by_address as (
    select
        'address' as key_kind,
        district_code,
        address_key as key,
        min(building_code) as building_code,
        count(*) as buildings
    from buildings
    where address_key is not null
    group by district_code, address_key
),

by_name as (
    select
        'building_name' as key_kind,
        district_code,
        building_name as key,
        min(building_code) as building_code,
        count(*) as buildings
    from buildings
    group by district_code, building_name
)

select * from by_address
union all
select * from by_name
