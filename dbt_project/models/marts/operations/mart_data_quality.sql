{#
    Grain: one row per source, entity and delivery day: how that day's files fared at the
    gate. Files loaded, refused (and why) or skipped as duplicates; rows in the files,
    loaded and rejected, and the rejected rows by rule; and, on each source's newest
    delivery day, whether the source is overdue against its expected cadence as of the run
    date. Reconciles per file: rows_in_files = rows_loaded + rows_rejected over loaded files.
#}
{% set as_of = var('as_of') %}

with

batches as (
    select * from {{ ref('stg_ops__load_batches') }}
),

rejected as (
    select * from {{ ref('stg_ops__rejected_rows') }}
),

cadence as (
    select * from {{ ref('ref_source_cadence') }}
),

rules as (
    select
        batches.source_name,
        batches.entity_name,
        batches.delivered_on,
        rejected.rule,
        count(*) as rows_rejected
    from rejected
    inner join batches
        on batches.batch_id = rejected.batch_id
        and batches.load_status = 'loaded'
    group by 1, 2, 3, 4
),

rules_by_day as (
    select
        source_name,
        entity_name,
        delivered_on,
        jsonb_object_agg(rule, rows_rejected order by rule) as rejected_by_rule
    from rules
    group by source_name, entity_name, delivered_on
),

days as (
    select
        source_name,
        entity_name,
        delivered_on,
        count(*) filter (where load_status = 'loaded') as files_loaded,
        count(*) filter (where load_status = 'refused') as files_refused,
        count(*) filter (where load_status = 'duplicate') as files_duplicate,
        coalesce(sum(rows_in_file) filter (where load_status = 'loaded'), 0) as rows_in_files,
        coalesce(sum(rows_loaded) filter (where load_status = 'loaded'), 0) as rows_loaded,
        coalesce(sum(rows_rejected) filter (where load_status = 'loaded'), 0) as rows_rejected,
        array_remove(array_agg(distinct
            case when load_status = 'refused' then file_name || ': ' || left(refusal_reason, 300) end
        ), null) as refusals
    from batches
    group by source_name, entity_name, delivered_on
),

newest as (
    select source_name, entity_name, max(delivered_on) as last_delivered_on
    from batches
    where load_status = 'loaded'
    group by source_name, entity_name
),

final as (
    select
        days.source_name || ':' || days.entity_name || ':' || days.delivered_on as quality_id,
        days.source_name,
        days.entity_name,
        days.delivered_on,
        days.files_loaded,
        days.files_refused,
        days.files_duplicate,
        days.rows_in_files,
        days.rows_loaded,
        days.rows_rejected,
        coalesce(rules_by_day.rejected_by_rule, '{}'::jsonb) as rejected_by_rule,
        days.refusals,
        days.delivered_on = newest.last_delivered_on as is_newest_delivery,
        cadence.expected_every_days,
        case when days.delivered_on = newest.last_delivered_on
            then '{{ as_of }}'::date - newest.last_delivered_on end as days_since_delivery,
        case when days.delivered_on = newest.last_delivered_on
            then '{{ as_of }}'::date - newest.last_delivered_on > cadence.expected_every_days end as is_overdue,
        '{{ as_of }}'::date as as_of_date
    from days
    left join rules_by_day
        using (source_name, entity_name, delivered_on)
    left join newest
        using (source_name, entity_name)
    left join cadence
        using (source_name)
)

select * from final
