{#
    One row per person record outside the registry: which person it is, how we know
    (match_path) and how sure we are (confidence).

    - id_registry: the normalised ID is valid and registered (deterministic);
    - id_unregistered: valid ID, not in Shanghai's registry (e.g. a graduate from elsewhere);
    - probabilistic: invalid or missing ID, linked by int_person_candidates when the best
      candidate's posterior log-odds clear the threshold and beat the runner-up by a margin;
    - tie: two or more candidates score alike: the runner-up is within the margin, or it
      agrees on every field (name, birth date, household, ID repair, gender) that the best
      one agrees on, so that only the district would tell them apart (a district is shared
      by hundreds of thousands, and a graduate's is where the student came from). A tie is
      not a match: no person is linked and the record goes to marts.mart_person_review;
    - unmatched: kept, counted, never guessed.
    The evidence is the record's own: nothing from the list a link would decide (a welfare
    roll for the graduate list) takes part in choosing between candidates.
#}
{% set threshold_bits = var('person_match_threshold_bits', 10) %}
{% set margin_bits = var('person_match_margin_bits', 5) %}

with

mentions as (
    select * from {{ ref('int_person_mentions') }}
),

registry as not materialized (
    select * from {{ ref('int_person_registry') }}
),

candidates as (
    select * from {{ ref('int_person_candidates') }}
),

best as (
    select
        first.mention_id,
        first.person_key,
        first.posterior_log2_odds,
        first.posterior_log2_odds - coalesce(second.posterior_log2_odds, -1000) as margin_bits,
        second.mention_id is not null and coalesce(
            first.posterior_log2_odds - second.posterior_log2_odds < {{ margin_bits }}
            or (
                (first.birth_date_agrees is not true or second.birth_date_agrees is true)
                and (first.household_agrees is not true or second.household_agrees is true)
                and (first.id_repair_agrees is not true or second.id_repair_agrees is true)
                and (first.gender_agrees is not true or second.gender_agrees is true)
            ),
            false
        ) as is_tie
    from candidates as first
    left join candidates as second
        on second.mention_id = first.mention_id
        and second.candidate_rank = 2
    where first.candidate_rank = 1
),

resolved as (
    select
        mentions.mention_id,
        mentions.source_name,
        mentions.source_file_name,
        mentions.row_number,
        case
            when mentions.id_number_problem is null then {{ person_key('mentions.id_number_normalised') }}
            when best.posterior_log2_odds >= {{ threshold_bits }} and not best.is_tie
                then best.person_key
        end as person_key,
        case
            when mentions.id_number_problem is null and registry.person_key is not null then 'id_registry'
            when mentions.id_number_problem is null then 'id_unregistered'
            when best.posterior_log2_odds >= {{ threshold_bits }} and not best.is_tie
                then 'probabilistic'
            when best.is_tie then 'tie'
            else 'unmatched'
        end as match_path,
        mentions.id_number_problem,
        best.posterior_log2_odds,
        best.margin_bits
    from mentions
    left join registry
        on registry.id_number_normalised = mentions.id_number_normalised
        and mentions.id_number_problem is null
    left join best
        on best.mention_id = mentions.mention_id
),

final as (
    select
        mention_id,
        source_name,
        source_file_name,
        row_number,
        person_key,
        match_path,
        id_number_problem,
        case
            when match_path in ('id_registry', 'id_unregistered') then 1.0
            when match_path = 'probabilistic' then round((1 / (1 + power(2, -posterior_log2_odds)))::numeric, 6)
            else 0.0
        end as confidence,
        round(posterior_log2_odds::numeric, 3) as posterior_log2_odds
    from resolved
)

select * from final
