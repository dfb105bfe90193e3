{#
    Grain: one row per device and reading time, with what the alert rules look back on:
    the tilt range over the 24 hours up to the reading and the reading before it. Neither
    depends on a threshold, so a changed rule leaves this table valid.

    Incremental: the 24-hour range is the costly part (a moving max and min over every
    reading of a device), so a build computes only the readings from the earliest one of a
    new batch onwards, per device, with the 24 hours and the one reading before them as
    context. A late reading thereby recomputes every later reading of its device, whose
    look-back it may change.
#}
{{ config(
    materialized='incremental',
    unique_key=['device_id', 'read_at'],
    incremental_strategy='delete+insert',
) }}

with

readings as (
    select device_id, read_at, tilt_deg, vibration_mm_s, batch_id
    from {{ ref('fct_billboard_reading') }}
),

{% if is_incremental() %}
changed as (
    select device_id, min(read_at) as changed_from
    from readings
    where batch_id > (select coalesce(max(batch_id), 0) from {{ this }})
    group by device_id
),

context as (
    select
        changed.device_id,
        changed.changed_from,
        least(changed.changed_from - interval '24 hours', max(readings.read_at)) as context_from
    from changed
    left join readings
        on readings.device_id = changed.device_id
        and readings.read_at < changed.changed_from
    group by changed.device_id, changed.changed_from
),

scope as (
    select readings.*, context.changed_from
    from readings
    inner join context
        on context.device_id = readings.device_id
    where readings.read_at >= context.context_from
),
{% else %}
scope as (
    select readings.*, '-infinity'::timestamptz as changed_from
    from readings
),
{% endif %}

windowed as (
    select
        device_id,
        read_at,
        tilt_deg,
        vibration_mm_s,
        batch_id,
        changed_from,
        max(tilt_deg) over last_day as tilt_max_24h,
        min(tilt_deg) over last_day as tilt_min_24h,
        lag(read_at) over by_device as previous_read_at
    from scope
    window
        by_device as (partition by device_id order by read_at),
        last_day as (
            partition by device_id order by read_at
            range between interval '24 hours' preceding and current row
        )
),

final as (
    select
        device_id,
        read_at,
        tilt_deg,
        vibration_mm_s,
        tilt_max_24h,
        tilt_min_24h,
        previous_read_at,
        batch_id
    from windowed
    where read_at >= changed_from
)

select * from final
