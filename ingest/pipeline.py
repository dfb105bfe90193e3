"""One file, one transaction: read, map, validate, COPY, reconcile, record.

The order of a load, and what happens when it goes wrong:

* the same file (name and bytes) already loaded: a ``duplicate`` ledger row, nothing loaded;
* a row breaks a row-level rule (a blank required value, a date or number that does
  not parse, a value out of its set) or cannot be read: that row goes to
  ``ops.rejected_rows`` with the rule, the column and the value, and the rest loads;
* the file breaks its contract, a file-level expectation, or has more rejected rows
  than its source tolerates: nothing of it is committed, the ledger says ``refused``
  with the reasons, and the file moves to quarantine with a report; everything
  loaded before stays;
* anything else (the database went away, the process was killed): the
  transaction rolls back and the error propagates, so the task fails and
  retries; the ledger row stays ``loading`` until the next attempt marks it
  interrupted.

Small files are read and validated in groups (one Great Expectations run for
many files, failures attributed per file) and then committed one by one. A large
file streams batch by batch inside its single transaction: a reading thread
reads, maps, checks and encodes the next batch while this one is copied; every
row is checked against the suite by :mod:`ingest.checks`, Great Expectations
validates an even sample of every batch, and the gate's verdict comes before the
commit, so a refused file leaves nothing behind. How files are grouped, read whole or
streamed ahead is :mod:`ingest.reading`.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import nullcontext
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc

from . import ledger
from .checks import FullFileCheck
from .discover import Delivery, Discovery, discover
from .errors import (
    ContractError,
    FileChanged,
    IngestError,
    TooManyRejects,
    ValidationFailed,
)
from .load import begin_batch, copy_batch, encode_batch, ensure_raw_table, publish_batch
from .mapping import ColumnMapping, plan_mapping
from .readers import FileReader, open_reader
from .reading import GROUP_FILE_BYTES, groups, prefetched, read_file, reading_pool, to_frame
from .sources import get_source
from .spec import EntitySpec, SourceSpec
from .validate import SAMPLE_ROWS, Gate, GateResult, RowFault, RuleOutcome, load_suite_config

log = logging.getLogger(__name__)

#: Rows of every batch of a streamed file that Great Expectations validates (evenly
#: spaced), up to a total per file; the full-file check covers every row.
GX_SAMPLE_PER_BATCH = 2_000
GX_SAMPLE_ROWS = 200_000

FILE_CHANGED = (
    "the file changed while it was being loaded (is it still being delivered?): "
    "nothing was committed; the next run loads it"
)


class FileStatus(StrEnum):
    """What became of a delivered file (its ledger rows say the same per entity)."""

    LOADED = "loaded"
    DUPLICATE = "duplicate"  # loaded before, same name and bytes
    REFUSED = "refused"  # broke its contract: quarantined with a report
    DEFERRED = "deferred"  # changed while it loaded: left in place for the next run


@dataclass
class FileOutcome:
    path: str
    status: FileStatus
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_in_file: int = 0
    batch_ids: list[int] = field(default_factory=list)
    error: str | None = None
    quarantined_as: str | None = None
    extra_columns: list[str] = field(default_factory=list)
    warnings: int = 0


@dataclass
class IngestSummary:
    source: str
    files: list[FileOutcome] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def refused(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status is FileStatus.REFUSED]

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "files_loaded": sum(f.status is FileStatus.LOADED for f in self.files),
            "files_duplicate": sum(f.status is FileStatus.DUPLICATE for f in self.files),
            "files_refused": len(self.refused),
            "files_deferred": sum(f.status is FileStatus.DEFERRED for f in self.files),
            "rows_loaded": self.rows_loaded,
            "rows_rejected": sum(f.rows_rejected for f in self.files),
            "failures": [
                {"file": f.path, "error": f.error, "quarantined_as": f.quarantined_as}
                for f in self.refused
            ],
            "ignored": self.ignored,
        }


class Piece(NamedTuple):
    """One mapped batch on its way in, its gate result and (if prepared ahead) its COPY text."""

    batch: pa.RecordBatch
    result: GateResult
    encoded: memoryview | None = None


@dataclass
class EntityLoad:
    """One entity of a file on its way in: its reader, mapping and (validated) batches.

    ``verdict`` (streamed files) is the gate's result over the whole file, known once
    every batch has been read; ``check`` says early whether it is already a refusal.
    """

    entity: EntitySpec
    reader: FileReader
    batches: Iterator[Piece]
    mapping: ColumnMapping | None = None
    read_seconds: float = 0.0
    validate_seconds: float = 0.0
    check: FullFileCheck | None = None
    verdict: Callable[[], GateResult] | None = None
    #: rows the gate rejected (row-level rules), left out of the COPY
    row_faults: list[RowFault] = field(default_factory=list)

    def leave_out(
        self, batch: pa.RecordBatch, rejects: dict[int, list[RowFault]]
    ) -> pa.RecordBatch:
        """``batch`` without the rows in ``rejects``, whose faults are kept for the ledger."""
        if not rejects:
            return batch
        numbers = batch.column(batch.schema.get_field_index("_row_number"))
        bad = pc.is_in(numbers, value_set=pa.array(list(rejects), numbers.type))
        for n in pc.filter(numbers, bad).to_pylist():
            self.row_faults.extend(rejects[n])
        return batch.filter(pc.invert(bad))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _lock_key(text: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


# -- reading -------------------------------------------------------------------------------
def _streamed(gate: Gate, source: SourceSpec, load: EntityLoad, path: Path) -> Iterator[Piece]:
    """Read, map, check and encode a large file batch by batch (runs in the reading thread).

    When the source's suite has a vectorised form, every row goes through
    :class:`~ingest.checks.FullFileCheck` and Great Expectations validates an even
    sample of each batch once the file is read (``load.verdict``); otherwise GX
    validates every batch.
    """
    suite = load_suite_config(gate.expectations_dir, source, load.entity)
    check = FullFileCheck(suite) if FullFileCheck.covers(suite) else None
    load.check = check
    samples: list[pa.RecordBatch] = []
    sampled = 0
    t = time.perf_counter()
    for raw in load.reader.batches():
        if load.mapping is None:
            load.mapping = plan_mapping(load.entity, load.reader.headers)
        batch = load.mapping.apply(raw)
        load.read_seconds += time.perf_counter() - t
        t = time.perf_counter()
        if check is None:
            result = gate.validate(source, load.entity, to_frame(batch, 0))[0]
            batch = load.leave_out(batch, result.rejects)
        else:
            mask, faults = check.update(batch)
            if faults:
                load.row_faults.extend(faults)
                batch = batch.filter(pc.invert(mask))
            result = GateResult()
            k = min(GX_SAMPLE_PER_BATCH, batch.num_rows, GX_SAMPLE_ROWS - sampled)
            if k > 0:
                samples.append(batch.take(np.linspace(0, batch.num_rows - 1, k, dtype=np.int64)))
                sampled += k
        load.validate_seconds += time.perf_counter() - t
        t = time.perf_counter()
        encoded = encode_batch(batch) if batch.num_rows else None
        load.read_seconds += time.perf_counter() - t
        yield Piece(batch, result, encoded)
        t = time.perf_counter()
    if load.mapping is None:
        load.mapping = plan_mapping(load.entity, load.reader.headers)
    if check is not None:
        load.verdict = lambda: _verdict(gate, source, load, check, samples)


def _verdict(
    gate: Gate,
    source: SourceSpec,
    load: EntityLoad,
    check: FullFileCheck,
    samples: list[pa.RecordBatch],
) -> GateResult:
    """The whole file's gate result: the full-file check, and GX on the sample."""
    t = time.perf_counter()
    result = check.result()
    if samples:
        frame = pd.concat([to_frame(b, 0) for b in samples], ignore_index=True)
        on_sample = gate.validate(source, load.entity, frame)[0]
        for found, mine in (
            (on_sample.failures, result.failures),
            (on_sample.warnings, result.warnings),
        ):
            known = {(o.rule, o.column) for o in mine} | check.tolerant
            for outcome in found:
                # A rule that tolerates a share of bad values is judged on every row, not on a
                # sample; any other rule GX fails on the sample fails in the file: should the
                # two ever disagree, the stricter verdict wins.
                if (outcome.rule, outcome.column) not in known:
                    outcome.detail = (
                        f"found by Great Expectations in a sample of {len(frame):,} rows"
                    )
                    mine.append(outcome)
        # Rows GX rejects in the sample that the full-file check let through were copied:
        # the two disagree, and the stricter verdict refuses the file.
        passed = {fault.row_number for fault in load.row_faults}
        missed: dict[tuple[str, str | None], list[RowFault]] = {}
        for number, faults in on_sample.rejects.items():
            if number not in passed:
                for fault in faults:
                    missed.setdefault((fault.rule, fault.column), []).append(fault)
        for (rule, column), faults in missed.items():
            result.failures.append(
                RuleOutcome(
                    rule=rule,
                    column=column,
                    severity="row",
                    unexpected_count=len(faults),
                    element_count=len(frame),
                    sample_rows=[f.row_number for f in faults[:SAMPLE_ROWS]],
                    sample_values=[f.value for f in faults[:SAMPLE_ROWS]],
                    detail=(
                        f"found by Great Expectations in a sample of {len(frame):,} rows "
                        "that the full-file check let through"
                    ),
                )
            )
    load.validate_seconds += time.perf_counter() - t
    return result


