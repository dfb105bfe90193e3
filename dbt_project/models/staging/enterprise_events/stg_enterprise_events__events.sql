-- One row per event id: the feed re-sends events, and latest() keeps one delivery of each.
with

source as (
    {{ latest('enterprise_events', 'enterprise_events__events') }}
),

renamed as (
    select
        btrim(event_id) as event_id,
        staging.uscc_normalised(uscc) as uscc,
        staging.safe_timestamp(occurred_at) as occurred_at,
        btrim(type) as event_type,
        nullif(btrim(old), '') as old_value,
        nullif(btrim(new), '') as new_value,
        _delivered_on as delivered_on,
        _batch_id as batch_id
    from source
)

select * from renamed
