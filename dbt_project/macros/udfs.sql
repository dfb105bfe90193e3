{#
    SQL functions the models share, created at the start of every run (idempotent).

    ID numbers (GB 11643-1999): staging.id_number_normalise() trims, maps full-width digits
    and X to ASCII, upper-cases x and upgrades a legacy 15-digit number to 18 digits;
    staging.id_number_problem() says why a normalised number is not valid (null when valid).
#}
{% macro create_udfs() %}

-- Parallel dbt invocations (one per Airflow task) run this hook at once: replacing the
-- same function concurrently fails with "tuple concurrently updated", so take turns.
select pg_advisory_xact_lock(hashtext('cityops.create_udfs'));

create or replace function staging.id_number_check_char(first17 text) returns text
language sql immutable strict parallel safe as $$
    select substr('10X98765432', (
        select sum(substr(first17, i, 1)::int * (array[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])[i])
        from generate_series(1, 17) as i
    )::int % 11 + 1, 1)
$$;

create or replace function staging.id_number_normalise(raw text) returns text
language sql immutable parallel safe as $$
    with cleaned as (
        select nullif(
            upper(translate(regexp_replace(coalesce(raw, ''), '[[:space:]　]', '', 'g'),
                            '０１２３４５６７８９Ｘｘ', '0123456789XX')),
            '') as id
    )
    select case
        when id ~ '^[0-9]{15}$'
            then substr(id, 1, 6) || '19' || substr(id, 7) || staging.id_number_check_char(substr(id, 1, 6) || '19' || substr(id, 7))
        else id
    end
    from cleaned
$$;

create or replace function staging.address_normalise(raw text) returns text
language sql immutable parallel safe as $$
    select nullif(
        replace(
            regexp_replace(
                translate(regexp_replace(coalesce(raw, ''), '[[:space:]　]', '', 'g'),
                          '０１２３４５６７８９（）', '0123456789()'),
                '^(上海市|上海)', ''),
            '弄', '号'),
        '')
$$;

create or replace function staging.log2(x double precision) returns double precision
language sql immutable strict parallel safe as $$
    select ln(x) / ln(2)
$$;

create or replace function staging.safe_numeric(raw text) returns numeric
language sql immutable parallel safe as $$
    select case when btrim(raw) ~ '^-?[0-9]+(\.[0-9]+)?$' and btrim(raw)::numeric <> -9999 then btrim(raw)::numeric end
$$;

-- Dates and times are validated without exception blocks: an exception block starts a
-- subtransaction, which PostgreSQL refuses inside any parallel query ("cannot start
-- subtransactions during a parallel operation"), and costs a subtransaction per row.
create or replace function staging.safe_ymd(y integer, m integer, d integer) returns date
language sql immutable strict parallel safe as $$
    select case when y between 1 and 9999 and m between 1 and 12 then
        case when d between 1 and extract(day from make_date(y, m, 1) + interval '1 month' - interval '1 day')::integer
            then make_date(y, m, d)
        end
    end
$$;

-- YYYY-MM-DD (anything after the day is ignored), YYYY/M/D or YYYYMMDD; null if not a real date.
create or replace function staging.safe_date(raw text) returns date
language sql immutable parallel safe as $$
    select case
        when raw ~ '^\d{4}-\d{1,2}-\d{1,2}' then
            (select staging.safe_ymd(p[1]::integer, p[2]::integer, p[3]::integer)
             from regexp_match(raw, '^(\d{4})-(\d{1,2})-(\d{1,2})') as p)
        when raw ~ '^\d{4}/\d{1,2}/\d{1,2}$' then
            (select staging.safe_ymd(p[1]::integer, p[2]::integer, p[3]::integer)
             from regexp_match(raw, '^(\d{4})/(\d{1,2})/(\d{1,2})$') as p)
        when raw ~ '^\d{8}$' then
            staging.safe_ymd(substr(raw, 1, 4)::integer, substr(raw, 5, 2)::integer, substr(raw, 7, 2)::integer)
    end
$$;

-- ISO-like date and time (a date alone is midnight), with an offset (+08:00, Z) or local to
-- Shanghai; null otherwise.
create or replace function staging.safe_timestamp(raw text) returns timestamptz
language sql stable parallel safe as $$
    select case
        when p is null or staging.safe_ymd(p[1]::integer, p[2]::integer, p[3]::integer) is null then null
        when coalesce(p[4]::integer, 0) > 23 or coalesce(p[5]::integer, 0) > 59
            or coalesce(p[6]::numeric, 0) >= 60 then null
        when p[7] is not null and p[4] is null then null
        when p[7] is not null then btrim(raw)::timestamptz
        else make_timestamp(
            p[1]::integer, p[2]::integer, p[3]::integer,
            coalesce(p[4]::integer, 0), coalesce(p[5]::integer, 0), coalesce(p[6]::double precision, 0)
        ) at time zone 'Asia/Shanghai'
    end
    from regexp_match(
        btrim(raw),
        '^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$'
    ) as p
$$;
create or replace function staging.id_number_problem(normalised text) returns text
language sql immutable parallel safe as $$
    select case
        when normalised is null then 'missing'
        when normalised !~ '^[0-9]{17}[0-9X]$' then 'bad_format'
        when staging.safe_date(substr(normalised, 7, 8)) is null
            or to_char(staging.safe_date(substr(normalised, 7, 8)), 'YYYYMMDD') <> substr(normalised, 7, 8)
            then 'bad_birth_date'
        when staging.id_number_check_char(substr(normalised, 1, 17)) <> substr(normalised, 18, 1)
            then 'bad_check_character'
    end
$$;
{% endmacro %}
