{#
    person_key -> normalised ID number: the only place in the warehouse outside staging that
    holds full ID numbers. Not exposed to BI; read by authorised exports only.
#}
with

registry as (
    select person_key, id_number_normalised from {{ ref('int_person_registry') }}
),

mentioned as (
    select distinct
        {{ person_key('id_number_normalised') }} as person_key,
        id_number_normalised
    from {{ ref('int_person_mentions') }}
    where id_number_problem is null
),

final as (
    select person_key, id_number_normalised from registry
    union
    select person_key, id_number_normalised from mentioned
)

select * from final
