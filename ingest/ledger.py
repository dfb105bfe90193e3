"""The batch ledger ``ops.load_batches``: one row per file, entity and load attempt.

A row is written as ``loading`` (committed at once) before any data moves, and
turned ``loaded`` inside the same transaction that commits the data, so the
ledger can never claim rows that are not there. A load that dies leaves its row
``loading``; the next attempt on the same bytes marks it ``interrupted``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import psycopg


class BatchStatus(StrEnum):
    """A load attempt's state in the ledger (the column's check constraint lists the same)."""

    LOADING = "loading"  # started; rows not yet committed
    LOADED = "loaded"  # its rows committed with it
    DUPLICATE = "duplicate"  # the same file (name and bytes) was loaded before: nothing loaded
    REFUSED = "refused"  # the file broke its contract: quarantined with a report, nothing loaded
    DEFERRED = "deferred"  # the file changed while it loaded: rolled back, the next run retries
    INTERRUPTED = "interrupted"  # the load died (process killed, database lost): retried


@dataclass
class BatchRecord:
    batch_id: int
    source: str
    entity: str
    rows_in_file: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    extra_columns: list[str] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    read_seconds: float = 0.0
    validate_seconds: float = 0.0
    copy_seconds: float = 0.0


def start(
    conn: psycopg.Connection,
    *,
    source: str,
    entity: str,
    source_file: str,
    delivered_on: dt.date,
    sha256: str,
    size: int,
    dag_run_id: str | None,
) -> int:
    row = conn.execute(
        "insert into ops.load_batches (source, entity, source_file, delivered_on, file_sha256, file_bytes, "
        "status, dag_run_id) values (%s, %s, %s, %s, %s, %s, %s, %s) returning batch_id",
        (source, entity, source_file, delivered_on, sha256, size, BatchStatus.LOADING, dag_run_id),
    ).fetchone()
    assert row is not None
    return int(row[0])


def _file_name(column: str = "source_file") -> str:
    return f"regexp_replace({column}, '^.*/', '')"


def already_loaded(
    conn: psycopg.Connection, source: str, file_name: str, sha256: str
) -> list[tuple[int, str, str]]:
    """Batches of this source loaded from the same file (same name, same bytes): (batch_id, entity, path)."""
    rows = conn.execute(
        "select batch_id, entity, source_file from ops.load_batches "
        f"where source = %s and file_sha256 = %s and {_file_name()} = %s and status = %s order by batch_id",
        (source, sha256, file_name, BatchStatus.LOADED),
    ).fetchall()
    return [(int(r[0]), r[1], r[2]) for r in rows]


def mark_interrupted(conn: psycopg.Connection, source: str, file_name: str, sha256: str) -> int:
    """Earlier attempts on this file that never finished (the process died)."""
    cur = conn.execute(
        "update ops.load_batches set status = %s, finished_at = now(), "
        "errors = errors || %s::jsonb where source = %s and file_sha256 = %s "
        f"and {_file_name()} = %s and status = %s",
        (
            BatchStatus.INTERRUPTED,
            json.dumps(
                [{"error": "interrupted: the load did not finish; none of its rows were committed"}]
            ),
            source,
            sha256,
            file_name,
            BatchStatus.LOADING,
        ),
    )
    return cur.rowcount


def _jsonb(value: object) -> str:
    """JSON for a jsonb column: jsonb refuses the NUL escape a corrupt file may bring."""
    return json.dumps(value, ensure_ascii=False, default=str).replace("\\u0000", "\\\\u0000")


def finish(
    conn: psycopg.Connection,
    record: BatchRecord,
    status: BatchStatus,
    quarantine_path: str | None = None,
) -> None:
    conn.execute(
        "update ops.load_batches set status = %s, rows_in_file = %s, rows_loaded = %s, rows_rejected = %s, "
        "extra_columns = %s, warnings = %s::jsonb, errors = %s::jsonb, quarantine_path = %s, "
        "finished_at = clock_timestamp(), read_seconds = %s, validate_seconds = %s, copy_seconds = %s "
        "where batch_id = %s",
        (
            status,
            record.rows_in_file,
            record.rows_loaded,
            record.rows_rejected,
            record.extra_columns,
            _jsonb(record.warnings),
            _jsonb(record.errors),
            quarantine_path,
            record.read_seconds,
            record.validate_seconds,
            record.copy_seconds,
            record.batch_id,
        ),
    )


def record_duplicate(
    conn: psycopg.Connection,
    *,
    source: str,
    entity: str,
    source_file: str,
    delivered_on: dt.date,
    sha256: str,
    size: int,
    original_batch: int,
    dag_run_id: str | None,
) -> int:
    row = conn.execute(
        "insert into ops.load_batches (source, entity, source_file, delivered_on, file_sha256, file_bytes, "
        "status, rows_in_file, rows_loaded, rows_rejected, warnings, finished_at, dag_run_id) "
        "values (%s, %s, %s, %s, %s, %s, %s, 0, 0, 0, %s::jsonb, now(), %s) returning batch_id",
        (
            source,
            entity,
            source_file,
            delivered_on,
            sha256,
            size,
            BatchStatus.DUPLICATE,
            json.dumps([{"warning": f"same bytes as batch {original_batch}: not loaded again"}]),
            dag_run_id,
        ),
    ).fetchone()
    assert row is not None
    return int(row[0])


def known_files(conn: psycopg.Connection, source: str) -> dict[str, int]:
    """Files of a source that need no further attempt (loaded or duplicate): path -> size."""
    rows = conn.execute(
        "select source_file, file_bytes from ops.load_batches where source = %s and status = any(%s)",
        (source, [BatchStatus.LOADED, BatchStatus.DUPLICATE]),
    ).fetchall()
    return {r[0]: int(r[1]) for r in rows}
