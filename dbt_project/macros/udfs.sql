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

-- These run on every ID of every source (25 M registry rows at city scale), so they avoid
-- regular expressions and per-call subqueries. id_number_normalise() and its helpers are
-- SQL functions made only of immutable built-ins: PostgreSQL inlines them into the query,
-- and an ID that is already clean costs one length and one ASCII translate. The checks
-- that read single digits work on the ID's bytes (textsend + get_byte) inside PL/pgSQL:
-- 17 substr() + integer casts cost three times as much, measured on 2 M IDs.

-- The check character of an ID's first 17 digits as bytes (GB 11643 weights 7 9 10 5 8 4 2
-- 1 6 3 7 9 10 5 8 4 2 sum to 100, so 48 * 100 takes off the bytes' '0').
create or replace function staging.id_number_check_char_of(b bytea) returns text
language sql immutable parallel safe as $$
    select substr('10X98765432', (
          get_byte(b, 0) * 7 + get_byte(b, 1) * 9 + get_byte(b, 2) * 10 + get_byte(b, 3) * 5
        + get_byte(b, 4) * 8 + get_byte(b, 5) * 4 + get_byte(b, 6) * 2 + get_byte(b, 7) * 1
        + get_byte(b, 8) * 6 + get_byte(b, 9) * 3 + get_byte(b, 10) * 7 + get_byte(b, 11) * 9
        + get_byte(b, 12) * 10 + get_byte(b, 13) * 5 + get_byte(b, 14) * 8 + get_byte(b, 15) * 4
        + get_byte(b, 16) * 2 - 48 * 100) % 11 + 1, 1)
$$;

create or replace function staging.id_number_check_char(first17 text) returns text
language plpgsql immutable parallel safe as $$
declare
    b bytea := textsend(first17);
begin
    return staging.id_number_check_char_of(b);
end
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
create or replace function staging.days_in_month(y integer, m integer) returns integer
language sql immutable parallel safe as $$
    select case
        when m = 2 then 28 + (y % 4 = 0 and (y % 100 <> 0 or y % 400 = 0))::integer
        when m in (4, 6, 9, 11) then 30
        else 31
    end
$$;

create or replace function staging.safe_ymd(y integer, m integer, d integer) returns date
language sql immutable parallel safe as $$
    select case
        when y between 1 and 9999 and m between 1 and 12 and d between 1 and staging.days_in_month(y, m)
            then make_date(y, m, d)
    end
$$;

-- YYYY-MM-DD (anything after the day is ignored), YYYY/M/D or YYYYMMDD; null if not a real date.
-- The two fixed shapes read their digits as bytes ('0' is byte 48: 48 * 1111 = 53328, 48 * 11 = 528);
-- YYYY-MM-DD is YYYYMMDD with one separator byte before the month and one before the day.
create or replace function staging.safe_date(raw text) returns date
language plpgsql immutable parallel safe as $$
declare
    n integer := octet_length(raw);
    b bytea;
    sep integer;
    y integer;
    m integer;
    d integer;
begin
    if raw is null then
        return null;
    elsif (n = 8 and translate(raw, '0123456789', '') = '')
        or (n = 10 and translate(raw, '0123456789', '') = '--' and substr(raw, 5, 1) = '-' and substr(raw, 8, 1) = '-')
    then
        b := textsend(raw);
        sep := (n = 10)::integer;
        y := get_byte(b, 0) * 1000 + get_byte(b, 1) * 100 + get_byte(b, 2) * 10 + get_byte(b, 3) - 53328;
        m := get_byte(b, 4 + sep) * 10 + get_byte(b, 5 + sep) - 528;
        d := get_byte(b, 6 + 2 * sep) * 10 + get_byte(b, 7 + 2 * sep) - 528;
        -- plain variables as arguments, so safe_ymd() is inlined (an argument expression
        -- dearer than ten operators, used more than once, stops PostgreSQL inlining it)
        return staging.safe_ymd(y, m, d);
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
    b bytea;
    y integer;
    m integer;
    d integer;
    hh integer;
    mi integer;
    ss integer := 0;
    day date;
    local timestamp;
