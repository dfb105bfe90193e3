"""Accuracy against the ground truth at small scale (the demo's size): the issue's bars.

Runs the packages directly (ingest_pending + dbt build) rather than the DAGs, which the
tiny-city pipeline test already exercises, to keep the suite's time proportionate.
"""

from __future__ import annotations

import datetime as dt

import pytest

from cityops import evaluation
from cityops.dbt import run_dbt
from cityops.settings import get_settings
from cityops.synth import generate
from ingest.direct import ingest_landing

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def small(warehouse_url, tmp_path_factory):
    from cityops.warehouse import scratch_database

    root = tmp_path_factory.mktemp("small")
    generate("small", 7, dt.date(2026, 11, 24), root / "landing", root / "truth")
    with scratch_database(warehouse_url, "cityops_small") as url:
        for summary in ingest_landing(url, root / "landing", root).values():
            assert not summary.refused, summary.as_dict()
        run_dbt(["build"], url, as_of="2026-11-24", quiet=True)
        yield url, root / "truth"


def test_person_resolution_precision_and_recall(small) -> None:
    url, truth = small
    score = evaluation.person_resolution(url, truth, get_settings().hmac_key)
    print(
        f"\nperson pairs: TP {score.true_positive} FP {score.false_positive} FN {score.false_negative} "
        f"(records {score.records}, unmatched {score.unmatched})"
    )
    assert score.precision >= 0.995 and score.recall >= 0.99, score


def test_inspections_link_to_their_true_building(small) -> None:
    url, truth = small
    score = evaluation.building_linkage(url, truth)
    assert score.wrong == 0 and score.linked_correctly_share >= 0.99, score


def test_graduate_list_is_exact(small) -> None:
    url, truth = small
    score = evaluation.graduates(url, truth, get_settings().hmac_key)
    assert score.expected > 100 and (score.precision, score.recall) == (1.0, 1.0), score


def test_billboard_alerts_are_exact(small) -> None:
    url, truth = small
    score = evaluation.billboard_alerts(url, truth)
    assert (score.precision, score.recall) == (1.0, 1.0), score


def test_red_and_orange_hold_three_times_the_base_rate_of_future_breakage(small) -> None:
    url, truth = small
    score = evaluation.facade_risk(url, truth)
    print(
        "\n"
        + ", ".join(f"precision@{k} {p:.2f} recall {r:.2f}" for k, (p, r) in score.at_k.items())
    )
    assert score.red_orange > 0 and score.lift >= 3.0, score
