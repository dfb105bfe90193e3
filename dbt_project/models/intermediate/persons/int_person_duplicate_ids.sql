{#
    Valid ID numbers that the registry's snapshot carries more than once (say a legacy
    15-digit record beside its 18-digit one). A table of its own, analysed like every model,
    so that int_person_registry's plan knows how few they are: it hashes these IDs and
    streams the registry's records past them. Found inside the registry's query, their
    number was estimated at a third of all IDs and PostgreSQL hashed every record instead
    (25 M rows with all their columns at city scale; at district scale 10 s against 13.5 s).
#}
with

persons as (
    select id_number_normalised
    from {{ ref('stg_population__persons') }}
    where id_number_problem is null
),

final as (
    select
        id_number_normalised,
        count(*) as records
    from persons
    group by id_number_normalised
    having count(*) > 1
)

select * from final
