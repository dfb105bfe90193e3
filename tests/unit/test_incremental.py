"""The transform's build plan: rebuild what changed and everything below it, keep the rest."""

from __future__ import annotations

import copy

import pytest

from cityops.incremental import BuildState, node_fingerprints, plan_build, uses_as_of


def _node(kind: str, name: str, parents=(), raw="select 1", macros=()):
    return {
        "resource_type": kind,
        "name": name,
        "schema": "marts",
        "raw_code": raw,
        "checksum": {"checksum": f"sum-{name}-{raw}"},
        "config": {"materialized": "table"},
        "depends_on": {"nodes": list(parents), "macros": list(macros)},
    }


@pytest.fixture
def manifest():
    return {
        "metadata": {"project_name": "p"},
        "sources": {
            "source.p.raw.a": {"name": "a", "identifier": "a"},
            "source.p.raw.b": {"name": "b", "identifier": "b"},
        },
        "macros": {
            "macro.p.clean": {
                "package_name": "p",
                "macro_sql": "btrim({{ x }})",
                "depends_on": {"macros": []},
            },
            "macro.p.as_of_day": {
                "package_name": "p",
                "macro_sql": "'{{ var(\"as_of\") }}'::date",
                "depends_on": {"macros": []},
            },
            "macro.dbt.is_incremental": {
                "package_name": "dbt",
                "macro_sql": "v1",
                "depends_on": {"macros": []},
            },
        },
        "nodes": {
            "seed.p.lookup": _node("seed", "lookup"),
            "model.p.stg_a": _node("model", "stg_a", ["source.p.raw.a"], macros=["macro.p.clean"]),
            "model.p.stg_b": _node("model", "stg_b", ["source.p.raw.b"]),
            "model.p.ab": _node("model", "ab", ["model.p.stg_a", "model.p.stg_b"]),
            "model.p.b_due": _node(
                "model", "b_due", ["model.p.stg_b"], macros=["macro.p.as_of_day"]
            ),
            "model.p.b_due_mart": _node("model", "b_due_mart", ["model.p.b_due"]),
            "model.p.by_lookup": _node(
                "model", "by_lookup", ["seed.p.lookup"], macros=["macro.dbt.is_incremental"]
            ),
            "test.p.not_null_ab_x": _node("test", "not_null_ab_x", ["model.p.ab"]),
        },
    }


def _state(manifest, as_of="2026-11-24", a="a1", b="b1"):
    return BuildState(
        as_of, {"source.p.raw.a": a, "source.p.raw.b": b}, node_fingerprints(manifest)
    )


BUILDABLE = {
    "seed.p.lookup",
    "model.p.stg_a",
    "model.p.stg_b",
    "model.p.ab",
    "model.p.b_due",
    "model.p.b_due_mart",
    "model.p.by_lookup",
}


def test_the_first_build_builds_everything(manifest) -> None:
    plan = plan_build(manifest, _state(manifest), None)
    assert plan.rebuild == BUILDABLE and not plan.keep


def test_nothing_changed_keeps_everything(manifest) -> None:
    plan = plan_build(manifest, _state(manifest), _state(manifest))
    assert plan.keep == BUILDABLE and not plan.rebuild


def test_new_batches_rebuild_the_source_descendants_only(manifest) -> None:
    plan = plan_build(manifest, _state(manifest, a="a2"), _state(manifest))
    assert plan.rebuild == {"model.p.stg_a", "model.p.ab"}
    assert "source.p.raw.a" in plan.reasons["model.p.stg_a"]
    assert "model.p.ab" not in plan.reasons  # rebuilt because its parent is


def test_a_new_as_of_rebuilds_the_models_that_read_it_and_below(manifest) -> None:
    plan = plan_build(manifest, _state(manifest, as_of="2026-11-25"), _state(manifest))
    assert plan.rebuild == {"model.p.b_due", "model.p.b_due_mart"}


