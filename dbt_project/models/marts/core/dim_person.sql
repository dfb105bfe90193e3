{#
    Persons: everyone in the registry plus persons known only by a valid ID from other
    departments (e.g. graduates registered elsewhere). Keyed by person_key; the ID number
    appears masked only. Includes an explicit unknown member.
#}
{#
    Indexed on its key and household: the marts that look persons up (the graduate list,
    the welfare facts) and the relationships tests touch thousands of the 25 M persons, and
    with the indexes a rebuild of those marts reads only the persons it needs. BI tools
    looking up one person or household use them too.
#}
{{ config(indexes=[
    {'columns': ['person_key'], 'unique': True},
    {'columns': ['household_no']},
]) }}
with

registry as not materialized (
    select * from {{ ref('int_person_registry') }}
),

identity as not materialized (
    select * from {{ ref('int_person_identity') }}
),

graduates as (
    select * from {{ ref('stg_education__graduates') }}
),

registered as (
    select
        person_key,
        {{ mask_id_number('id_number_normalised') }} as id_number_masked,
        person_name,
        gender,
        birth_date,
        household_no,
        relation_to_head,
        district_code,
        street_name,
        registry_status,
        true as is_registered
    from registry
),

unregistered as (
    select distinct on (identity.person_key)
        identity.person_key,
        {{ mask_id_number('identity.id_number_normalised') }} as id_number_masked,
        graduates.person_name,
        graduates.gender,
        graduates.birth_date,
        null::text as household_no,
        null::text as relation_to_head,
        null::text as district_code,
        null::text as street_name,
        null::text as registry_status,
        false as is_registered
    from identity
    left join graduates
        on graduates.id_number_normalised = identity.id_number_normalised
    where not identity.is_registered
    order by identity.person_key, graduates.delivered_on desc nulls last
),

unknown as (
    select
        'unknown' as person_key, null, '(unknown)', null, null::date, null, null, null, null, null, false
),

final as (
    select * from registered
    union all
    select * from unregistered
    union all
    select * from unknown
)

select * from final
