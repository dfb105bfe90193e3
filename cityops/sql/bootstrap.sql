-- Idempotent warehouse bootstrap: schemas and the operations tables.
create schema if not exists raw;
create schema if not exists raw_batches;
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists marts;
create schema if not exists ops;

comment on schema raw is 'Departmental files as delivered, one table per source entity, with lineage columns.';
comment on schema raw_batches is 'One table per loaded file, each a partition of its raw table: read them through raw.';
comment on schema staging is 'dbt staging models: renamed, cast, cleaned; latest delivery wins.';
comment on schema intermediate is 'dbt intermediate models: entity resolution and linking; not for end users.';
comment on schema marts is 'The BI surface: dimensions, facts and marts. Never holds raw national ID numbers.';
comment on schema ops is 'Operations bookkeeping: load ledger, rejected rows, exports and audit log.';

-- One row per delivered file and load attempt.
create table if not exists ops.load_batches (
    batch_id        bigserial primary key,
    source          text        not null,
    entity          text        not null,
    source_file     text        not null,
    delivered_on    date        not null,
    file_sha256     text        not null,
    file_bytes      bigint      not null,
    -- ingest.ledger.BatchStatus
    status          text        not null constraint load_batches_status_check check (
        status in ('loading', 'loaded', 'duplicate', 'refused', 'deferred', 'interrupted')
    ),
    rows_in_file    bigint,
    rows_loaded     bigint,
    rows_rejected   bigint,
    extra_columns   text[]      not null default '{}',
    warnings        jsonb       not null default '[]',
    errors          jsonb       not null default '[]',
    quarantine_path text,
    dag_run_id      text,
    started_at      timestamptz not null default now(),
    finished_at     timestamptz,
    read_seconds    double precision,
    validate_seconds double precision,
    copy_seconds    double precision
);
-- The same file (name and bytes) loads once, wherever and however often it is delivered.
create unique index if not exists load_batches_loaded_once
    on ops.load_batches (source, entity, regexp_replace(source_file, '^.*/', ''), file_sha256)
    where status = 'loaded';
create index if not exists load_batches_by_source on ops.load_batches (source, entity, delivered_on);
-- A ledger made when one status 'failed' stood for refused, deferred and interrupted
-- attempts: each becomes its own (a refused file has a quarantine path, an interrupted
-- attempt says so in its errors, the rest changed while they loaded).
do $$
begin
    if not exists (
        select from pg_constraint
        where conname = 'load_batches_status_check'
            and pg_get_constraintdef(oid) like '%refused%'
    ) then
        alter table ops.load_batches drop constraint load_batches_status_check;
        update ops.load_batches
        set status = case
            when quarantine_path is not null then 'refused'
            when errors::text like '%interrupted%' then 'interrupted'
            else 'deferred'
        end
        where status = 'failed';
        alter table ops.load_batches add constraint load_batches_status_check check (
            status in ('loading', 'loaded', 'duplicate', 'refused', 'deferred', 'interrupted')
        );
    end if;
end
$$;

-- Rows that a loaded file could not carry, with the reason: a line that could not be read
-- (rule unreadable_row, its raw text), or a row a row-level expectation rejected (the rule,
-- the column and the value that broke it). Rows in a file = rows loaded + rows rejected.
create table if not exists ops.rejected_rows (
    batch_id    bigint  not null references ops.load_batches (batch_id),
    row_number  bigint  not null,
    reason      text    not null,
    raw_text    text,
    primary key (batch_id, row_number)
);
alter table ops.rejected_rows add column if not exists rule text;
alter table ops.rejected_rows add column if not exists column_name text;
alter table ops.rejected_rows add column if not exists raw_value text;

-- Every export written (who, what, when, rows, checksum).
create table if not exists ops.exports (
    export_id    bigserial primary key,
    export_name  text        not null,
    as_of        date        not null,
    file_path    text        not null,
    row_count    bigint      not null,
    file_sha256  text        not null,
    has_full_ids boolean     not null default false,
    exported_by  text        not null default current_user,
    exported_at  timestamptz not null default now()
);

-- Every transform build that succeeded: what it read (sources' loaded batches, nodes'
-- definitions, as_of), so the next build rebuilds only what changed (cityops/incremental.py).
create table if not exists ops.transform_builds (
    build_id      bigserial   primary key,
    as_of         date        not null,
    state         jsonb       not null,
    nodes_rebuilt integer     not null,
    nodes_kept    integer     not null,
    reasons       jsonb       not null default '{}',  -- node -> why the build rebuilt it
    dag_run_id    text,
    finished_at   timestamptz not null default now()
);

-- Reads of personal data outside the pipeline (e.g. the full-ID graduate list via the CLI).
create table if not exists ops.audit_log (
    audit_id    bigserial primary key,
    action      text        not null,
    subject     text        not null,
    detail      jsonb       not null default '{}',
    actor       text        not null default current_user,
    happened_at timestamptz not null default now()
);
