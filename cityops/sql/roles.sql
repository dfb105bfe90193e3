-- Least-privilege roles and what each may touch; idempotent, run by every bootstrap.
--
--   cityops_loader       writes raw and the load ledger (ingestion)
--   cityops_transformer  reads raw, owns staging / intermediate / marts (dbt)
--   cityops_bi           reads marts only (BI tools); marts hold no raw ID numbers
--   cityops_exporter     reads marts, writes ops.exports, reads full IDs only through
--                        the audited function ops.graduate_ids()
--   cityops_street       group of the street accounts (cityops_street_<code>): sees its
--                        own street's rows of the graduate and facade marts (row-level security)
--
-- Roles are cluster-wide; grants are per database. Without passwords the roles log in only
-- where the server trusts them; the pipeline reaches them with SET ROLE from the owner's
-- session unless CITYOPS_<ROLE>_PASSWORD is set (see cityops/roles.py).

do $roles$
declare
    r text;
begin
    foreach r in array array['cityops_loader', 'cityops_transformer', 'cityops_bi', 'cityops_exporter',
                             'cityops_street'] loop
        if not exists (select from pg_roles where rolname = r) then
            begin
                execute format('create role %I %s', r, case when r = 'cityops_street' then 'nologin' else 'login' end);
            exception when duplicate_object or unique_violation then
                null;  -- another database's bootstrap created it a moment ago
            end;
        end if;
        -- The owner must be able to SET ROLE to each (automatic for a superuser).
        if not (select rolsuper from pg_roles where rolname = current_user)
           and not pg_has_role(current_user, r, 'MEMBER') then
            execute format('grant %I to %I', r, current_user);
        end if;
    end loop;
end
$roles$;

-- Nobody reaches a layer by default.
revoke all on schema raw, raw_batches, staging, intermediate, marts, ops from public;
revoke create on schema public from public;

-- Loader: raw tables (it creates and owns them) and the ledger.
grant usage, create on schema raw, raw_batches to cityops_loader;
grant usage on schema ops to cityops_loader;
grant select, insert, update on ops.load_batches to cityops_loader;
grant select, insert on ops.rejected_rows to cityops_loader;
grant usage on sequence ops.load_batches_batch_id_seq to cityops_loader;

-- Transformer: reads raw and the ledger, builds the dbt layers (and owns their objects).
grant usage on schema raw, ops to cityops_transformer;
grant usage, create on schema staging, intermediate, marts to cityops_transformer;
grant select on all tables in schema raw to cityops_transformer;
alter default privileges for role cityops_loader in schema raw grant select on tables to cityops_transformer;
grant select on ops.load_batches to cityops_transformer;
-- which rule rejected which row, for marts.mart_data_quality (not the raw values)
grant select (batch_id, row_number, rule, column_name) on ops.rejected_rows to cityops_transformer;
grant select, insert on ops.transform_builds to cityops_transformer;
grant usage on sequence ops.transform_builds_build_id_seq to cityops_transformer;
grant insert on ops.audit_log to cityops_transformer;
grant usage on sequence ops.audit_log_audit_id_seq to cityops_transformer;

-- BI, exporter and street accounts: the marts schema (table grants come from dbt's `grants`).
grant usage on schema marts to cityops_bi, cityops_exporter, cityops_street;

-- Exporter: records every file it writes.
grant usage on schema ops to cityops_exporter;
grant select, insert on ops.exports to cityops_exporter;
grant usage on sequence ops.exports_export_id_seq to cityops_exporter;
revoke update, delete, truncate on ops.exports, ops.audit_log from public;

-- Objects made before these roles existed (or by the owner by hand) move to their layer's role,
-- so that the pipeline can replace them.
do $owners$
declare
    o record;
begin
    for o in
        select c.oid::regclass as rel, c.relkind,
               case when n.nspname in ('raw', 'raw_batches') then 'cityops_loader' else 'cityops_transformer' end as role
        from pg_class as c
        inner join pg_namespace as n on n.oid = c.relnamespace
        where n.nspname in ('raw', 'raw_batches', 'staging', 'intermediate', 'marts')
          and c.relkind in ('r', 'p', 'v', 'm')
          and pg_get_userbyid(c.relowner) <> case when n.nspname in ('raw', 'raw_batches') then 'cityops_loader' else 'cityops_transformer' end
    loop
        execute format('alter %s %s owner to %I',
                       case o.relkind when 'v' then 'view' when 'm' then 'materialized view' else 'table' end,
                       o.rel, o.role);
    end loop;
    for o in
        select p.oid::regprocedure as fn
        from pg_proc as p
        inner join pg_namespace as n on n.oid = p.pronamespace
        where n.nspname in ('staging', 'intermediate', 'marts')
          and pg_get_userbyid(p.proowner) <> 'cityops_transformer'
    loop
        execute format('alter routine %s owner to cityops_transformer', o.fn);
    end loop;
end
$owners$;

-- The one door to full ID numbers: the graduates of the assistance mart (optionally one
-- street) with their normalised IDs. Every call writes ops.audit_log, in the same
-- transaction as the read; a reason is required.
create or replace function ops.graduate_ids(p_reason text, p_street_code text default null)
returns table (person_key text, id_number text)
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $fn$
declare
    n bigint;
begin
    if coalesce(btrim(p_reason), '') = '' then
        raise exception 'reading full ID numbers needs a reason (ops.graduate_ids(reason, street))';
    end if;
    return query
        select g.person_key, i.id_number_normalised
        from marts.mart_graduate_assistance as g
        inner join intermediate.int_person_identity as i on i.person_key = g.person_key
        where p_street_code is null or g.street_code = p_street_code;
    get diagnostics n = row_count;
    insert into ops.audit_log (action, subject, detail, actor)
    values ('read_full_ids', 'marts.mart_graduate_assistance',
            jsonb_build_object('reason', p_reason, 'street_code', p_street_code, 'rows', n,
                               'session_user', session_user, 'role', current_setting('role')),
            coalesce(nullif(current_setting('cityops.actor', true), ''), session_user));
end
$fn$;
alter function ops.graduate_ids(text, text) owner to cityops_transformer;
revoke all on function ops.graduate_ids(text, text) from public;
grant execute on function ops.graduate_ids(text, text) to cityops_exporter;
