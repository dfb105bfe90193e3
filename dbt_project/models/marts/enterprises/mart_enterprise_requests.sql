{{ config(grants={'+select': ['cityops_street']}, post_hook="{{ street_row_security('street_code') }}") }}
-- 诉求闭环: one row per request, its latest state, who holds it and its age in Shanghai
-- working days (weekends and public holidays off, the weekend days worked in their place
-- on: ref_shanghai_workdays). An open request older than request_overdue_working_days is
-- overdue; a closed one without a satisfaction score is to be followed up. The street is
-- the enterprise's; a request whose credit code fails its check keeps a null street.
{% set as_of = var('as_of') %}
with

requests as (
    select * from {{ ref('stg_enterprise_requests__requests') }}
),

enterprises as (
    select uscc, enterprise_name, district_code, street_code, street_name
    from {{ ref('dim_enterprise') }}
),

calendar as (
    select
        coalesce(array_agg(on_date) filter (where kind = 'holiday'), '{}') as holidays,
        coalesce(array_agg(on_date) filter (where kind = 'workday'), '{}') as workdays
    from {{ ref('ref_shanghai_workdays') }}
),

overdue as (
    select value::int as days
    from {{ ref('enterprise_parameters') }}
    where parameter = 'request_overdue_working_days'
),

aged as (
    select
        r.*,
        r.status in ('已受理', '办理中') as is_open,
        staging.working_days_between(
            r.received_on,
            least(coalesce(r.closed_on, date '{{ as_of }}'), date '{{ as_of }}'),
            c.holidays,
            c.workdays
        ) as working_days_age,
        o.days as overdue_after_days
    from requests as r
    cross join calendar as c
    cross join overdue as o
)

select
    a.request_id,
    a.uscc,
    a.uscc_invalid,
    e.enterprise_name,
    e.district_code,
    e.street_code,
    e.street_name,
    a.category,
    a.detail,
    a.handler as owner,
    a.status,
    a.is_open,
    a.received_on,
    a.closed_on,
    a.working_days_age,
    a.is_open and a.working_days_age > a.overdue_after_days as is_overdue,
    not a.is_open and a.satisfaction is null as needs_follow_up,
    a.satisfaction,
    a.need_area_as_delivered,
    a.need_area_bounds[1] as need_area_low,
    a.need_area_bounds[2] as need_area_high,
    a.rent_budget,
    a.wanted_areas,
    a.delivered_on as last_delivered_on
from aged as a
left join enterprises as e using (uscc)
