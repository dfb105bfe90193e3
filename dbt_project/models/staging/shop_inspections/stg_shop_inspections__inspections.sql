with

source as (
    {{ latest('shop_inspections', 'shop_inspections__inspections') }}
),

renamed as (
    select
        btrim(inspection_id) as inspection_id,
        nullif(btrim(shop_id), '') as shop_id,
        staging.uscc_normalised(uscc) as uscc,
        btrim(shop_name) as shop_name,
        staging.shop_name_core(shop_name) as shop_name_core,
        btrim(address) as address,
        staging.shop_address_key(address) as address_key,
        staging.safe_date(inspected_on) as inspected_on,
        btrim(kind) as kind,
        btrim(team) as team,
        violations::jsonb as violations
    from source
),

final as (
    select
        r.inspection_id,
        r.shop_id,
        r.uscc,
        r.shop_name,
        r.shop_name_core,
        r.address,
        r.address_key,
        r.inspected_on,
        r.kind,
        r.team,
        coalesce(v.violation_count, 0) as violation_count,
        coalesce(v.critical_count, 0) as critical_count,
        coalesce(v.points, 0) as points
    from renamed as r
    left join lateral (
        select
            count(*) as violation_count,
            count(*) filter (where e ->> 'severity' = 'critical') as critical_count,
            sum(staging.safe_numeric(e ->> 'points'))::integer as points
        from jsonb_array_elements(r.violations) as e
    ) as v on true
)

select * from final
