with

source as (
    {{ latest('facade_inspections', 'facade_inspections__inspections') }}
),

renamed as (
    select
        btrim(inspection_id) as inspection_id,
        nullif(btrim(building_code), '') as building_code,
        address as address_as_delivered,
        staging.address_normalise(address) as address_normalised,
        staging.safe_date(inspected_on) as inspected_on,
        btrim(method) as method,
        btrim(finding) as finding,
        staging.safe_numeric(severity)::int as severity,
        nullif(btrim(case_id), '') as case_id,
        staging.safe_timestamp(case_opened_at) as case_opened_at,
        staging.safe_timestamp(case_closed_at) as case_closed_at,
        case
            when nullif(btrim(measures), '') is not null then string_to_array(btrim(measures), ';')
            else array[]::text[]
        end as measures,
        _delivered_on as delivered_on,
        _batch_id as batch_id
    from source
),

final as (
    select * from renamed
)

select * from final
