{{ config(grants={'+select': ['cityops_street']}, post_hook="{{ street_row_security('street_code') }}") }}
-- The (enterprise, policy in force) pairs that fail exactly one condition, and its number:
-- the near misses, from the matcher's one pass (macro policy_masks, which
-- mart_policy_matches runs too, for the pairs that fail none). The catalogue in force is
-- compiled into the query when the model runs (macro policy_matcher_catalogue): each
-- policy's conditions become one expression giving the bit mask of the failing ones, with
-- the values as literals; a mask of exactly one bit is kept. A pair is unique by
-- construction: each enterprise (unique in the facts) gets one mask per policy (unique in
-- the slots). The enterprise's street travels with the pair: street accounts read their
-- own pairs only.
{%- set catalogue = policy_matcher_catalogue(ref('int_policy_condition_slots'), ref('dim_policy_condition')) %}
with

facts as (
    select * from {{ ref('dim_enterprise_policy_facts') }}
),

evaluated as (
    {{- policy_masks(catalogue, 'facts') }}
)

select
    uscc,
    street_code,
    policy_id,
    round(log(2, result))::smallint + 1 as failed_condition
from evaluated
where result > 0 and result & (result - 1) = 0
