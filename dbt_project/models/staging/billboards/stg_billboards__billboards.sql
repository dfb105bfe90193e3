with

source as (
    {{ latest('billboards', 'billboards__registry') }}
),

renamed as (
    select
        btrim(billboard_id) as billboard_id,
        btrim(device_id) as device_id,
        btrim(address) as address,
        btrim(district) as district_name,
        btrim(street) as street_name,
        staging.safe_numeric(lon)::double precision as lon,
        staging.safe_numeric(lat)::double precision as lat,
        staging.safe_numeric(height_m) as height_m,
        staging.safe_numeric(area_m2) as area_m2,
        staging.safe_date(installed_on) as installed_on,
        btrim(owner) as owner_name
    from source
),

final as (
    select * from renamed
)

select * from final