# -- committing one file ------------------------------------------------------------------
def _copy_pieces(
    cur: psycopg.Cursor, source: SourceSpec, load: EntityLoad, record: ledger.BatchRecord
) -> GateResult:
    """COPY every batch the gate lets through; the gate's result over the whole file."""
    quality = GateResult()
    try:
        for piece in load.batches:
            quality.merge(piece.result)
            _refuse_if_failed(piece.result)
            if load.check is not None and load.check.refused:
                continue  # the verdict is known: read on for a complete report, copy no more
            t = time.perf_counter()
            try:
                record.rows_loaded += copy_batch(
                    cur,
                    source,
                    load.entity,
                    piece.batch,
                    batch_id=record.batch_id,
                    encoded=piece.encoded,
                )
            except psycopg.errors.DataError as exc:
                # e.g. NUL bytes: text the department sent that PostgreSQL cannot store
                raise ContractError(
                    f"the file holds text PostgreSQL cannot store ({exc.diag.message_primary}; "
                    f"{exc.diag.context or 'COPY'}): is it binary or corrupt?"
                ) from exc
            record.copy_seconds += time.perf_counter() - t
    finally:
        close = getattr(load.batches, "close", None)
        if close is not None:  # a load that ends early stops its reading thread
            close()
    if load.verdict is not None:
        verdict = load.verdict()
        quality.merge(verdict)
        _refuse_if_failed(verdict)
    return quality


