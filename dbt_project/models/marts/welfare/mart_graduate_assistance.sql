{#
    Grain: one row per eligible graduate as of the run date (docs/domain.md):
    1. in the graduates feed, expected to graduate after as-of minus one year and on or
       before as-of plus one year;
    2. in a household with a 低保 enrolment active on as-of: listed on the roll, or in the
       same registry household as the roll's head;
    3. alive and registered in Shanghai (registry status 正常);
    4. no social-insurance contribution in the 3 calendar months before as-of's month.
    The full ID number is not here: authorised exports read it through the audited
    function ops.graduate_ids(). Street accounts see their own street's rows only.
#}
{{ config(
    grants={'+select': ['cityops_street']},
    post_hook="{{ street_row_security('street_code') }}",
) }}
{% set as_of = var('as_of') %}

with

graduations as (
    select * from {{ ref('fct_graduation') }}
    where person_key <> 'unknown'
        and expected_graduation_on > '{{ as_of }}'::date - interval '1 year'
        and expected_graduation_on <= '{{ as_of }}'::date + interval '1 year'
),

persons as not materialized (
    select * from {{ ref('dim_person') }}
    where is_registered and registry_status = '正常'
),

enrolments as (
    select * from {{ ref('fct_welfare_enrolment') }}
    where is_active_on_as_of
),

case_members as (
    select * from {{ ref('int_welfare_case_members') }}
    where person_key is not null
),

recent_contributions as (
    select distinct person_key
    from {{ ref('fct_employment_month') }}
    where contribution_month >= date_trunc('month', '{{ as_of }}'::date) - interval '3 months'
        and contribution_month < date_trunc('month', '{{ as_of }}'::date)
),

streets as (
    select * from {{ ref('ref_shanghai_streets') }}
),

districts as (
    select * from {{ ref('ref_shanghai_districts') }}
),

welfare_links as (
    select
        case_members.person_key,
        enrolments.case_no,
        'roll_member' as welfare_link_path,
        1 as link_priority
    from case_members
    inner join enrolments
        on enrolments.case_no = case_members.case_no
    union all
    select
        persons.person_key,
        enrolments.case_no,
        'registry_household' as welfare_link_path,
        2 as link_priority
    from persons
    inner join enrolments
        on enrolments.household_no = persons.household_no
),

-- Graduates with a welfare link, before any person is looked up: of a year's graduates
-- only those in an enrolled household can qualify, and each person is one lookup in the
-- 25 M-row dim_person (a random read: the lookups of all graduates cost 8 s at city scale).
linked_graduations as materialized (
    select distinct on (graduations.person_key)
        graduations.person_key,
        graduations.student_no,
        graduations.university,
        graduations.degree,
        graduations.major,
        graduations.expected_graduation_on,
        graduations.match_path as person_match_path,
        graduations.match_confidence as person_match_confidence,
        welfare_links.case_no as welfare_case_no,
        welfare_links.welfare_link_path
    from graduations
    inner join welfare_links
        on welfare_links.person_key = graduations.person_key
    order by graduations.person_key, welfare_links.link_priority, graduations.expected_graduation_on desc
),

-- Rule 4 is applied to the candidates, once they are formed. Planned together, the
-- planner assumes every graduate's key is among the recent contributors' (its containment
-- rule for anti joins), expects one graduate to remain, and re-runs the welfare links for
-- each of them in a nested loop: minutes at a tenth of the city, where this takes a second.
candidates as materialized (
    select linked_graduations.*
    from linked_graduations
    inner join persons
        on persons.person_key = linked_graduations.person_key
),

eligible as (
    select * from candidates
    where not exists (
        select 1 from recent_contributions
        where recent_contributions.person_key = candidates.person_key
    )
),

final as (
    select
        eligible.person_key,
        persons.id_number_masked,
        persons.person_name,
        persons.gender,
        persons.birth_date,
        persons.district_code,
        districts.district_name,
        streets.street_code,
        persons.street_name,
        eligible.student_no,
        eligible.university,
        eligible.degree,
        eligible.major,
        eligible.expected_graduation_on,
        eligible.welfare_case_no,
        eligible.welfare_link_path,
        eligible.person_match_path,
        eligible.person_match_confidence,
        '{{ as_of }}'::date as as_of_date
    from eligible
    inner join persons
        on persons.person_key = eligible.person_key
    left join districts
        on districts.district_code = persons.district_code
    left join streets
        on streets.district_code = persons.district_code
        and streets.street_name = persons.street_name
)

select * from final
