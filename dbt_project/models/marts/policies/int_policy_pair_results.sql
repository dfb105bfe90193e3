{{ config(post_hook=["create index if not exists {{ this.name }}_uscc on {{ this }} (uscc)"]) }}
-- Each (enterprise, policy in force) pair that fails at most one condition, from one pass
-- over policy_condition_evaluations: the matches (none failed) and the near misses (one).
select
    uscc,
    min(enterprise_name) as enterprise_name,
    min(street_code) as street_code,
    policy_id,
    min(title) as title,
    min(mode) as mode,
    min(issuer) as issuer,
    count(*) as conditions,
    count(*) filter (where not holds) as failed,
    jsonb_agg(
        jsonb_build_object(
            'field', field, 'op', op, 'value', value_text, 'enterprise_value', enterprise_value,
            'holds', holds
        ) order by condition_no
    ) as evaluation,
    min(format('%s %s, needs %s %s', label, enterprise_value,
        case op when '>=' then '≥' when '<=' then '≤' when '!=' then '≠' else op end, value_text))
        filter (where not holds) as failing_condition
from {{ ref('policy_condition_evaluations') }}
group by uscc, policy_id
having count(*) filter (where not holds) <= 1
