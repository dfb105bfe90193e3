{#
    Scored candidate links for records whose ID number is invalid or missing
    (Fellegi-Sunter). Candidates must share the exact name AND at least one strong
    field (birth date, registry household, or an ID that a single adjacent-digit swap
    repairs into the candidate's): a name alone never links.
#}
with

mentions as (
    select * from {{ ref('int_person_mentions') }}
    where id_number_problem is not null
),

registry as not materialized (
    select * from {{ ref('int_person_registry') }}
),

parameters as (
    select * from {{ ref('person_match_parameters') }}
),

-- the households are counted from int_households, already grouped: a distinct count
-- here would sort the registry's 25 M household numbers again
registry_size as (
    select
        (select count(*) from registry)::double precision as persons,
        (select count(household_no) from {{ ref('int_households') }})::double precision as households
),

-- Every blocking rule requires the exact name, so only the registry's persons who share a
-- name with one of the mentions can be candidates: one scan of the registry picks them,
-- and the rules, the comparisons and the names' frequencies read those few (hashing the
-- whole registry once per rule cost 1.3 s each at district scale, 2.5 M persons).
named as materialized (
    select
        person_key,
        id_number_normalised,
        person_name,
        birth_date,
        household_no,
        gender,
        district_code
    from registry
    where person_name in (select mentions.person_name from mentions)
),

name_frequency as (
    select person_name, count(*)::double precision / (select persons from registry_size) as u_probability
    from named
    group by person_name
),

birth_date_frequency as (
    select birth_date, count(*)::double precision / (select persons from registry_size) as u_probability
    from registry
    group by birth_date
),

repaired_ids as (
    select
        mentions.mention_id,
        substr(mentions.id_number_normalised, 1, i - 1)
            || substr(mentions.id_number_normalised, i + 1, 1)
            || substr(mentions.id_number_normalised, i, 1)
            || substr(mentions.id_number_normalised, i + 2) as repaired_id
    from mentions
    cross join generate_series(1, 17) as i
    where mentions.id_number_normalised ~ '^[0-9]{17}[0-9X]$'
),

valid_repairs as (
    select distinct mention_id, repaired_id
    from repaired_ids
    where staging.id_number_problem(repaired_id) is null
),

blocked as (
    select mentions.mention_id, named.person_key
    from mentions
    inner join named
        on named.person_name = mentions.person_name
        and named.birth_date = mentions.birth_date
    union
    select mentions.mention_id, named.person_key
    from mentions
    inner join named
        on named.person_name = mentions.person_name
        and named.household_no = mentions.household_hint_no
    union
    select mentions.mention_id, named.person_key
    from mentions
    inner join valid_repairs
        on valid_repairs.mention_id = mentions.mention_id
    inner join named
        on named.id_number_normalised = valid_repairs.repaired_id
        and named.person_name = mentions.person_name
),

compared as (
    select
        blocked.mention_id,
        blocked.person_key,
        name_frequency.u_probability as name_u,
        birth_date_frequency.u_probability as birth_date_u,
        case
            when mentions.birth_date is null then null
            else mentions.birth_date = named.birth_date
        end as birth_date_agrees,
        case
            when mentions.household_hint_no is null then null
            else mentions.household_hint_no = named.household_no
        end as household_agrees,
        exists (
            select 1 from valid_repairs
            where valid_repairs.mention_id = blocked.mention_id
                and valid_repairs.repaired_id = named.id_number_normalised
        ) as id_repair_agrees,
        case
            when mentions.gender is null then null
            else mentions.gender = named.gender
        end as gender_agrees,
        case
            when mentions.district_code is null then null
            else mentions.district_code = named.district_code
        end as district_agrees
    from blocked
    inner join mentions
        on mentions.mention_id = blocked.mention_id
    inner join named
        on named.person_key = blocked.person_key
    left join name_frequency
        on name_frequency.person_name = named.person_name
    left join birth_date_frequency
        on birth_date_frequency.birth_date = named.birth_date
),

weighted as (
    select
        compared.*,
        staging.log2(p_name.m_probability / compared.name_u)
        + case compared.birth_date_agrees
            when true then staging.log2(p_birth.m_probability / coalesce(compared.birth_date_u, 1e-5))
            when false then staging.log2((1 - p_birth.m_probability) / (1 - coalesce(compared.birth_date_u, 1e-5)))
            else 0 end
        + case compared.household_agrees
            when true then staging.log2(p_household.m_probability * (select households from registry_size))
            when false then staging.log2((1 - p_household.m_probability))
            else 0 end
        + case when compared.id_repair_agrees
            then staging.log2(p_repair.m_probability / p_repair.u_probability) else 0 end
        + case compared.gender_agrees
            when true then staging.log2(p_gender.m_probability / p_gender.u_probability)
            when false then staging.log2((1 - p_gender.m_probability) / (1 - p_gender.u_probability))
            else 0 end
        + case compared.district_agrees
            when true then staging.log2(p_district.m_probability / p_district.u_probability)
            when false then staging.log2((1 - p_district.m_probability) / (1 - p_district.u_probability))
            else 0 end
        as match_weight
    from compared
    cross join (select m_probability from parameters where field = 'name') as p_name
    cross join (select m_probability from parameters where field = 'birth_date') as p_birth
    cross join (select m_probability from parameters where field = 'household') as p_household
    cross join (select m_probability, u_probability from parameters where field = 'id_repair') as p_repair
    cross join (select m_probability, u_probability from parameters where field = 'gender') as p_gender
    cross join (select m_probability, u_probability from parameters where field = 'district') as p_district
),

final as (
    select
        weighted.*,
        -- posterior log-odds: the prior odds of a random pair being a match are 1 / persons
        match_weight - staging.log2((select persons from registry_size)) as posterior_log2_odds,
        row_number() over (partition by mention_id order by match_weight desc, person_key) as candidate_rank
    from weighted
)

select * from final
