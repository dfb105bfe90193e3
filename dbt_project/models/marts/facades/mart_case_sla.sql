{#
    Grain: one row per district, street and month a case was opened: cases, share closed
    within 24 hours, and the cases still open beyond 24 hours on the run date.
#}
with

cases as (
    select * from {{ ref('fct_case') }}
),

buildings as (
    select * from {{ ref('dim_building') }}
),

final as (
    select
        coalesce(buildings.district_name, '(unlinked)') as district_name,
        coalesce(buildings.street_name, '(unlinked)') as street_name,
        date_trunc('month', cases.opened_on)::date as opened_month,
        count(*) as cases_opened,
        count(*) filter (where cases.is_closed_within_24h) as cases_closed_within_24h,
        round(count(*) filter (where cases.is_closed_within_24h)::numeric / count(*), 4) as share_closed_within_24h,
        round(avg(cases.hours_to_close)::numeric, 2) as avg_hours_to_close,
        count(*) filter (where cases.is_open) as cases_open,
        count(*) filter (where cases.is_open_over_24h) as cases_open_over_24h,
        array_remove(array_agg(cases.case_id order by cases.case_id) filter (where cases.is_open_over_24h), null)
            as open_over_24h_case_ids
    from cases
    left join buildings
        on buildings.building_code = cases.building_code
    group by 1, 2, 3
)

select * from final
