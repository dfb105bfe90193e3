with

source as (
    {{ latest('office_space', 'office_space__units') }}
),

districts as (
    select district_code, district_name from {{ ref('ref_shanghai_districts') }}
),

renamed as (
    select
        btrim(s.unit_id) as unit_id,
        btrim(s.building_name) as building_name,
        nullif(upper(btrim(s.building_code)), '') as building_code,
        btrim(s.address) as address,
        staging.office_address_key(s.address) as address_key,
        d.district_code,
        btrim(s.district) as district_name,
        nullif(btrim(s.street), '') as street_name,
        staging.safe_numeric(s.floor)::int as floor,
        staging.safe_numeric(s.area_m2) as area_m2,
        staging.safe_numeric(s.rent) as rent,
        nullif(btrim(s.grade), '') as grade,
        staging.safe_date(s.available_on) as available_on,
        btrim(s.status) as status,
        s._delivered_on as snapshot_on,
        s._batch_id as batch_id
    from source as s
    left join districts as d on d.district_name = btrim(s.district)
)

select * from renamed
