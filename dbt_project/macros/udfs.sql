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

-- These run on every ID of every source (25 M registry rows at city scale): plain string
-- functions, no regular expressions and no per-call subqueries. The three below are SQL
-- functions made only of immutable built-ins, so PostgreSQL inlines them into the query
-- (no function call per row); an ID that is already clean, the usual case, costs one
-- length and one ASCII translate.
create or replace function staging.id_number_check_char(first17 text) returns text
language sql immutable parallel safe as $$
    select substr('10X98765432', (
          substr(first17, 1, 1)::integer * 7 + substr(first17, 2, 1)::integer * 9
        + substr(first17, 3, 1)::integer * 10 + substr(first17, 4, 1)::integer * 5
        + substr(first17, 5, 1)::integer * 8 + substr(first17, 6, 1)::integer * 4
        + substr(first17, 7, 1)::integer * 2 + substr(first17, 8, 1)::integer * 1
        + substr(first17, 9, 1)::integer * 6 + substr(first17, 10, 1)::integer * 3
        + substr(first17, 11, 1)::integer * 7 + substr(first17, 12, 1)::integer * 9
        + substr(first17, 13, 1)::integer * 10 + substr(first17, 14, 1)::integer * 5
        + substr(first17, 15, 1)::integer * 8 + substr(first17, 16, 1)::integer * 4
        + substr(first17, 17, 1)::integer * 2) % 11 + 1, 1)
$$;

-- An ID already trimmed and mapped to ASCII: '' is missing, a legacy 15-digit number gains
-- the century and its check character.
create or replace function staging.id_number_upgrade(id text) returns text
language sql immutable parallel safe as $$
    select case
        when id = '' then null
        when length(id) = 15 and translate(id, '0123456789', '') = '' then
            substr(id, 1, 6) || '19' || substr(id, 7)
            || staging.id_number_check_char(substr(id, 1, 6) || '19' || substr(id, 7))
        else id
    end
$$;

create or replace function staging.id_number_normalise(raw text) returns text
language sql immutable parallel safe as $$
    select case
        when octet_length(raw) = 18 and translate(raw, '0123456789X', '') = '' then raw
        -- full-width digits and X to ASCII; whitespace (listed after them) is deleted
        else staging.id_number_upgrade(
            upper(translate(raw, E'０１２３４５６７８９Ｘｘ \t\n\r\f　' || chr(11), '0123456789XX'))
        )
    end
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
-- subtransactions during a parallel operation"). They run on every row of the registry
-- (25 M at city scale), so the shapes departments send are checked with plain string
-- functions first; only other text pays for a regular expression.
create or replace function staging.safe_ymd(y integer, m integer, d integer) returns date
language plpgsql immutable parallel safe as $$
begin
    if y is null or m is null or d is null or y < 1 or y > 9999 or m < 1 or m > 12 or d < 1 then
        return null;
    end if;
    if d > 28 and d > extract(day from make_date(y, m, 1) + interval '1 month' - interval '1 day') then
        return null;
    end if;
    return make_date(y, m, d);
end
$$;

-- YYYY-MM-DD (anything after the day is ignored), YYYY/M/D or YYYYMMDD; null if not a real date.
create or replace function staging.safe_date(raw text) returns date
language plpgsql immutable parallel safe as $$
declare
    n integer := length(raw);
begin
    if raw is null then
        return null;
    elsif n = 10 and translate(raw, '0123456789', '') = '--' and substr(raw, 5, 1) = '-' and substr(raw, 8, 1) = '-' then
        return staging.safe_ymd(substr(raw, 1, 4)::integer, substr(raw, 6, 2)::integer, substr(raw, 9, 2)::integer);
    elsif n = 8 and translate(raw, '0123456789', '') = '' then
        return staging.safe_ymd(substr(raw, 1, 4)::integer, substr(raw, 5, 2)::integer, substr(raw, 7, 2)::integer);
    elsif raw ~ '^\d{4}-\d{1,2}-\d{1,2}' then
        return staging.safe_ymd(split_part(raw, '-', 1)::integer, split_part(raw, '-', 2)::integer,
                                substring(split_part(raw, '-', 3) from '^\d{1,2}')::integer);
    elsif raw ~ '^\d{4}/\d{1,2}/\d{1,2}$' then
        return staging.safe_ymd(split_part(raw, '/', 1)::integer, split_part(raw, '/', 2)::integer,
                                split_part(raw, '/', 3)::integer);
    end if;
    return null;