def test_changed_code_or_project_macro_rebuilds_but_a_dbt_macro_does_not(manifest) -> None:
    previous = _state(manifest)
    edited = copy.deepcopy(manifest)
    edited["macros"]["macro.p.clean"]["macro_sql"] = "upper(btrim({{ x }}))"
    assert plan_build(edited, _state(edited), previous).rebuild == {"model.p.stg_a", "model.p.ab"}

    edited = copy.deepcopy(manifest)
    edited["macros"]["macro.dbt.is_incremental"]["macro_sql"] = "v2"
    assert not plan_build(edited, _state(edited), previous).rebuild

    edited = copy.deepcopy(manifest)
    edited["nodes"]["seed.p.lookup"]["checksum"]["checksum"] = "new seed file"
    assert plan_build(edited, _state(edited), previous).rebuild == {
        "seed.p.lookup",
        "model.p.by_lookup",
    }

    edited = copy.deepcopy(manifest)
    edited["nodes"]["model.p.stg_b"]["config"]["materialized"] = "view"
    assert plan_build(edited, _state(edited), previous).rebuild == {
        "model.p.stg_b",
        "model.p.ab",
        "model.p.b_due",
        "model.p.b_due_mart",
    }


def test_a_missing_table_is_rebuilt_with_what_is_below_it(manifest) -> None:
    plan = plan_build(manifest, _state(manifest), _state(manifest), {"model.p.b_due"})
    assert plan.rebuild == {"model.p.b_due", "model.p.b_due_mart"}


def test_a_source_no_longer_read_or_newly_read_counts_as_changed(manifest) -> None:
    previous = _state(manifest)
    current = BuildState(previous.as_of, {"source.p.raw.b": "b1"}, previous.nodes)
    assert plan_build(manifest, current, previous).rebuild == {"model.p.stg_a", "model.p.ab"}


def test_as_of_use_is_found_in_the_model_or_its_project_macros(manifest) -> None:
    nodes = manifest["nodes"]
    assert uses_as_of(manifest, nodes["model.p.b_due"])  # through macro.p.as_of_day
    assert not uses_as_of(manifest, nodes["model.p.ab"])
    assert uses_as_of(manifest, _node("model", "x", raw="where d <= '{{ var(\"as_of\") }}'"))


def _incremental(manifest, *names):
    edited = copy.deepcopy(manifest)
    for name in names:
        edited["nodes"][f"model.p.{name}"]["config"]["materialized"] = "incremental"
    return edited


def test_incremental_models_below_changed_code_are_rebuilt_in_full(manifest) -> None:
    # stg_a and ab add to what they built before: a change to stg_a's code must restate both
    previous = _state(_incremental(manifest, "stg_a", "ab"))
    edited = _incremental(manifest, "stg_a", "ab")
    edited["nodes"]["model.p.stg_a"]["checksum"]["checksum"] = "new code"
    plan = plan_build(edited, _state(edited), previous)
    assert plan.full_refresh == {"model.p.stg_a", "model.p.ab"}

    # a change above an incremental model restates it, though its own code is the same
    edited = _incremental(manifest, "ab")
    edited["nodes"]["model.p.stg_b"]["checksum"]["checksum"] = "new code"
    plan = plan_build(edited, _state(edited), _state(_incremental(manifest, "ab")))
    assert plan.full_refresh == {"model.p.ab"}


def test_new_batches_build_incremental_models_incrementally(manifest) -> None:
    edited = _incremental(manifest, "stg_a", "ab")
    plan = plan_build(edited, _state(edited, a="a2"), _state(edited))
    assert plan.rebuild == {"model.p.stg_a", "model.p.ab"} and not plan.full_refresh


def test_a_missing_table_or_no_earlier_build_restates_incremental_models(manifest) -> None:
    edited = _incremental(manifest, "stg_a", "ab", "b_due_mart")
    plan = plan_build(edited, _state(edited), _state(edited), {"model.p.stg_a"})
    assert plan.full_refresh == {"model.p.stg_a", "model.p.ab"}
    plan = plan_build(edited, _state(edited), None)
    assert plan.full_refresh == {"model.p.stg_a", "model.p.ab", "model.p.b_due_mart"}


def test_build_state_round_trips_through_json(manifest) -> None:
    state = _state(manifest)
    assert BuildState.from_json(state.as_json()) == state
