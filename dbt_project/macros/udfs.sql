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

-- Exception blocks need subtransactions, which parallel workers cannot start: parallel restricted.
create or replace function staging.safe_date(raw text) returns date
language plpgsql immutable parallel restricted as $$
begin
    if raw ~ '^\d{4}-\d{1,2}-\d{1,2}' then return to_date(substr(raw, 1, 10), 'YYYY-MM-DD');
    elsif raw ~ '^\d{4}/\d{1,2}/\d{1,2}$' then return to_date(raw, 'YYYY/MM/DD');
    elsif raw ~ '^\d{8}$' then return to_date(raw, 'YYYYMMDD');
    end if;
    return null;
exception when others then
    return null;
end
$$;

create or replace function staging.safe_timestamp(raw text) returns timestamptz
language plpgsql stable parallel restricted as $$
begin
    if raw is null or btrim(raw) = '' then return null; end if;
    if raw ~ '([+-]\d{2}:\d{2}|Z)$' then return raw::timestamptz; end if;
    return (raw::timestamp) at time zone 'Asia/Shanghai';
exception when others then
    return null;
end
$$;
create or replace function staging.id_number_problem(normalised text) returns text
language sql immutable parallel restricted as $$
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
