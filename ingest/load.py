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

from .spec import LINEAGE_COLUMNS, EntitySpec, SourceSpec


def raw_table(source: SourceSpec, entity: EntitySpec) -> sql.Composed:
    return sql.SQL("raw.{}").format(sql.Identifier(source.table(entity)))


def ensure_raw_table(conn: psycopg.Connection, source: SourceSpec, entity: EntitySpec) -> None:
    """Create the raw table, or add columns a newer spec declares; idempotent."""
    table = raw_table(source, entity)
    columns = [sql.SQL("{} text").format(sql.Identifier(c)) for c in entity.column_names]
    conn.execute(
        sql.SQL(
            "create table if not exists {} ({}, _extra jsonb, _batch_id bigint not null, "
            "_source_file text not null, _file_sha256 text not null, _row_number bigint not null, "
            "_delivered_on date not null, _loaded_at timestamptz not null default now())"
        ).format(table, sql.SQL(", ").join(columns))
    )
    for c in entity.column_names:
        conn.execute(
            sql.SQL("alter table {} add column if not exists {} text").format(
                table, sql.Identifier(c)
            )
        )
    conn.execute(
        sql.SQL("create index if not exists {} on {} (_batch_id)").format(
            sql.Identifier(f"{source.table(entity)}__batch"), table
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


def copy_columns(entity: EntitySpec) -> list[str]:
    return [*entity.column_names, "_extra", "_row_number", *LINEAGE_COLUMNS[:3], LINEAGE_COLUMNS[4]]


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
) -> int:
    """COPY one mapped batch (spec columns, ``_extra``, ``_row_number``) with its lineage."""
    n = batch.num_rows
    if n == 0:
        return 0
    table = pa.Table.from_batches([batch]).append_column(
        "_batch_id", pa.array([batch_id] * n, pa.int64())
    )
    for name, value in (
        ("_source_file", source_file),
        ("_file_sha256", sha256),
        ("_delivered_on", delivered_on.isoformat()),
    ):
        table = table.append_column(name, pa.array([value] * n, pa.string()))
    buffer = io.BytesIO()
    pacsv.write_csv(
        table,
        buffer,
        write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed"),
    )
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in copy_columns(entity))
    statement = sql.SQL("copy {} ({}) from stdin with (format csv)").format(
        raw_table(source, entity), columns
    )
    with cursor.copy(statement) as copy:
        copy.write(buffer.getbuffer())
    return n
