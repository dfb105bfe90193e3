{# Grain: one row per case (立案), with the time it took to close and the 24-hour target. #}
{% set as_of = var('as_of') %}

with

inspections as (
    select * from {{ ref('stg_facade_inspections__inspections') }}
    where case_id is not null
),

facts as (
    select * from {{ ref('fct_facade_inspection') }}
),

cases as (
    select distinct on (inspections.case_id)
        inspections.case_id,
        inspections.inspection_id,
        facts.building_code,
        inspections.finding,
        inspections.severity,
        inspections.case_opened_at,
        inspections.case_closed_at,
        inspections.measures
    from inspections
    inner join facts
        on facts.inspection_id = inspections.inspection_id
    order by inspections.case_id, inspections.delivered_on desc
),

final as (
    select
        case_id,
        inspection_id,
        building_code,
        finding,
        severity,
        case_opened_at,
        case_closed_at,
        (case_opened_at at time zone 'Asia/Shanghai')::date as opened_on,
        round((extract(epoch from case_closed_at - case_opened_at) / 3600)::numeric, 2) as hours_to_close,
        case_closed_at is null as is_open,
        case_closed_at is not null and case_closed_at - case_opened_at <= interval '24 hours' as is_closed_within_24h,
        case_closed_at is null
            and ('{{ as_of }}'::date::timestamp at time zone 'Asia/Shanghai') - case_opened_at > interval '24 hours'
            as is_open_over_24h,
        measures
    from cases
)

select * from final
