{{ config(grants={'+select': ['cityops_street']}, post_hook="{{ street_row_security('street_code') }}") }}
-- Each enterprise's facts on the run date as policy conditions read them (SOURCES.md 18),
-- unrounded: the register, the insured headcount and its trend, the abnormal list and
-- the building - the same sources as the enterprise file, which lists the matches.
{% set as_of = var('as_of') %}
with

enterprises as (
    select * from {{ ref('dim_enterprise') }}
),

headcount as (
    select * from {{ ref('int_enterprise_headcount_trend') }}
),

abnormal as (
    select distinct uscc from {{ ref('mart_enterprise_alerts') }} where rule = 'abnormal_list'
)

select
    e.uscc,
    e.enterprise_name,
    e.street_code,
    e.industry_code,
    e.district_name as district,
    e.street_name as street,
    e.registered_capital_wan,
    extract(year from age(date '{{ as_of }}', e.established_on))::int as years_since_established,
    coalesce(h.headcount_latest, 0) as employees,
    case when h.headcount_12m_start > 0
        then (h.headcount_latest - h.headcount_12m_start)::numeric / h.headcount_12m_start
    end as headcount_growth_12m,
    e.qualifications,
    e.status,
    a.uscc is null as not_on_abnormal_list,
    e.building_code is not null as in_building
from enterprises as e
left join headcount as h using (uscc)
left join abnormal as a using (uscc)