def _copy_entity(
    cur: psycopg.Cursor,
    source: SourceSpec,
    load: EntityLoad,
    delivery: Delivery,
    sha256: str,
    record: ledger.BatchRecord,
) -> None:
    begin_batch(cur, source, load.entity, batch_id=record.batch_id)
    quality = _copy_pieces(cur, source, load, record)
    reader, entity = load.reader, load.entity
    record.read_seconds, record.validate_seconds = load.read_seconds, load.validate_seconds
    record.extra_columns = load.mapping.extras if load.mapping else []
    rejected = _rejected_rows(reader, load.row_faults)
    record.rows_rejected = len(rejected)
    record.rows_in_file = reader.rows_seen
    if rejected:
        cur.executemany(
            "insert into ops.rejected_rows (batch_id, row_number, reason, raw_text, rule, column_name, raw_value) "
            "values (%s, %s, %s, %s, %s, %s, %s) on conflict do nothing",
            [(record.batch_id, *r) for r in rejected],
        )
    if record.rows_in_file != record.rows_loaded + record.rows_rejected:
        raise IngestError(
            f"reconciliation failed: {record.rows_in_file} rows in the file, {record.rows_loaded} loaded, "
            f"{record.rows_rejected} rejected"
        )
    if not entity.tolerates(record.rows_rejected, record.rows_in_file):
        sample = "; ".join(f"row {r[0]}: {r[1]}" for r in rejected[:5])
        raise TooManyRejects(
            f"{record.rows_rejected} of {record.rows_in_file} rows were rejected; the contract "
            f"tolerates {entity.tolerance}: {sample}"
        )
    if entity.mode == "snapshot" and record.rows_loaded == 0:
        raise ContractError(
            "the snapshot has no data rows: an empty full snapshot would erase every record"
        )
    record.warnings = [w.as_dict() for w in quality.warnings]
    if record.extra_columns:
        record.warnings.append(
            {
                "warning": f"unknown extra column(s) kept in _extra: {', '.join(record.extra_columns)}"
            }
        )
    if rejected:
        rules = sorted({r[3] for r in rejected})
        record.warnings.append(
            {
                "warning": f"{len(rejected)} row(s) rejected ({', '.join(rules)}); "
                "see ops.rejected_rows"
            }
        )
    publish_batch(
        cur,
        source,
        entity,
        batch_id=record.batch_id,
        source_file=str(delivery.path),
        sha256=sha256,
        delivered_on=delivery.delivered_on,
    )


