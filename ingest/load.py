"""Raw tables and the PostgreSQL ``COPY`` that fills them.

Raw keeps what the department sent: every contract column as text (casting is
staging's job), unknown extra columns as JSON in ``_extra``, and lineage columns
that lead back to the file and row.

Every ``raw.<source>__<entity>`` is partitioned by ``_batch_id``: each loaded file is a
table of its own in ``raw_batches``, created, filled and attached as a partition inside
the file's one transaction. That makes the load as cheap as a plain ``COPY``:

* the ``COPY`` stream carries only what the file sent (and the row number); the file's
  lineage constants (path, checksum, delivery day, load time) are added after the
  ``COPY`` as columns with a constant default, which PostgreSQL keeps once in the
  catalog instead of on every row, and ``_batch_id`` is a constant default with a
  ``CHECK`` that lets ``ATTACH PARTITION`` skip its validation scan;
* the table is new in the transaction, so ``COPY ... FREEZE`` writes the rows frozen and
  the first read does not rewrite every page to set hint bits;
* no index is kept up to date: a batch is found by partition pruning.

Readers see the new partition only when the transaction commits, all of it or none.
"""

from __future__ import annotations

import datetime as dt
import io

import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql

from .spec import EntitySpec, SourceSpec

#: Schema of the per-file tables behind the raw tables (read them through ``raw.*``).
BATCH_SCHEMA = "raw_batches"


def raw_table(source: SourceSpec, entity: EntitySpec) -> sql.Composed:
    return sql.SQL("raw.{}").format(sql.Identifier(source.table(entity)))


def _partition(source: SourceSpec, entity: EntitySpec, suffix: str) -> sql.Composed:
    """A partition of the raw table: ``raw_batches.<source>__<entity>__<suffix>``."""
    return sql.SQL("{}.{}").format(
        sql.Identifier(BATCH_SCHEMA), sql.Identifier(f"{source.table(entity)}__{suffix}")
    )


def batch_table(source: SourceSpec, entity: EntitySpec, batch_id: int) -> sql.Composed:
    """The table holding one loaded file's rows."""
    return _partition(source, entity, str(batch_id))


def _relkind(conn: psycopg.Connection, source: SourceSpec, entity: EntitySpec) -> str | None:
    row = conn.execute(
        "select relkind from pg_class where oid = to_regclass(%s)",
        (f'raw."{source.table(entity)}"',),
    ).fetchone()
    return row[0] if row else None


def ensure_raw_table(conn: psycopg.Connection, source: SourceSpec, entity: EntitySpec) -> None:
    """Create the raw table, or add columns a newer spec declares; idempotent.

    A partitioned table that already has every column is left alone (no DDL, no lock);
    otherwise the change runs in one transaction under an advisory lock, so that two
    loads starting at once do not race on the catalog. A raw table from before
    partitioning becomes the default partition of the new one, rows untouched.
    """
    present = {
        r[0]
        for r in conn.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = %s",
            (source.table(entity),),
        )
    }
    if _relkind(conn, source, entity) == "p" and set(entity.column_names) <= present:
        return
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('cityops.raw_ddl'))")
        _create_or_alter(conn, source, entity)


def _create_or_alter(conn: psycopg.Connection, source: SourceSpec, entity: EntitySpec) -> None:
    table = raw_table(source, entity)
    legacy = _relkind(conn, source, entity) == "r"
    if legacy:
        _move_aside_unpartitioned(conn, source, entity)
    columns = [sql.SQL("{} text").format(sql.Identifier(c)) for c in entity.column_names]
    conn.execute(
        sql.SQL(
            "create table if not exists {} ({}, _extra jsonb, _batch_id bigint not null, "
            "_source_file text not null, _file_sha256 text not null, _row_number bigint not null, "
            "_delivered_on date not null, _loaded_at timestamptz not null) "
            "partition by list (_batch_id)"
        ).format(table, sql.SQL(", ").join(columns))
    )
    for c in entity.column_names:
        conn.execute(
            sql.SQL("alter table {} add column if not exists {} text").format(
                table, sql.Identifier(c)
            )
        )
    if legacy:
        conn.execute(
            sql.SQL("alter table {} attach partition {} default").format(
                table, _partition(source, entity, "unpartitioned")
            )
        )
    conn.execute(
        sql.SQL("comment on table {} is {}").format(
            table,
            sql.Literal(
                f"{source.department}: {entity.description or source.description} ({entity.mode}); "
                f"one partition per loaded file ({BATCH_SCHEMA}.{source.table(entity)}__<batch_id>)"
            ),
        )
    )


