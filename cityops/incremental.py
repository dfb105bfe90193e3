"""Build only what changed: the transform's plan for its one ``dbt build``.

A model is rebuilt when something it reads has changed since the last build that
succeeded: new batches of a raw source it descends from, its own code or config (or a
macro it calls), the ``as_of`` date for models that use it, a parent that is rebuilt,
or its table having gone missing. Every other model and seed keeps the table the last
build left, and its Airflow tasks are skipped.

The first build, and any build after a failed one, compares with the last *successful*
build, so nothing is ever left stale.

An incremental model adds to the rows it built before, so changed code (its own or a
model's above it) would otherwise reach only its new rows. It is rebuilt in full
(``full_refresh``) when its definition or one above it changed, when its table or one
above it was missing, and when there is no successful build to compare with.

The state of a successful build (fingerprints of every source's loaded batches and of
every node) is kept in ``ops.transform_builds``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Node types the plan may leave out of a build (tests follow their models).
BUILDABLE = ("model", "seed", "snapshot")

#: Reasons that restate a model: incremental models below it are rebuilt in full.
_CHANGED, _MISSING = "its definition changed", "its table is missing"


@dataclass(frozen=True)
class BuildState:
    """What a build read: the as-of date, each source's loaded batches, each node's definition."""

    as_of: str
    sources: Mapping[str, str]  # dbt source unique_id -> fingerprint of its loaded batches
    nodes: Mapping[str, str]  # model/seed unique_id -> fingerprint of its definition

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "sources": dict(self.sources), "nodes": dict(self.nodes)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BuildState:
        return cls(data["as_of"], dict(data["sources"]), dict(data["nodes"]))


@dataclass
class BuildPlan:
    rebuild: set[str] = field(default_factory=set)
    keep: set[str] = field(default_factory=set)  # buildable nodes left out of the build
    full_refresh: set[str] = field(default_factory=set)  # incremental models rebuilt in full
    reasons: dict[str, str] = field(default_factory=dict)  # why a node is rebuilt (roots only)


def _sha(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


def _macro_closure(manifest: Mapping[str, Any], macro_ids: Iterable[str]) -> list[str]:
    macros = manifest.get("macros", {})
    seen: set[str] = set()
    stack = list(macro_ids)
    while stack:
        m = stack.pop()
        if m in seen or m not in macros:
            continue
        seen.add(m)
        stack.extend(macros[m].get("depends_on", {}).get("macros", []))
    return sorted(seen)


def _project_macro_sql(manifest: Mapping[str, Any], node: Mapping[str, Any]) -> list[str]:
    """SQL of the project's own macros a node calls (dbt's and adapters' change with a pin)."""
    project = manifest.get("metadata", {}).get("project_name")
    macros = manifest.get("macros", {})
    return [
        macros[m].get("macro_sql", "")
        for m in _macro_closure(manifest, node.get("depends_on", {}).get("macros", []))
        if macros[m].get("package_name") == project
    ]


def node_fingerprints(manifest: Mapping[str, Any]) -> dict[str, str]:
    """A fingerprint per model and seed: its code (or seed file), config and macros."""
    out: dict[str, str] = {}
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] not in BUILDABLE:
            continue
        out[uid] = _sha(
            node.get("checksum", {}).get("checksum", ""),
            json.dumps(node.get("config", {}), sort_keys=True, default=str),
            *_project_macro_sql(manifest, node),
        )
    return out


