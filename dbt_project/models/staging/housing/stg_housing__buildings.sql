with

source as (
    {{ latest('housing', 'housing__buildings') }}
),

renamed as (
    select
        btrim(building_code) as building_code,
        btrim(building_name) as building_name,
        btrim(address) as address,
        staging.address_normalise(address) as address_normalised,
        btrim(district) as district_name,
        btrim(street) as street_name,
        staging.safe_numeric(lon)::double precision as lon,
        staging.safe_numeric(lat)::double precision as lat,
        staging.safe_numeric(floors)::int as floors,
        staging.safe_numeric(height_m) as height_m,
        staging.safe_numeric(completion_year)::int as completion_year,
        staging.safe_numeric(curtain_wall_area_m2) as curtain_wall_area_m2,
        btrim(glass_type) as glass_type,
        btrim(wall_system) as wall_system,
        staging.safe_numeric(last_major_repair_year)::int as last_major_repair_year,
        staging.safe_numeric(sealant_replaced_year)::int as sealant_replaced_year,
        btrim(use_type) as use_type,
        nullif(btrim(property_manager), '') as property_manager,
        btrim(street_facing) = '是' as is_street_facing,
        _delivered_on as snapshot_on,
        _batch_id as batch_id
    from source
),

final as (
    select * from renamed
)

select * from final
