-- Each enterprise's building in the housing registry: by the registered address's road and
-- number in its district (confidence 0.95), else by the building the address names
-- (0.8); a key two buildings share is ambiguous and links nothing.
with

enterprises as (
    select uscc, district_code, address_key, building_named
    from {{ ref('stg_enterprises__register') }}
),

keys as (
    select * from {{ ref('int_registry_building_keys') }}
),

linked as (
    select
        e.uscc,
        coalesce(a.key_kind, n.key_kind) as link_path,
        coalesce(a.buildings, n.buildings) as candidates,
        coalesce(a.building_code, n.building_code) as building_code
    from enterprises as e
    left join keys as a
        on a.key_kind = 'address' and a.district_code = e.district_code and a.key = e.address_key
    left join keys as n
        on n.key_kind = 'building_name' and n.district_code = e.district_code
        and n.key = e.building_named
)

select
    uscc,
    case when candidates = 1 then building_code end as building_code,
    link_path,
    case
        when candidates = 1 and link_path = 'address' then 0.95
        when candidates = 1 and link_path = 'building_name' then 0.8
    end as link_confidence,
    case
        when candidates = 1 then 'linked'
        when candidates > 1 then 'ambiguous'
        else 'unlinked'
    end as link_status
from linked
