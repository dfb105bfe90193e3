{# Registered persons keyed by person_key; the anchor every other person record resolves to. #}
{{ config(indexes=[{'columns': ['person_key'], 'unique': True}]) }}
with

persons as not materialized (
    select * from {{ ref('stg_population__persons') }}
    where id_number_problem is null
),

-- An ID registered twice (a legacy 15-digit record beside its 18-digit one) keeps its
-- latest record. Such IDs are rare: only their records are sorted, not all 25 M rows with
-- every column.
duplicated as not materialized (
    select id_number_normalised from {{ ref('int_person_duplicate_ids') }}
),

latest as (
    select *
    from persons
    where not exists (
        select 1 from duplicated
        where duplicated.id_number_normalised = persons.id_number_normalised
    )
    union all
    (
        select distinct on (persons.id_number_normalised) persons.*
        from persons
        inner join duplicated
            on duplicated.id_number_normalised = persons.id_number_normalised
        order by
            persons.id_number_normalised,
            staging.safe_timestamp(persons.updated_at_text) desc nulls last,
            persons.row_number
    )
),

final as (
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
        registry_status
    from latest
)

select * from final
