-- One row per request: its latest delivered row (a later month's workbook wins).
with

source as (
    {{ latest('enterprise_requests', 'enterprise_requests__requests') }}
),

parameters as (
    select value as area_single_tolerance
    from {{ ref('enterprise_parameters') }}
    where parameter = 'area_single_tolerance'
),

renamed as (
    select
        btrim(s.request_id) as request_id,
        staging.uscc_normalised(s.uscc) as uscc,
        nullif(btrim(s.uscc), '') is not null and staging.uscc_normalised(s.uscc) is null
            as uscc_invalid,
        staging.safe_date(s.received_on) as received_on,
        btrim(s.category) as category,
        nullif(btrim(s.detail), '') as detail,
        nullif(btrim(s.need_area_m2), '') as need_area_as_delivered,
        staging.area_need_bounds(s.need_area_m2, p.area_single_tolerance) as need_area_bounds,
        staging.safe_numeric(s.rent_budget) as rent_budget,
        coalesce(
            array_remove(string_to_array(regexp_replace(coalesce(s.wanted_area, ''), '[[:space:]；]', ';', 'g'), ';'), ''),
            '{}'
        ) as wanted_areas,
        nullif(btrim(s.handler), '') as handler,
        btrim(s.status) as status,
        staging.safe_date(s.closed_on) as closed_on,
        staging.safe_numeric(s.satisfaction)::int as satisfaction,
        s._delivered_on as delivered_on,
        s._batch_id as batch_id
    from source as s
    cross join parameters as p
)

select * from renamed
