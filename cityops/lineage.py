"""OpenLineage (GDBOS lineage): what each task reads and writes, as datasets.

Airflow's OpenLineage provider emits an event for every task of every DAG run. The dbt
build's events name each model's inputs and output themselves (cosmos reads them from
dbt's artifacts); the project's own tasks say theirs here, through Airflow's hook-lineage
collector, which the provider adds to the task's COMPLETE event:

- an ingest task: each delivery folder it loaded files from (``file://<landing>/<source>/
  <day>``; the files themselves, with their batch ids, are in ``ops.load_batches``) -> the
  raw tables they were loaded into;
- the export task: the marts it reads -> each file it wrote.

Where the events go is a setting (``cityops.airflow_env``): a JSON-lines file under
``CITYOPS_HOME/lineage/`` by default, an HTTP endpoint such as Marquez when
``CITYOPS_OPENLINEAGE_URL`` is set.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

#: The marts each scheduled export reads.
EXPORT_INPUTS = (
    "mart_graduate_assistance",
    "mart_facade_risk",
    "dim_building",
    "dim_person",
    "mart_shop_worklist",
    "mart_shop_code",
    "mart_enterprise_requests",
    "mart_enterprise_alerts",
    "dim_enterprise",
    "mart_policy_push",
    "mart_policy_grants",
)


class Step:
    """The lineage context of a project task (the provider names it in its facets)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Step({self.name!r})"


def table_uri(url: str, schema: str, table: str) -> str:
    """A warehouse table as an Airflow asset URI (``postgres://host:port/db/schema/table``),
    the form the provider turns into the dataset dbt's own events name."""
    parts = urlsplit(url)
    database = parts.path.lstrip("/") or "postgres"
    return f"postgres://{parts.hostname or '127.0.0.1'}:{parts.port or 5432}/{database}/{schema}/{table}"


def file_uri(path: str | Path) -> str:
    return Path(path).resolve().as_uri()


def record(step: str, inputs: Iterable[str], outputs: Iterable[str]) -> None:
    """Add a task's inputs and outputs (asset URIs) to its lineage; a no-op outside Airflow
    or when no lineage reader is configured."""
    try:
        from airflow.sdk.lineage import get_hook_lineage_collector
    except ImportError:  # pragma: no cover - Airflow is a dependency
        return
    collector = get_hook_lineage_collector()
    context = Step(step)
    for uri in dict.fromkeys(inputs):
        collector.add_input_asset(context, uri=uri)
    for uri in dict.fromkeys(outputs):
        collector.add_output_asset(context, uri=uri)


def ingest_lineage(
    url: str, source: str, files: Iterable[tuple[str, str]]
) -> tuple[list[str], list[str]]:
    """Inputs and outputs of one ingest run: ``files`` are (path, status) pairs; the delivery
    folder of a loaded file is an input, the raw tables of the entities its name matches are
    outputs (a first load of a year of hourly files names 365 folders, not 8,760 files)."""
    from ingest.sources import REGISTRY

    spec = REGISTRY[source]
    inputs: list[str] = []
    outputs: list[str] = []
    for path, status in files:
        if status != "loaded":
            continue
        inputs.append(file_uri(Path(path).parent))
        outputs += [
            table_uri(url, "raw", spec.table(e)) for e in spec.entities_for(Path(path).name)
        ]
    return list(dict.fromkeys(inputs)), list(dict.fromkeys(outputs))


def export_lineage(url: str, root: Path, files: Iterable[str]) -> tuple[list[str], list[str]]:
    return (
        [table_uri(url, "marts", table) for table in EXPORT_INPUTS],
        [file_uri(root / f) for f in files],
    )
