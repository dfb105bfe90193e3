{{ config(grants={'+select': ['cityops_street']}, post_hook="{{ street_row_security('street_code') }}") }}
-- Office matching: the best candidate units (matches_per_request of them) for every open
-- 办公用房 request, each criterion with its reason; marts.office_candidates() decides.
{% set as_of = var('as_of') %}
with

requests as (
    select *
    from {{ ref('mart_enterprise_requests') }}
    where category = '办公用房' and is_open
),

top as (
    select value::int as n from {{ ref('enterprise_parameters') }} where parameter = 'matches_per_request'
)

select
    r.request_id,
    r.uscc,
    r.enterprise_name,
    r.street_code,
    r.street_name as request_street_name,
    r.need_area_as_delivered,
    r.rent_budget,
    r.wanted_areas,
    c.*
from requests as r
cross join top as t
cross join lateral {{ ref('dim_office_unit').schema }}.office_candidates(
    r.need_area_low, r.need_area_high, r.rent_budget, r.wanted_areas, date '{{ as_of }}', t.n
) as c
-- depends_on: {{ ref('dim_office_unit') }}
