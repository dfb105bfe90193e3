with

billboards as (
    select * from {{ ref('stg_billboards__billboards') }}
),

final as (
    select
        billboard_id,
        device_id,
        address,
        district_name,
        street_name,
        lon,
        lat,
        height_m,
        area_m2,
        installed_on,
        owner_name
    from billboards
)

select * from final