def _rejected_rows(
    reader: FileReader, faults: list[RowFault]
) -> list[tuple[int, str, str | None, str, str | None, str | None]]:
    """One row per rejected row: (row number, reason, raw text, rule, column, raw value).

    Unreadable lines (the reader's) carry their raw text; rows a row-level rule rejected
    carry the first rule they broke, its column and value, and every rule in the reason.
    """
    rows = []
    for i, r in enumerate(reader.rejects):
        number = r.row_number if r.row_number > 0 else -(i + 1)
        rows.append((number, _text(r.reason), _text(r.raw_text), "unreadable_row", None, None))
    by_row: dict[int, list[RowFault]] = {}
    for f in faults:
        by_row.setdefault(f.row_number, []).append(f)
    for number, found in sorted(by_row.items()):
        first = found[0]
        value = None if first.value is None else _text(str(first.value))
        reason = _text("; ".join(f.describe() for f in found))
        rows.append((number, reason, None, first.rule, first.column, value))
    return rows


def _text(value: str | None) -> str | None:
    """Text PostgreSQL can store: a NUL byte (a corrupt file's) is written as ``\\x00``."""
    return value.replace("\x00", "\\x00") if value else value


def _refuse_if_failed(result: GateResult) -> None:
    if result.failures:
        raise ValidationFailed(
            "critical expectation(s) failed: " + "; ".join(f.describe() for f in result.failures),
            [f.as_dict() for f in result.failures],
        )


