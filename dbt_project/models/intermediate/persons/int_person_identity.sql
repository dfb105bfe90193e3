{#
    person_key -> normalised ID number: the only place in the warehouse outside staging that
    holds full ID numbers. Not exposed to BI; read by authorised exports only
    (ops.graduate_ids(), which looks keys up through the unique index).

    Registered persons come from the registry as they are; a valid ID that other
    departments name and the registry lacks is added once. Built as a union all of
    disjoint parts: a `union` would sort or hash all 25 M rows again to drop duplicates
    the anti join already rules out, and only the few unregistered IDs need a new key.
#}
{{ config(indexes=[{'columns': ['person_key'], 'unique': True}]) }}
with

registry as not materialized (
    select * from {{ ref('int_person_registry') }}
),

mentioned as (
    select distinct id_number_normalised
    from {{ ref('int_person_mentions') }}
    where id_number_problem is null
),

unregistered as (
    select
        {{ person_key('mentioned.id_number_normalised') }} as person_key,
        mentioned.id_number_normalised
    from mentioned
    where not exists (
        select 1 from registry
        where registry.id_number_normalised = mentioned.id_number_normalised
    )
),

final as (
    select
        person_key,
        id_number_normalised,
        true as is_registered
    from registry
    union all
    select
        person_key,
        id_number_normalised,
        false as is_registered
    from unregistered
)

select * from final
