"""Reading a run's files: how they are grouped, read into memory or streamed ahead.

Small files are read whole and mapped to the contract's columns, in groups that one
Great Expectations run validates together; a run with many bytes of them reads them in
worker processes, a file each (xlsx cells and JSON records are Python-bound). A large
file is streamed: a thread of its own prepares the next batches while the current one is
copied. What is read here is checked and committed by :mod:`ingest.pipeline`.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pyarrow as pa

from .discover import Delivery
from .errors import IngestError
from .mapping import ColumnMapping, plan_mapping
from .readers import FileReader, open_reader
from .sources import get_source
from .spec import EntitySpec

#: Files up to this size are read into memory and validated together with others; a
#: validation group closes at this many bytes or files.
GROUP_FILE_BYTES = 16 << 20
GROUP_FILES = 400
#: Batches a reading thread may prepare ahead of the COPY (bounds memory).
PREFETCH_BATCHES = 2
#: A run whose grouped files add up to this many bytes reads them in worker processes, a
#: file each: parsing xlsx cells and JSON records is Python-bound, one core per file.
#: Below it, starting the workers (about a second) costs more than it saves.
PARALLEL_READ_BYTES = 32 << 20
READ_WORKERS = max(1, min(4, os.cpu_count() or 1))


T = TypeVar("T")


def prefetched(items: Iterator[T], depth: int = PREFETCH_BATCHES) -> Iterator[T]:
    """``items`` produced by a thread of their own, up to ``depth`` ahead of the consumer.

    pyarrow and the regex engine release the GIL, so reading and checking the next
    batch overlaps the COPY of this one. A producer's exception is raised here; a
    consumer that stops early (a failed COPY) stops the producer.
    """
    pipe: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, value: object) -> bool:
        while not stop.is_set():
            try:
                pipe.put((kind, value), timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
            put("done", None)
        except BaseException as exc:  # handed to the consumer, raised there
            put("error", exc)

    thread = threading.Thread(target=produce, name="ingest-reader", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = pipe.get()
            if kind == "error":
                raise value  # type: ignore[misc]
            if kind == "done":
                return
            yield value  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()


def to_frame(batch: pa.RecordBatch, file_number: int) -> pd.DataFrame:
    """A batch as a data frame, its rows tagged with their file's number in the group."""
    out = batch.to_pandas()
    out["_file"] = file_number
    return out


def read_all(
    entity: EntitySpec, path: Path
) -> tuple[FileReader, ColumnMapping, list[pa.RecordBatch], float]:
    """Read and map a small file into memory (raises the file's contract errors)."""
    t = time.perf_counter()
    reader = open_reader(entity, path)
    batches = list(reader.batches())
    mapping = plan_mapping(entity, reader.headers)
    return reader, mapping, [mapping.apply(b) for b in batches], time.perf_counter() - t


def read_file(
    source_name: str, path: Path
) -> dict[str, tuple[FileReader, ColumnMapping, list[pa.RecordBatch], float]] | IngestError:
    """Read and map every entity of one file; its contract error is returned, not raised,
    so that a worker process hands it back with the other files' results."""
    source = get_source(source_name)
    try:
        return {e.name: read_all(e, path) for e in source.entities_for(path.name)}
    except IngestError as exc:
        return exc


def reading_pool(deliveries: list[Delivery]) -> ProcessPoolExecutor | None:
    """Worker processes for reading the grouped files of a run, when they are worth it."""
    grouped = sum(d.size for d in deliveries if d.size <= GROUP_FILE_BYTES)
    if READ_WORKERS < 2 or grouped < PARALLEL_READ_BYTES:
        return None
    # spawn: the task's process runs threads (Airflow's, the COPY's reader) that fork would copy mid-flight
    return ProcessPoolExecutor(READ_WORKERS, mp_context=multiprocessing.get_context("spawn"))


def groups(deliveries: list[Delivery]) -> Iterator[list[Delivery]]:
    """The deliveries in validation groups, in order; a file over ``GROUP_FILE_BYTES`` alone."""
    group: list[Delivery] = []
    group_bytes = 0
    for d in deliveries:
        size = d.size
        if size > GROUP_FILE_BYTES:
            if group:
                yield group
                group, group_bytes = [], 0
            yield [d]
            continue
        group.append(d)
        group_bytes += size
        if len(group) >= GROUP_FILES or group_bytes >= GROUP_FILE_BYTES:
            yield group
            group, group_bytes = [], 0
    if group:
        yield group
