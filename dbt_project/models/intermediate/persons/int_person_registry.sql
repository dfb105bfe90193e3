{# Registered persons keyed by person_key; the anchor every other person record resolves to. #}
{{ config(indexes=[{'columns': ['person_key'], 'unique': True}]) }}
with

persons as not materialized (
    select * from {{ ref('stg_population__persons') }}
),

keyed as (
    select
        {{ person_key('id_number_normalised') }} as person_key,
        id_number_normalised,
        person_name,
        gender,
        birth_date,
        household_no,
        relation_to_head,
        district_code,
        street_name,
        registry_status,
        updated_at,
        row_number() over (partition by id_number_normalised order by updated_at desc nulls last, row_number) as duplicate_rank
    from persons
    where id_number_problem is null
),

final as (
    select
        person_key,
        id_number_normalised,
        person_name,
        gender,
        birth_date,
        household_no,
        relation_to_head,
        district_code,
        street_name,
        registry_status,
        updated_at
    from keyed
    where duplicate_rank = 1
)

select * from final