begin
    if s is null or s = '' then
        return null;
    end if;
    skeleton := translate(s, '0123456789', '');
    -- YYYY-MM-DD[T ]HH:MM[:SS][Z|+HH|+HH:MM], two-digit fields: the skeleton admits only
    -- ASCII, and with every separator pinned to its place every other byte is a digit
    -- (bytes: '-' 45, ':' 58, 'T' 84, ' ' 32, 'Z' 90, '+' 43; '0' is 48)
    if (n = 16 and skeleton in ('--T:', '-- :'))
        or (n = 19 and skeleton in ('--T::', '-- ::'))
        or (n = 20 and skeleton in ('--T::Z', '-- ::Z'))
        or (n = 22 and skeleton in ('--T::+', '--T::-', '-- ::+', '-- ::-'))
        or (n = 25 and skeleton in ('--T::+:', '--T::-:', '-- ::+:', '-- ::-:'))
    then
        b := textsend(s);
        if get_byte(b, 4) = 45 and get_byte(b, 7) = 45 and get_byte(b, 10) in (84, 32)
            and get_byte(b, 13) = 58 and (n = 16 or get_byte(b, 16) = 58)
            and (n < 20 or get_byte(b, 19) in (90, 43, 45)) and (n < 25 or get_byte(b, 22) = 58)
        then
            y := get_byte(b, 0) * 1000 + get_byte(b, 1) * 100 + get_byte(b, 2) * 10 + get_byte(b, 3) - 53328;
            m := get_byte(b, 5) * 10 + get_byte(b, 6) - 528;
            d := get_byte(b, 8) * 10 + get_byte(b, 9) - 528;
            day := staging.safe_ymd(y, m, d);
            hh := get_byte(b, 11) * 10 + get_byte(b, 12) - 528;
            mi := get_byte(b, 14) * 10 + get_byte(b, 15) - 528;
            if n > 16 then
                ss := get_byte(b, 17) * 10 + get_byte(b, 18) - 528;
            end if;
            if day is null or hh > 23 or mi > 59 or ss > 59
                or (n >= 22 and get_byte(b, 20) * 10 + get_byte(b, 21) - 528 > 15)
                or (n = 25 and get_byte(b, 23) * 10 + get_byte(b, 24) - 528 > 59)
            then
                return null;
            end if;
            local := day + make_interval(hours => hh, mins => mi, secs => ss);
            if n in (16, 19) then
                return timezone('Asia/Shanghai', local);
            elsif n = 20 then
                return timezone('UTC', local);
            end if;
            -- +HH or +HH:MM east of UTC is that much earlier in UTC
            return timezone('UTC', local - (case when get_byte(b, 19) = 43 then 1 else -1 end) * make_interval(
                hours => get_byte(b, 20) * 10 + get_byte(b, 21) - 528,
                mins => case when n = 25 then get_byte(b, 23) * 10 + get_byte(b, 24) - 528 else 0 end));
        end if;
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
    b bytea;
    y integer;
    m integer;
    d integer;
begin
    if normalised is null then
        return 'missing';
    elsif length(normalised) <> 18 or translate(substr(normalised, 1, 17), '0123456789', '') <> ''
        or substr(normalised, 18, 1) not in ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X') then
        return 'bad_format';
    end if;
    -- 18 ASCII characters from here on: the birth date is bytes 6-13 (YYYYMMDD)
    b := textsend(normalised);
    y := get_byte(b, 6) * 1000 + get_byte(b, 7) * 100 + get_byte(b, 8) * 10 + get_byte(b, 9) - 53328;
    m := get_byte(b, 10) * 10 + get_byte(b, 11) - 528;
    d := get_byte(b, 12) * 10 + get_byte(b, 13) - 528;
    if staging.safe_ymd(y, m, d) is null then
        return 'bad_birth_date';
    elsif staging.id_number_check_char_of(b) <> substr(normalised, 18, 1) then
        return 'bad_check_character';
    end if;
    return null;
