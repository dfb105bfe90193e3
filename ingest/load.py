"""Raw tables and the PostgreSQL ``COPY`` that fills them.

Raw keeps what the department sent: every contract column as text (casting is
staging's job), unknown extra columns as JSON in ``_extra``, and lineage columns
that lead back to the file and row.
"""

from __future__ import annotations

import datetime as dt
import io

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

from .spec import EntitySpec, SourceSpec


def raw_table(source: SourceSpec, entity: EntitySpec) -> sql.Composed:
    return sql.SQL("raw.{}").format(sql.Identifier(source.table(entity)))


def _batch_index(source: SourceSpec, entity: EntitySpec) -> str:
    return f"{source.table(entity)}__batch"


def _batch_index_method(
    conn: psycopg.Connection, source: SourceSpec, entity: EntitySpec
) -> str | None:
    """The access method of the raw table's ``_batch_id`` index (None: no index yet)."""
    row = conn.execute(
        "select am.amname from pg_class i join pg_am am on am.oid = i.relam "
        "where i.oid = to_regclass(%s)",
        (f"raw.{_batch_index(source, entity)}",),
    ).fetchone()
    return row[0] if row else None


def ensure_raw_table(conn: psycopg.Connection, source: SourceSpec, entity: EntitySpec) -> None:
    """Create the raw table, or add columns a newer spec declares; idempotent.

    A table that already has every column is left alone (no DDL, no lock); otherwise the
    change runs in one transaction under an advisory lock, so that two loads starting
    at once do not race on the catalog.
    """
    table = raw_table(source, entity)
    columns = dict(
        conn.execute(
            "select column_name, column_default is not null from information_schema.columns "
            "where table_schema = 'raw' and table_name = %s",
            (source.table(entity),),
        ).fetchall()
    )
    present = set(columns)
    defaults = {c for c, has_default in columns.items() if has_default}
    brin = _batch_index_method(conn, source, entity) == "brin"
    if set(entity.column_names) <= present and set(LINEAGE_DEFAULTS) <= defaults and brin:
        return
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('cityops.raw_ddl'))")
        _create_or_alter(conn, source, entity, table)


def _create_or_alter(
    conn: psycopg.Connection, source: SourceSpec, entity: EntitySpec, table: sql.Composed
) -> None:
    columns = [sql.SQL("{} text").format(sql.Identifier(c)) for c in entity.column_names]
    conn.execute(
        sql.SQL(
            "create table if not exists {} ({}, _extra jsonb, _batch_id bigint not null, "
            "_source_file text not null, _file_sha256 text not null, _row_number bigint not null, "
            "_delivered_on date not null, _loaded_at timestamptz not null default now())"
        ).format(table, sql.SQL(", ").join(columns))
    )
    # Lineage constants come from transaction-local settings (see copy_batch) rather than
    # from every row of the COPY stream: the stream carries only what the file sent.
    for column, expression in LINEAGE_DEFAULTS.items():
        conn.execute(
            sql.SQL("alter table {} alter column {} set default " + expression).format(
                table, sql.Identifier(column)
            )
        )
    for c in entity.column_names:
        conn.execute(
            sql.SQL("alter table {} add column if not exists {} text").format(
                table, sql.Identifier(c)
            )
        )
    # Batch ids grow in load order and raw is append-only: a BRIN index finds a batch's
    # rows for a fraction of a B-tree's upkeep during COPY (raw tables built with a
    # B-tree before are switched over here).
    if _batch_index_method(conn, source, entity) == "btree":
        conn.execute(
            sql.SQL("drop index raw.{}").format(sql.Identifier(_batch_index(source, entity)))
        )
    conn.execute(
        sql.SQL("create index if not exists {} on {} using brin (_batch_id)").format(
            sql.Identifier(_batch_index(source, entity)), table
        )
    )
    conn.execute(
        sql.SQL("comment on table {} is {}").format(
            table,
            sql.Literal(
                f"{source.department}: {entity.description or source.description} ({entity.mode})"
            ),
        )
    )


LINEAGE_DEFAULTS = {
    "_batch_id": "current_setting('cityops.batch_id')::bigint",
    "_source_file": "current_setting('cityops.source_file')",
    "_file_sha256": "current_setting('cityops.file_sha256')",
    "_delivered_on": "current_setting('cityops.delivered_on')::date",
}


def copy_columns(entity: EntitySpec) -> list[str]:
    return [*entity.column_names, "_extra", "_row_number"]


def set_lineage(
    cursor: psycopg.Cursor, *, batch_id: int, source_file: str, sha256: str, delivered_on: dt.date
) -> None:
    """Lineage of the rows the next COPYs write, for the rest of this transaction."""
    cursor.execute(
        "select set_config('cityops.batch_id', %s, true), set_config('cityops.source_file', %s, true), "
        "set_config('cityops.file_sha256', %s, true), set_config('cityops.delivered_on', %s, true)",
        (str(batch_id), source_file, sha256, delivered_on.isoformat()),
    )


def encode_batch(batch: pa.RecordBatch) -> memoryview:
    """A mapped batch as the CSV text ``COPY`` reads (no header; blanks are NULL)."""
    buffer = io.BytesIO()
    pacsv.write_csv(
        pa.Table.from_batches([batch]),
        buffer,
        write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed"),
    )
    return buffer.getbuffer()


def copy_batch(
    cursor: psycopg.Cursor,
    source: SourceSpec,
    entity: EntitySpec,
    batch: pa.RecordBatch,
    *,
    batch_id: int,
    source_file: str,
    sha256: str,
    delivered_on: dt.date,
    encoded: memoryview | None = None,
) -> int:
    """COPY one mapped batch (spec columns, ``_extra``, ``_row_number``) with its lineage.

    ``encoded`` is the batch already run through :func:`encode_batch` (by a reading
    thread, so that encoding overlaps the previous batch's COPY).
    """
    n = batch.num_rows
    if n == 0:
        return 0
    set_lineage(
        cursor, batch_id=batch_id, source_file=source_file, sha256=sha256, delivered_on=delivered_on
    )
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in copy_columns(entity))
    statement = sql.SQL("copy {} ({}) from stdin with (format csv)").format(
        raw_table(source, entity), columns
    )
    with cursor.copy(statement) as copy:
        copy.write(encoded if encoded is not None else encode_batch(batch))
    return n