def _move_aside_unpartitioned(
    conn: psycopg.Connection, source: SourceSpec, entity: EntitySpec
) -> None:
    """Move a raw table of the earlier, unpartitioned layout into ``raw_batches``.

    It keeps its rows and becomes the new table's default partition; a ``CHECK`` on its
    highest batch id proves that no later batch can be in it, so attaching a new file's
    partition never scans it.
    """
    table, name = raw_table(source, entity), f"{source.table(entity)}__unpartitioned"
    conn.execute(sql.SQL("alter table {} rename to {}").format(table, sql.Identifier(name)))
    moved = sql.SQL("raw.{}").format(sql.Identifier(name))
    conn.execute(
        sql.SQL("alter table {} set schema {}").format(moved, sql.Identifier(BATCH_SCHEMA))
    )
    moved = _partition(source, entity, "unpartitioned")
    for column in ("_batch_id", "_source_file", "_file_sha256", "_delivered_on", "_loaded_at"):
        conn.execute(
            sql.SQL("alter table {} alter column {} drop default").format(
                moved, sql.Identifier(column)
            )
        )
    conn.execute(
        sql.SQL("drop index if exists {}.{}").format(
            sql.Identifier(BATCH_SCHEMA), sql.Identifier(f"{source.table(entity)}__batch")
        )
    )
    (highest,) = conn.execute(
        sql.SQL("select coalesce(max(_batch_id), 0) from {}").format(moved)
    ).fetchone()
    conn.execute(
        sql.SQL("alter table {} add constraint {} check (_batch_id <= {})").format(
            moved, sql.Identifier(f"{name}__batches"), sql.Literal(int(highest))
        )
    )


def copy_columns(entity: EntitySpec) -> list[str]:
    return [*entity.column_names, "_extra", "_row_number"]


def begin_batch(
    cursor: psycopg.Cursor, source: SourceSpec, entity: EntitySpec, *, batch_id: int
) -> None:
    """Create the table the file's rows are copied into (inside the file's transaction)."""
    columns = [sql.SQL("{} text").format(sql.Identifier(c)) for c in entity.column_names]
    cursor.execute(
        sql.SQL(
            "create table {} ({}, _extra jsonb, "
            "_batch_id bigint not null default {id} check (_batch_id = {id}), "
            "_row_number bigint not null)"
        ).format(
            batch_table(source, entity, batch_id),
            sql.SQL(", ").join(columns),
            id=sql.Literal(batch_id),
        )
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
    encoded: memoryview | None = None,
) -> int:
    """COPY one mapped batch (spec columns, ``_extra``, ``_row_number``) into the file's
    table (made by :func:`begin_batch` in this transaction).

    ``encoded`` is the batch already run through :func:`encode_batch` (by a reading
    thread, so that encoding overlaps the previous batch's COPY).
    """
    n = batch.num_rows
    if n == 0:
        return 0
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in copy_columns(entity))
    statement = sql.SQL("copy {} ({}) from stdin with (format csv, freeze)").format(
        batch_table(source, entity, batch_id), columns
    )
    with cursor.copy(statement) as copy:
        copy.write(encoded if encoded is not None else encode_batch(batch))
    return n


def publish_batch(
    cursor: psycopg.Cursor,
    source: SourceSpec,
    entity: EntitySpec,
    *,
    batch_id: int,
    source_file: str,
    sha256: str,
    delivered_on: dt.date,
) -> None:
    """Give the file's rows their lineage and attach them to the raw table.

    Constant defaults added to a filled table cost no rewrite: PostgreSQL stores the value
    once and every existing row reads it. Visible to others when the transaction commits.
    """
    table = batch_table(source, entity, batch_id)
    cursor.execute(
        sql.SQL(
            "alter table {} add column _source_file text not null default {}, "
            "add column _file_sha256 text not null default {}, "
            "add column _delivered_on date not null default {}, "
            "add column _loaded_at timestamptz not null default now()"
        ).format(
            table,
            sql.Literal(source_file),
            sql.Literal(sha256),
            sql.Literal(delivered_on.isoformat()),
        )
    )
    cursor.execute(
        sql.SQL("alter table {} attach partition {} for values in ({})").format(
            raw_table(source, entity), table, sql.Literal(batch_id)
        )
    )
