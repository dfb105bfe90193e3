"""The source registry: one spec per department file contract (rendered as docs/sources/ by cityops.contracts).

Adding a source: write ``ingest/sources/<name>.py`` with a ``SPEC``, add it below, run
``python -m cityops.contracts`` (its GX suite, dbt sources and contract page) and write
its staging model and tests.
"""

from __future__ import annotations

from ..spec import SourceSpec
from . import (
    billboards,
    consumer_feedback,
    education,
    employment,
    enterprise_events,
    enterprise_requests,
    enterprises,
    facade_inspections,
    housing,
    office_space,
    policies,
    policy_applications,
    population,
    shop_inspections,
    shop_licences,
    shop_ratings,
    shops,
    weather,
    welfare,
)

REGISTRY: dict[str, SourceSpec] = {
    module.SPEC.name: module.SPEC
    for module in (
        housing,
        facade_inspections,
        weather,
        population,
        welfare,
        education,
        employment,
        billboards,
        shops,
        shop_licences,
        shop_inspections,
        shop_ratings,
        consumer_feedback,
        enterprises,
        enterprise_events,
        enterprise_requests,
        office_space,
        policies,
        policy_applications,
    )
}


def get_source(name: str) -> SourceSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known: {', '.join(REGISTRY)}") from None