end
$$;
-- 统一社会信用代码 (GB 32100-2015): cleaned of full-width characters, spaces and lowercase,
-- or null when blank or failing either check character (a transposed pair, a typo).
-- cityops/uscc.py is the same rule in Python; a unit test holds the two together.
create or replace function staging.uscc_normalised(raw text) returns text
language plpgsql immutable parallel safe as $$
declare
    alphabet constant text := '0123456789ABCDEFGHJKLMNPQRTUWXY';
    weights constant integer[] := array[1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    org_weights constant integer[] := array[3, 7, 9, 10, 5, 8, 4, 2];
    s text;
    v integer;
    total integer := 0;
    org_total integer := 0;
    org_check integer;
begin
    if raw is null then
        return null;
    end if;
    s := upper(regexp_replace(normalize(raw, NFKC), '\s', '', 'g'));
    if length(s) <> 18 then
        return null;
    end if;
    for i in 1..17 loop
        v := strpos(alphabet, substr(s, i, 1)) - 1;
        if v < 0 then
            return null;
        end if;
        total := total + v * weights[i];
    end loop;
    if substr(alphabet, (31 - total % 31) % 31 + 1, 1) <> substr(s, 18, 1) then
        return null;
    end if;
    -- the organisation code (GB 11714) values its characters in base 36, letters from 10
    for i in 9..16 loop
        v := strpos('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', substr(s, i, 1)) - 1;
        org_total := org_total + v * org_weights[i - 8];
    end loop;
    org_check := 11 - org_total % 11;
    if (case org_check when 10 then 'X' when 11 then '0' else org_check::text end) <> substr(s, 17, 1) then
        return null;
    end if;
    return s;
end
$$;
-- 汇商码: how shops are named and addressed across the shop sources, so that a licence,
-- an inspection, a rating or a complaint can be put against the register.
-- shop_name_core(): the signboard name without what varies between writers - spaces,
-- full-width forms, a branch suffix in brackets ("(徐家汇店)"), a leading 上海/徐汇 and
-- a company form (有限公司).
create or replace function staging.shop_name_core(raw text) returns text
language sql immutable parallel safe as $$
    select nullif(
        regexp_replace(
            regexp_replace(
                regexp_replace(normalize(coalesce(raw, ''), NFKC), '[[:space:]　]', '', 'g'),
                '[(（][^)）]*[)）]', '', 'g'),
            '^(上海市|上海)?(徐汇区|徐汇)?|(股份有限公司|有限责任公司|有限公司)$', '', 'g'),
        '')
$$;

-- shop_address_key(): "road|house number" of a free-text address; the city, district and
-- street prefixes are dropped, 123弄4号 stays one number, a missing number leaves "road|".
-- (Two steps: in PostgreSQL a regular expression that starts lazy is lazy throughout.)
create or replace function staging.shop_address_key(raw text) returns text
language plpgsql immutable parallel safe as $$
declare
    s text := regexp_replace(normalize(coalesce(raw, ''), NFKC), '[[:space:]　]', '', 'g');
    road text;
begin
    s := regexp_replace(s, '^(上海市|上海)?(徐汇区)?', '');
    if strpos(s, '街道') > 0 then
        s := substr(s, strpos(s, '街道') + 2);
    elsif strpos(s, '镇') > 0 then
        s := substr(s, strpos(s, '镇') + 1);
    end if;
    road := substring(s from '^(.+?(?:大道|路|街))');
    if road is null then
        return null;
    end if;
    return road || '|' || coalesce(
        substring(substr(s, length(road) + 1) from '^([0-9]+(?:-[0-9]+)?(?:弄[0-9]+)?)'), '');
end
$$;

-- 精准营商 addresses. A register address is free text: "上海市徐汇区漕溪北路88号某某大厦
-- 12层1203室", often without the city or district, sometimes naming only the building.
-- office_address_rest(): the address with spaces, full-width forms, the city and the
-- district dropped (the district comes from its own column).
create or replace function staging.office_address_rest(raw text) returns text
language sql immutable parallel safe as $$
    select nullif(
        regexp_replace(
            regexp_replace(normalize(coalesce(raw, ''), NFKC), '[[:space:]　]', '', 'g'),
            '^(上海市|上海)?([^路街区]{2,3}新?区)?', ''),
        '')
$$;

-- office_address_key(): "road|number" of an address, null when it names no house number.
create or replace function staging.office_address_key(raw text) returns text
language plpgsql immutable parallel safe as $$
declare
    s text := staging.office_address_rest(raw);
    road text := substring(s from '^(.+?(?:大道|路|街))');
    number text;
begin
    if road is null then
        return null;
    end if;
    number := substring(substr(s, length(road) + 1) from '^([0-9]+)[号弄]');
    return case when number is null then null else road || '|' || number end;
end
$$;

-- office_building_named(): the building an address names, where no road and number come
-- first ("某某大厦20层18室" -> "某某大厦"); null otherwise.
create or replace function staging.office_building_named(raw text) returns text
language sql immutable parallel safe as $$
    select case when staging.office_address_key(raw) is null
        then nullif(substring(staging.office_address_rest(raw) from '^([^0-9]+?)(?:[0-9]|$)'), '')
    end
$$;

-- district_in_address(): the first of Shanghai's district names an address contains.
create or replace function staging.district_in_address(raw text) returns text
language sql immutable parallel safe as $$
    select substring(normalize(coalesce(raw, ''), NFKC) from
        '(黄浦区|徐汇区|长宁区|静安区|普陀区|虹口区|杨浦区|闵行区|宝山区|嘉定区|浦东新区|金山区|松江区|青浦区|奉贤区|崇明区)')
$$;

-- area_need_bounds(): an office request's area need as [low, high] square metres:
-- "300-500" (also ~, 至), "≥800" (open above), or one number n read as n ± tolerance.
create or replace function staging.area_need_bounds(raw text, tolerance numeric)
returns numeric[]
language plpgsql immutable parallel safe as $$
declare
    s text := regexp_replace(normalize(coalesce(raw, ''), NFKC), '[[:space:]]', '', 'g');
    m text[];
begin
    m := regexp_match(s, '^([0-9]+(?:\.[0-9]+)?)[-~～至－]([0-9]+(?:\.[0-9]+)?)$');
    if m is not null then
        return array[least(m[1]::numeric, m[2]::numeric), greatest(m[1]::numeric, m[2]::numeric)];
    end if;
    m := regexp_match(s, '^(?:≥|>=|>|大于)([0-9]+(?:\.[0-9]+)?)$');
    if m is not null then
        return array[m[1]::numeric, null];
    end if;
    m := regexp_match(s, '^([0-9]+(?:\.[0-9]+)?)$');
    if m is not null then
        return array[m[1]::numeric * (1 - tolerance), m[1]::numeric * (1 + tolerance)];
    end if;
    return null;
end
$$;

-- working_days_between(): Shanghai working days after ``since`` up to and including
-- ``until`` (Monday-Friday, less public holidays, plus the weekend days worked instead),
-- from the calendar seed ref_shanghai_workdays passed as two date arrays.
create or replace function staging.working_days_between(
    since date, until date, holidays date[], workdays date[]
) returns integer
language sql immutable parallel safe as $$
    select count(*)::integer
    from generate_series(since + 1, until, interval '1 day') as g(d)
    where (extract(isodow from g.d) < 6 and g.d::date <> all(holidays))
        or g.d::date = any(workdays)
$$;
{% endmacro %}
