{{ config(grants={'+select': ['cityops_street']}, post_hook="{{ street_row_security('street_code') }}") }}
-- Each enterprise's facts on the run date as policy conditions read them (SOURCES.md 18):
-- from the enterprise file, unrounded.
{% set as_of = var('as_of') %}
select
    f.uscc,
    f.enterprise_name,
    f.street_code,
    f.industry_code,
    f.district_name as district,
    f.street_name as street,
    f.registered_capital_wan,
    extract(year from age(date '{{ as_of }}', f.established_on))::int as years_since_established,
    f.headcount_latest as employees,
    case when f.headcount_12m_start > 0
        then (f.headcount_latest - f.headcount_12m_start)::numeric / f.headcount_12m_start
    end as headcount_growth_12m,
    f.qualifications,
    f.status,
    not ('abnormal_list' = any(f.alerts)) as not_on_abnormal_list,
    f.building_code is not null as in_building
from {{ ref('mart_enterprise_file') }} as f