def uses_as_of(manifest: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """Does the node read the ``as_of`` var, itself or through a project macro?"""
    texts = [node.get("raw_code", ""), *_project_macro_sql(manifest, node)]
    return any("as_of" in t for t in texts)


def plan_build(
    manifest: Mapping[str, Any],
    current: BuildState,
    previous: BuildState | None,
    missing_relations: Iterable[str] = (),
) -> BuildPlan:
    """Which buildable nodes to rebuild, and which to keep, given the last successful build."""
    nodes = manifest["nodes"]
    buildable = {uid for uid, n in nodes.items() if n["resource_type"] in BUILDABLE}
    plan = BuildPlan()
    incremental = {
        uid
        for uid in buildable
        if nodes[uid].get("config", {}).get("materialized") == "incremental"
    }
    if previous is None:
        plan.rebuild = set(buildable)
        plan.reasons = {uid: "no earlier successful build" for uid in buildable}
        plan.full_refresh = incremental
        return plan

    changed_sources = {
        uid for uid, fp in current.sources.items() if previous.sources.get(uid) != fp
    } | (set(previous.sources) - set(current.sources))
    missing = set(missing_relations)
    for uid in sorted(buildable):
        node = nodes[uid]
        parents = node.get("depends_on", {}).get("nodes", [])
        if current.nodes.get(uid) != previous.nodes.get(uid):
            plan.reasons[uid] = _CHANGED
        elif changed := sorted(set(parents) & changed_sources):
            plan.reasons[uid] = "new batches in " + ", ".join(changed)
        elif current.as_of != previous.as_of and uses_as_of(manifest, node):
            plan.reasons[uid] = f"as_of moved from {previous.as_of} to {current.as_of}"
        elif uid in missing:
            plan.reasons[uid] = _MISSING

    # everything below a rebuilt node is rebuilt too
    children: dict[str, set[str]] = {}
    for uid in buildable:
        for parent in nodes[uid].get("depends_on", {}).get("nodes", []):
            children.setdefault(parent, set()).add(uid)
    plan.rebuild = _below(plan.reasons, children)
    plan.keep = buildable - plan.rebuild
    # what an incremental model built before no longer matches a changed or lost model above
    restated = [uid for uid, why in plan.reasons.items() if why in (_CHANGED, _MISSING)]
    plan.full_refresh = _below(restated, children) & incremental
    return plan


def _below(roots: Iterable[str], children: Mapping[str, set[str]]) -> set[str]:
    """``roots`` and every node below them."""
    found: set[str] = set()
    stack = list(roots)
    while stack:
        uid = stack.pop()
        if uid not in found:
            found.add(uid)
            stack.extend(children.get(uid, ()))
    return found


# -- the warehouse side -----------------------------------------------------------------------


def source_fingerprints(conn: Any, manifest: Mapping[str, Any]) -> dict[str, str]:
    """A fingerprint of the loaded batches of every raw source the project reads."""
    rows = conn.execute(
        "select source || '__' || entity, md5(string_agg(batch_id::text, ',' order by batch_id)) "
        "from ops.load_batches where status = 'loaded' group by 1"
    ).fetchall()
    by_table = dict(rows)
    # the ledger itself (a source of marts.mart_data_quality) changes with every attempt
    (ledger,) = conn.execute(
        "select md5(coalesce(string_agg(batch_id || ':' || status, ',' order by batch_id), '')) "
        "from ops.load_batches"
    ).fetchone()
    return {
        uid: ledger
        if src.get("source_name") == "ops"
        else by_table.get(src.get("identifier") or src["name"], "none")
        for uid, src in manifest.get("sources", {}).items()
    }


def missing_relations(conn: Any, manifest: Mapping[str, Any], uids: Iterable[str]) -> set[str]:
    """Nodes among ``uids`` whose relation is not in the warehouse."""
    nodes = manifest["nodes"]
    wanted = {
        uid: (nodes[uid]["schema"], nodes[uid].get("alias") or nodes[uid]["name"])
        for uid in uids
        if nodes[uid].get("config", {}).get("materialized") != "ephemeral"
    }
    present = {
        (s, n)
        for s, n in conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema = any(%s)",
            (sorted({s for s, _ in wanted.values()}),),
        ).fetchall()
    }
    return {uid for uid, rel in wanted.items() if rel not in present}


def last_successful_build(conn: Any) -> BuildState | None:
    row = conn.execute(
        "select state from ops.transform_builds order by build_id desc limit 1"
    ).fetchone()
    return BuildState.from_json(row[0]) if row else None


def record_build(
    conn: Any,
    state: BuildState,
    rebuilt: int,
    kept: int,
    reasons: Mapping[str, str],
    dag_run_id: str | None,
) -> None:
    from psycopg.types.json import Jsonb

    conn.execute(
        "insert into ops.transform_builds "
        "(as_of, state, nodes_rebuilt, nodes_kept, reasons, dag_run_id) "
        "values (%s, %s, %s, %s, %s, %s)",
        (state.as_of, Jsonb(state.as_json()), rebuilt, kept, Jsonb(dict(reasons)), dag_run_id),
    )


def plan_for_warehouse(
    url: str, manifest: Mapping[str, Any], as_of: str
) -> tuple[BuildPlan, BuildState]:
    """The plan for a build against ``url`` now, and the state to record if it succeeds."""
    import psycopg

    with psycopg.connect(url) as conn:
        current = BuildState(
            as_of, source_fingerprints(conn, manifest), node_fingerprints(manifest)
        )
        previous = last_successful_build(conn)
        buildable = [u for u, n in manifest["nodes"].items() if n["resource_type"] in BUILDABLE]
        missing = missing_relations(conn, manifest, buildable) if previous else set()
    return plan_build(manifest, current, previous, missing), current