def commit_file(
    book: psycopg.Connection,
    conn: psycopg.Connection,
    source: SourceSpec,
    delivery: Delivery,
    sha256: str,
    loads: list[EntityLoad] | IngestError,
    quarantine_root: Path,
    dag_run_id: str | None = None,
) -> FileOutcome:
    """Record, load and commit (or refuse and quarantine) one file, under a per-file lock.

    ``book`` is an autocommit connection for the ledger, ``conn`` carries the data
    transaction; ``loads`` is the file's entities ready to copy, or the contract
    error found while reading it.
    """
    from .quarantine import quarantine_file

    path = delivery.path
    size = path.stat().st_size
    entities = source.entities_for(path.name)
    outcome = FileOutcome(str(path), FileStatus.LOADED)
    lock = _lock_key(f"{source.name}:{path.name}:{sha256}")
    book.execute("select pg_advisory_lock(%s)", (lock,))
    try:
        done = ledger.already_loaded(book, source.name, path.name, sha256)
        if done:
            for entity in entities:
                original = next((b for b, e, _ in done if e == entity.name), done[0][0])
                outcome.batch_ids.append(
                    ledger.record_duplicate(
                        book,
                        source=source.name,
                        entity=entity.name,
                        source_file=str(path),
                        delivered_on=delivery.delivered_on,
                        sha256=sha256,
                        size=size,
                        original_batch=original,
                        dag_run_id=dag_run_id,
                    )
                )
            outcome.status = FileStatus.DUPLICATE
            log.info("%s: the same file was already loaded (batch %s); skipped", path, done[0][0])
            return outcome
        interrupted = ledger.mark_interrupted(book, source.name, path.name, sha256)
        if interrupted:
            log.warning(
                "%s: %d earlier attempt(s) had been interrupted; loading again", path, interrupted
            )
        records = [
            ledger.BatchRecord(
                ledger.start(
                    book,
                    source=source.name,
                    entity=e.name,
                    source_file=str(path),
                    delivered_on=delivery.delivered_on,
                    sha256=sha256,
                    size=size,
                    dag_run_id=dag_run_id,
                ),
                source.name,
                e.name,
            )
            for e in entities
        ]
        outcome.batch_ids = [r.batch_id for r in records]
        try:
            if isinstance(loads, IngestError):
                raise loads
            with conn.transaction(), conn.cursor() as cur:
                for load, record in zip(loads, records, strict=True):
                    _copy_entity(cur, source, load, delivery, sha256, record)
                    ledger.finish(conn, record, ledger.BatchStatus.LOADED)
                if delivery.changed():
                    raise FileChanged(FILE_CHANGED)
        except IngestError as exc:
            if isinstance(exc, FileChanged) or delivery.changed():
                # A file still being written is not a bad file: roll back, keep it, retry later.
                message = str(exc) if isinstance(exc, FileChanged) else f"{FILE_CHANGED}: {exc}"
                for record in records:
                    record.errors = [{"error": message}]
                    record.rows_loaded = 0
                    ledger.finish(book, record, ledger.BatchStatus.DEFERRED)
                outcome.status, outcome.error = FileStatus.DEFERRED, message
                log.warning("%s: %s", path, message)
                return outcome
            failures = exc.failures if isinstance(exc, ValidationFailed) else []
            target = quarantine_file(
                path,
                quarantine_root,
                source=source.name,
                delivered_on=delivery.delivered_on,
                reason=str(exc),
                failures=failures,
                batch_ids=outcome.batch_ids,
                sha256=sha256,
            )
            for record in records:
                record.errors = [{"error": str(exc)}, *failures]
                record.rows_loaded = 0
                ledger.finish(book, record, ledger.BatchStatus.REFUSED, quarantine_path=str(target))
            outcome.status, outcome.error = FileStatus.REFUSED, str(exc)
            outcome.quarantined_as = str(target)
            log.error("%s refused and quarantined as %s: %s", path, target, exc)
            return outcome
        outcome.rows_loaded = sum(r.rows_loaded for r in records)
        outcome.rows_rejected = sum(r.rows_rejected for r in records)
        outcome.rows_in_file = sum(r.rows_in_file for r in records)
        outcome.extra_columns = sorted({c for r in records for c in r.extra_columns})
        outcome.warnings = sum(len(r.warnings) for r in records)
        return outcome
    finally:
        book.execute("select pg_advisory_unlock(%s)", (lock,))


