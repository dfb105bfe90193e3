{{ config(post_hook=["create index if not exists {{ this.name }}_uscc on {{ this }} (uscc)"]) }}
-- Each (enterprise, policy in force) pair that fails at most one condition: the matches
-- (failed_condition null) and the near misses (the number of the one that fails). One
-- set-based pass: each policy meets the enterprises it can reach (a policy limited to a
-- district, those of that district), and all its conditions are tested side by side on
-- each pair into a bit mask of the failing ones; a mask of at most one bit is kept.
{% set slots = range(1, policy_rules().max_conditions + 1) %}
{% set failed_mask -%}
    {%- for i in slots %}
        + case when p.field_{{ i }} is not null
            and not {{ policy_condition_holds('p.field_' ~ i, 'p.op_' ~ i, 'p.texts_' ~ i, 'p.num_' ~ i, 'p.flag_' ~ i, 'f') }}
            then {{ 2 ** (i - 1) }} else 0 end
    {%- endfor %}
{%- endset %}
with

policies as (
    select * from {{ ref('int_policy_condition_slots') }}
),

facts as (
    select * from {{ ref('dim_enterprise_policy_facts') }}
),

evaluated as (
    select f.uscc, p.policy_id, 0 {{ failed_mask }} as failed_mask
    from policies as p
    cross join facts as f
    where p.district is null
    union all
    select f.uscc, p.policy_id, 0 {{ failed_mask }} as failed_mask
    from policies as p
    inner join facts as f on f.district = p.district
    offset 0  -- each pair's mask is computed once, then filtered
)

select
    uscc,
    policy_id,
    case when failed_mask > 0 then round(log(2, failed_mask))::smallint + 1 end as failed_condition
from evaluated
where failed_mask & (failed_mask - 1) = 0
