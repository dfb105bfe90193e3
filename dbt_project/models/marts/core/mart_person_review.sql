{#
    Grain: one row per person record left as a tie and each of its two best candidates.
    A tie is not a match (int_person_resolved): these records are linked to no one until a
    person decides. Candidates appear by person_key with the fields that agree and those
    that differ, never by ID number.
#}
with

resolved as (
    select * from {{ ref('int_person_resolved') }}
    where match_path = 'tie'
),

candidates as (
    select * from {{ ref('int_person_candidates') }}
    where candidate_rank <= 2
),

compared as (
    select
        resolved.mention_id,
        resolved.source_name,
        resolved.source_file_name,
        resolved.row_number,
        resolved.id_number_problem,
        candidates.candidate_rank,
        candidates.person_key as candidate_person_key,
        round(candidates.posterior_log2_odds::numeric, 3) as posterior_log2_odds,
        array_remove(array[
            'name',
            case when candidates.birth_date_agrees then 'birth_date' end,
            case when candidates.household_agrees then 'household' end,
            case when candidates.id_repair_agrees then 'id_repair' end,
            case when candidates.gender_agrees then 'gender' end,
            case when candidates.district_agrees then 'district' end
        ], null) as fields_agreeing,
        array_remove(array[
            case when candidates.birth_date_agrees = false then 'birth_date' end,
            case when candidates.household_agrees = false then 'household' end,
            case when candidates.gender_agrees = false then 'gender' end,
            case when candidates.district_agrees = false then 'district' end
        ], null) as fields_differing
    from resolved
    inner join candidates
        on candidates.mention_id = resolved.mention_id
),

final as (
    select
        mention_id || ':' || candidate_rank as review_id,
        *
    from compared
)

select * from final
