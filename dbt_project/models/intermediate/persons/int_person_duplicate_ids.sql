{#
    Valid ID numbers that the registry's snapshot carries more than once (say a legacy
    15-digit record beside its 18-digit one). A table of its own, analysed like every model,
    so that int_person_registry's plan knows how few they are: it hashes these IDs and
    streams the registry's records past them. Found inside the registry's query, their
    number was estimated at a third of all IDs and PostgreSQL hashed every record instead
    (25 M rows with all their columns at city scale; at district scale 10 s against 13.5 s).

    Counting 25 M IDs in a hash table takes about 3.4 GB; with the server's 64 MB of
    work_mem (128 MB for hashing) it spilled to disk in many passes and ran for about two
    minutes at city scale, alone on the build's critical path. This model alone may use 2 GB
    (4 GB for hashing): the registry's count fits in memory.
#}
{{ config(pre_hook="set local work_mem = '2GB'") }}
with

persons as (
    select id_number_normalised
    from {{ ref('stg_population__persons') }}
    where id_number_problem is null
        and withdrawn_batch_id is null
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
