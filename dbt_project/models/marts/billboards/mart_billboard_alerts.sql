{#
    Grain: one row per device and alert rule raised in the readings delivered up to the
    run, the run date included: a reading's alert appears in the run that ingests it.
    Rules and thresholds come from the billboard_alert_rules seed. A device is silent
    when the gap between consecutive readings, or between the start of the readings
    window (the earliest reading of any device) and its first reading, or between its
    last reading and the last reading delivered by any device, reaches the window: the
    time of the newest delivered data, not the clock, says how long a device has been
    quiet. The 24-hour tilt range and the previous reading come with each reading from
    int_billboard_reading_windows (incremental: only new readings are windowed).
#}
{% set as_of = var('as_of') %}

with

readings as (
    select * from {{ ref('int_billboard_reading_windows') }}
    where read_at < (('{{ as_of }}'::date + 1)::timestamp at time zone 'Asia/Shanghai')
),

billboards as (
    select * from {{ ref('dim_billboard') }}
),

rules as (
    select * from {{ ref('billboard_alert_rules') }}
),

window_bounds as (
    select min(read_at) as starts_at, max(read_at) as ends_at
    from readings
),

sequenced as (
    select
        readings.*,
        row_number() over (partition by device_id order by read_at)
            - row_number() over (partition by device_id, vibration_mm_s > (select threshold from rules where rule = 'vibration_sustained') order by read_at)
            as vibration_island
    from readings
),

tilt_over as (
    select device_id, 'tilt_over_limit' as rule, min(read_at) as first_at, max(tilt_deg) as observed_value
    from sequenced
    where tilt_deg > (select threshold from rules where rule = 'tilt_over_limit')
    group by device_id
),

tilt_change as (
    select device_id, 'tilt_change_24h' as rule, min(read_at) as first_at, max(tilt_max_24h - tilt_min_24h) as observed_value
    from sequenced
    where tilt_max_24h - tilt_min_24h > (select threshold from rules where rule = 'tilt_change_24h')
    group by device_id
),

vibration_runs as (
    select
        device_id,
        vibration_island,
        read_at,
        vibration_mm_s,
        row_number() over (partition by device_id, vibration_island order by read_at) as position_in_run
    from sequenced
    where vibration_mm_s > (select threshold from rules where rule = 'vibration_sustained')
),

vibration as (
    select device_id, 'vibration_sustained' as rule, min(read_at) as first_at, max(vibration_mm_s) as observed_value
    from vibration_runs
    where position_in_run >= (select consecutive_readings from rules where rule = 'vibration_sustained')
    group by device_id
),

gaps as (
    select device_id, coalesce(previous_read_at, (select starts_at from window_bounds)) as gap_from, read_at as gap_to
    from sequenced
    union all
    select device_id, max(read_at), (select ends_at from window_bounds)
    from readings
    group by device_id
),

silent as (
    select
        device_id,
        'device_silent' as rule,
        min(gap_from) as first_at,
        round((max(extract(epoch from gap_to - gap_from)) / 3600)::numeric, 2) as observed_value
    from gaps
    where gap_to - gap_from >= make_interval(hours => (select window_hours from rules where rule = 'device_silent')::int)
    group by device_id
),

alerts as (
    select * from tilt_over
    union all
    select * from tilt_change
    union all
    select * from vibration
    union all
    select * from silent
),

final as (
    select
        alerts.device_id || ':' || alerts.rule as alert_id,
        billboards.billboard_id,
        alerts.device_id,
        alerts.rule,
        rules.description as rule_description,
        alerts.first_at,
        alerts.observed_value,
        rules.threshold,
        billboards.address,
        billboards.district_name,
        billboards.street_name,
        '{{ as_of }}'::date as as_of_date
    from alerts
    inner join rules
        on rules.rule = alerts.rule
    left join billboards
        on billboards.device_id = alerts.device_id
)

select * from final
