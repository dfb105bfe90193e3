-- 政策通 catalogue: every accepted version of every policy, and whether it is the one in
-- force on the run date (policies_in_force: the latest published whose valid_from has
-- come, unless it has expired).
{% set as_of = var('as_of') %}
with

versions as (
    select * from {{ ref('stg_policies__policies') }}
),

in_force as (
    {{ policies_in_force('versions', "date '" ~ as_of ~ "'") }}
)

select
    v.policy_id,
    v.published_on,
    v.title,
    v.issuer,
    v.level,
    v.district_name,
    v.valid_from,
    v.valid_until,
    v.mode,
    v.benefit ->> 'kind' as benefit_kind,
    (v.benefit ->> 'amount_wan')::numeric as benefit_amount_wan,
    v.benefit ->> 'rule' as benefit_rule,
    v.conditions,
    jsonb_array_length(v.conditions) as condition_count,
    v.text_url,
    f.policy_id is not null as is_in_force
from versions as v
left join in_force as f using (policy_id, published_on)
