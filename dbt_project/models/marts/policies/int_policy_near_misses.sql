{{ config(grants={'+select': ['cityops_street']}, post_hook="{{ street_row_security('street_code') }}") }}
-- The near misses of each enterprise: the policies in force of two or more conditions of
-- which it fails exactly one, and that one's number (policy_ids[i] fails
-- failed_conditions[i]); one row per enterprise that has any. From the matcher's one pass
-- (macro policy_results, which mart_policy_matches runs too, for the pairs that fail none):
-- the catalogue in force is compiled into the query when the model runs (macro
-- policy_matcher_catalogue), each policy's conditions one expression giving the bit mask of
-- the failing ones, with the values as literals; a mask of exactly one bit is kept. One
-- row per enterprise, not per pair: the pairs are millions, and the view
-- mart_policy_near_misses unnests them when read. The enterprise's street travels with
-- them: street accounts read their own only.
{%- set catalogue = policy_matcher_catalogue(ref('int_policy_condition_slots'), ref('dim_policy_condition')) %}
with

facts as (
    select * from {{ ref('dim_enterprise_policy_facts') }}
)

select
    f.uscc,
    f.street_code,
    n.policy_ids,
    n.failed_conditions
from facts as f
cross join lateral (
    select
        array_agg(m.policy_id) as policy_ids,
        array_agg({{ policy_failed_condition('m.mask') }}) as failed_conditions
    from unnest({{ policy_results(catalogue, 'f') }}, {{ policy_ids(catalogue) }}) as m (mask, policy_id)
    where m.mask > 0 and m.mask & (m.mask - 1) = 0
) as n
where n.policy_ids is not null
