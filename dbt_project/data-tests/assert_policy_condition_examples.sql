-- Every example case of seed policy_condition_examples gives its stated answer through
-- staging.policy_condition_holds(), the function the matcher uses.
select e.*
from {{ ref('policy_condition_examples') }} as e
cross join lateral (select e.value::jsonb as v) as parsed
where staging.policy_condition_holds(
    e.kind, e.op,
    {{ policy_value_texts('parsed.v') }},
    {{ policy_value_number('parsed.v') }},
    {{ policy_value_bool('parsed.v') }},
    e.fact_text, e.fact_number, e.fact_bool,
    string_to_array(nullif(e.fact_list, ''), ';')
) is distinct from e.expected
