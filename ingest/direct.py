"""Load a landing folder straight through the ingest package, without Airflow.

For benchmarks and tests that measure or check what comes after ingest: the DAGs run the
same :func:`~ingest.pipeline.ingest_pending` per source.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from .load import ensure_raw_table
from .pipeline import IngestSummary, ingest_pending
from .sources import REGISTRY


def ingest_landing(
    url: str, landing: Path, work: Path, sources: list[str] | None = None
) -> dict[str, IngestSummary]:
    """Ingest ``sources`` (default: all) from ``landing``; GX's state and the quarantine go
    under ``work``. Every raw table is created first, so that a source that delivers
    nothing still reads as empty. Returns each source's summary."""
    from cityops.settings import get_settings

    with psycopg.connect(url) as conn:
        for source in REGISTRY.values():
            for entity in source.entities:
                ensure_raw_table(conn, source, entity)
    settings = get_settings()
    return {
        source: ingest_pending(
            url,
            source,
            landing,
            gx_home=work / "gx",
            expectations_dir=settings.expectations_dir,
            quarantine_root=work / "q",
            build_docs=False,
        )
        for source in (sources or list(REGISTRY))
    }