end
$$;

-- A date and time with an offset (+08:00, Z), or local to Shanghai; a date alone is local
-- midnight; null if not a real moment.
create or replace function staging.safe_timestamp(raw text) returns timestamptz
language plpgsql stable parallel safe as $$
declare
    s text := btrim(raw);
    n integer := length(s);
    skeleton text;
begin
    if s is null or s = '' then
        return null;
    end if;
    skeleton := translate(s, '0123456789', '');
    -- YYYY-MM-DD[T ]HH:MM[:SS][Z|+HH|+HH:MM], two-digit fields: every separator is pinned
    -- to its place, so every other character is a digit
    if substr(s, 5, 1) = '-' and substr(s, 8, 1) = '-' and substr(s, 11, 1) in ('T', ' ')
        and substr(s, 14, 1) = ':' and (n = 16 or substr(s, 17, 1) = ':')
        and (n < 20 or substr(s, 20, 1) in ('Z', '+', '-')) and (n < 25 or substr(s, 23, 1) = ':')
        and (
            (n = 16 and skeleton in ('--T:', '-- :'))
            or (n = 19 and skeleton in ('--T::', '-- ::'))
            or (n = 20 and skeleton in ('--T::Z', '-- ::Z'))
            or (n = 22 and skeleton in ('--T::+', '--T::-', '-- ::+', '-- ::-'))
            or (n = 25 and skeleton in ('--T::+:', '--T::-:', '-- ::+:', '-- ::-:'))
        )
    then
        if staging.safe_ymd(substr(s, 1, 4)::integer, substr(s, 6, 2)::integer, substr(s, 9, 2)::integer) is null
            or substr(s, 12, 2)::integer > 23 or substr(s, 15, 2)::integer > 59
            or (n > 16 and substr(s, 18, 2)::integer > 59)
            or (n >= 22 and substr(s, 21, 2)::integer > 15)
            or (n = 25 and substr(s, 24, 2)::integer > 59)
        then
            return null;
        elsif n in (16, 19) then
            return s::timestamp at time zone 'Asia/Shanghai';
        end if;
        return s::timestamptz;
    end if;
    -- anything else: one regular expression decides, then the same checks
    if s !~ '^\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[T ](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:\s*(?:Z|[+-](?:0\d|1[0-5])(?::?[0-5]\d)?))?)?$' then
        return null;
    elsif staging.safe_date(translate(split_part(translate(s, 'T', ' '), ' ', 1), '/', '-')) is null then
        return null;
    elsif s ~ '\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$' then
        return s::timestamptz;
    end if;
    return translate(s, '/', '-')::timestamp at time zone 'Asia/Shanghai';
end
$$;

create or replace function staging.id_number_problem(normalised text) returns text
language plpgsql immutable parallel safe as $$
declare
    born date;
begin
    if normalised is null then
        return 'missing';
    elsif length(normalised) <> 18 or translate(substr(normalised, 1, 17), '0123456789', '') <> ''
        or substr(normalised, 18, 1) not in ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X') then
        return 'bad_format';
    end if;
    born := staging.safe_date(substr(normalised, 7, 8));
    if born is null or to_char(born, 'YYYYMMDD') <> substr(normalised, 7, 8) then
        return 'bad_birth_date';
    elsif staging.id_number_check_char(substr(normalised, 1, 17)) <> substr(normalised, 18, 1) then
        return 'bad_check_character';
    end if;
    return null;
end
$$;
{% endmacro %}
