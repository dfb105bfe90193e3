{{
    config(
        grants={'+select': ['cityops_street']},
        pre_hook="set local maintenance_work_mem = '512MB'",
        post_hook=[
            "{{ street_row_security('street_code') }}",
            "create unique index if not exists {{ this.name }}_pair on {{ this }} (uscc, policy_id)",
        ],
    )
}}
-- Each (enterprise, policy in force) pair that fails at most one condition: the matches
-- (failed_condition null) and the near misses (the number of the one that fails). One
-- set-based pass over the enterprises: the catalogue in force is compiled into the query
-- (macro policy_matcher_catalogue, read when the model runs), each policy's conditions
-- into one bit mask of the failing ones with the values as literals; each enterprise's
-- masks, one per policy, are computed as one array and unnested, and a pair whose mask
-- has at most one bit is kept. (The array is about six times faster here than a lateral
-- VALUES list of the same expressions.) A policy limited to a district reaches the
-- enterprises of that district only. The unique index is the pair's uniqueness test. The
-- enterprise's street travels with the pair: street accounts read their own pairs only.
{%- set catalogue = policy_matcher_catalogue(ref('int_policy_condition_slots'), ref('dim_policy_condition')) %}
with

facts as (
    select * from {{ ref('dim_enterprise_policy_facts') }}
),

evaluated as (
    {%- if catalogue %}
    select
        f.uscc,
        f.street_code,
        (array[
            {%- for p in catalogue %}{{ policy_value_literals(p.policy_id).text }}{{ ', ' if not loop.last }}{% endfor -%}
        ])[m.policy_no] as policy_id,
        m.failed_mask
    from facts as f
    cross join lateral unnest(array[
        {%- for p in catalogue %}
        {%- if p.district %}
        case when f.district = {{ policy_value_literals(p.district).text }} then {{ policy_failed_mask(p, 'f') }} end
        {%- else %}
        {{ policy_failed_mask(p, 'f') }}
        {%- endif %}{{ ',' if not loop.last }}
        {%- endfor %}
    ]) with ordinality as m (failed_mask, policy_no)
    {%- else %}
    select f.uscc, f.street_code, null::text as policy_id, null::int as failed_mask
    from facts as f
    where false
    {%- endif %}
)

select
    uscc,
    street_code,
    policy_id,
    case when failed_mask > 0 then round(log(2, failed_mask))::smallint + 1 end as failed_condition
from evaluated
where failed_mask & (failed_mask - 1) = 0