# -- groups of files -----------------------------------------------------------------------
def _prepare_group(
    gate: Gate, source: SourceSpec, group: list[Delivery], pool: Executor | None = None
) -> list[list[EntityLoad] | IngestError]:
    """Read every file of a group (in ``pool`` when given), validate each entity once for
    all files, attribute results."""
    paths = [d.path for d in group]
    if pool is not None and len(paths) > 1:
        prepared = list(pool.map(read_file, [source.name] * len(paths), paths))
    else:
        prepared = [read_file(source.name, p) for p in paths]
    results: dict[tuple[int, str], GateResult] = {}
    validate_seconds: dict[tuple[int, str], float] = {}
    for entity in source.entities:
        members = [
            (i, p[entity.name])
            for i, p in enumerate(prepared)
            if isinstance(p, dict) and entity.name in p
        ]
        if not members:
            continue
        t = time.perf_counter()
        frames = [to_frame(b, i) for i, (_, _, batches, _) in members for b in batches]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        per_file = gate.validate(source, entity, frame, files=len(prepared)) if len(frame) else {}
        elapsed = (time.perf_counter() - t) / len(members)
        for i, _ in members:
            results[(i, entity.name)] = per_file.get(i, GateResult())
            validate_seconds[(i, entity.name)] = elapsed
    out: list[list[EntityLoad] | IngestError] = []
    for i, p in enumerate(prepared):
        if isinstance(p, IngestError):
            out.append(p)
            continue
        loads = []
        for entity in source.entities_for(group[i].path.name):
            reader, mapping, batches, read_seconds = p[entity.name]
            result = results.get((i, entity.name), GateResult())
            load = EntityLoad(
                entity,
                reader,
                iter(()),
                mapping,
                read_seconds,
                validate_seconds.get((i, entity.name), 0.0),
            )
            kept = [load.leave_out(b, result.rejects) for b in batches]
            pairs = [Piece(b, result if k == 0 else GateResult()) for k, b in enumerate(kept)]
            if not pairs and result.failures:
                pairs = [Piece(kept[0] if kept else pa.RecordBatch.from_pylist([]), result)]
            load.batches = iter(pairs)
            loads.append(load)
        out.append(loads)
    return out


def pending(url: str, source_name: str, landing: Path) -> Discovery:
    """What a run of :func:`ingest_pending` would find, without loading anything: the
    deliveries not loaded yet and the paths it would ignore (same ledger, same rule)."""
    from cityops.roles import role_url

    source = get_source(source_name)
    with psycopg.connect(role_url(url, "loader"), autocommit=True) as conn:
        known = ledger.known_files(conn, source.name)
    return discover(landing, source, known)


def ingest_pending(
    url: str,
    source_name: str,
    landing: Path,
    *,
    gx_home: Path,
    expectations_dir: Path,
    quarantine_root: Path,
    dag_run_id: str | None = None,
    build_docs: bool = True,
) -> IngestSummary:
    """Load every delivery of a source not loaded yet, oldest first.

    ``url`` is the warehouse owner's: it bootstraps, then every load connects as
    ``cityops_loader``, which can write raw and the ledger and nothing else.
    """
    from cityops.roles import role_url
    from cityops.warehouse import bootstrap

    source = get_source(source_name)
    bootstrap(url)
    found = pending(url, source.name, landing)
    url = role_url(url, "loader")
    with psycopg.connect(url, autocommit=True) as conn:
        for entity in source.entities:
            ensure_raw_table(conn, source, entity)
    summary = IngestSummary(source.name, ignored=found.ignored)
    if not found.deliveries:
        return summary
    gate = Gate(gx_home, expectations_dir)
    pool = reading_pool(found.deliveries)
    with (
        pool or nullcontext(),
        psycopg.connect(url, autocommit=True) as book,
        psycopg.connect(url) as conn,
    ):
        for group in groups(found.deliveries):
            if len(group) == 1 and group[0].size > GROUP_FILE_BYTES:
                d = group[0]
                try:
                    loads: list[EntityLoad] | IngestError = []
                    for entity in source.entities_for(d.path.name):
                        load = EntityLoad(entity, open_reader(entity, d.path), iter(()))
                        load.batches = prefetched(_streamed(gate, source, load, d.path))
                        loads.append(load)
                except IngestError as exc:
                    loads = exc
                summary.files.append(
                    commit_file(
                        book, conn, source, d, sha256_of(d.path), loads, quarantine_root, dag_run_id
                    )
                )
                continue
            for d, loads in zip(group, _prepare_group(gate, source, group, pool), strict=True):
                summary.files.append(
                    commit_file(
                        book, conn, source, d, sha256_of(d.path), loads, quarantine_root, dag_run_id
                    )
                )
    if build_docs:
        gate.build_docs()
    return summary
