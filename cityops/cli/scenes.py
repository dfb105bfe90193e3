"""The scenes' own commands: 汇商码 shops, 精准营商 offices, 政策通 policies."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..settings import get_settings
from ._app import console, say

shops_app = typer.Typer(
    help="汇商码: shop profile pages with QR codes, and inspectors' work lists."
)


@shops_app.command("publish")
def shops_publish(
    out: Path = typer.Option(
        None, "--out", help="folder of the pages (default: CITYOPS_HOME/shops)"
    ),
    base_url: str = typer.Option(
        None, "--base-url", help="where the pages are served (default: CITYOPS_SHOP_BASE_URL)"
    ),
) -> None:
    """Write one profile page and one QR code per shop (no personal data on any page)."""
    from ..shops import publish
    from ..warehouse import warehouse_url

    settings = get_settings()
    try:
        result = publish(
            warehouse_url(), out or settings.shop_pages, base_url or settings.shop_base_url
        )
    except (ValueError, LookupError) as exc:
        say("error:", exc)
        raise typer.Exit(2) from exc
    console.print(f"{result.shops} shop pages as of {result.as_of} in {result.root}")


@shops_app.command("worklist")
def shops_worklist(
    street: str = typer.Option(None, "--street", help="one street's code, e.g. 310104014"),
    top: int = typer.Option(20, "--top", min=1, help="shops per street"),
) -> None:
    """The inspection work list: each street's shops by risk of a critical finding, with reasons."""
    from ..shops import evaluation_sentence, worklist
    from ..warehouse import warehouse_url

    url = warehouse_url()
    try:
        rows = worklist(url, street, top)
    except LookupError as exc:
        say("error:", exc)
        raise typer.Exit(2) from exc
    table = Table("street", "rank", "shop", "address", "risk", "reasons", "last inspected", "code")
    for r in rows:
        table.add_row(
            escape(str(r["street_name"])),
            str(r["street_rank"]),
            escape(f"{r['shop_name']} ({r['shop_id']})"),
            escape(str(r["address"])),
            f"{r['risk_score']:.2f}",
            escape(str(r["reasons"])),
            str(r["last_inspected_on"] or "never"),
            str(r["colour"]),
        )
    console.print(table)
    sentence = evaluation_sentence(url)
    if sentence:
        console.print(escape(sentence))


offices_app = typer.Typer(help="精准营商: office units matched to enterprises' requests.")


@offices_app.command("match")
def offices_match(
    request: str = typer.Option(None, "--request", help="an open 办公用房 request's id"),
    uscc: str = typer.Option(None, "--uscc", help="an enterprise's credit code"),
    area: str = typer.Option(None, "--area", help="area need: 300-500, ≥800 or one number"),
    rent: float = typer.Option(None, "--rent", help="rent budget, 元/㎡/天"),
    area_name: list[str] = typer.Option(
        None, "--area-name", help="wanted district or street (repeatable)"
    ),
    top: int = typer.Option(5, "--top", min=1, help="units to list"),
) -> None:
    """Candidate office units for a request (or typed criteria), ranked by fit with reasons.

    Criteria given with --area, --rent or --area-name replace the request's own.
    """
    from ..exports import marts_as_of
    from ..offices import Criteria, area_bounds, criteria_for, match
    from ..warehouse import warehouse_url

    url = warehouse_url()
    try:
        criteria = (
            criteria_for(url, request_id=request, uscc=uscc) if request or uscc else Criteria()
        )
        if area is not None:
            criteria.low, criteria.high = area_bounds(area)
            if criteria.low is None:
                raise ValueError(f"--area {area!r}: write 300-500, ≥800 or one number")
        if rent is not None:
            criteria.rent_budget = rent
        if area_name:
            criteria.wanted = [n for name in area_name for n in name.split(";") if n]
        on = _dt.date.fromisoformat(marts_as_of(url) or _dt.date.today().isoformat())
        rows = match(url, criteria, on=on, top=top)
    except (ValueError, LookupError) as exc:
        say("error:", exc)
        raise typer.Exit(2) from exc
    console.print(escape(criteria.describe()))
    if not rows:
        console.print("no unit meets these criteria")
        return
    table = Table("rank", "unit", "building", "fit", "area", "rent", "place", "building")
    for r in rows:
        table.add_row(
            str(r["match_rank"]),
            escape(str(r["unit_id"])),
            escape(f"{r['building_name']} ({r['building_code'] or '未入册'})"),
            f"{r['fit']:.2f}",
            escape(r["area_reason"]),
            escape(r["rent_reason"]),
            escape(r["place_reason"]),
            escape(r["building_reason"]),
        )
    console.print(table)


policies_app = typer.Typer(help="政策通: policies matched to enterprises, with reasons.")


@policies_app.command("explain")
def policies_explain(
    uscc: str = typer.Option(..., "--uscc", help="the enterprise's credit code"),
    policy: str = typer.Option(None, "--policy", help="one policy's id"),
) -> None:
    """Why each policy in force does or does not apply to one enterprise, condition by condition."""
    from ..policies import explain
    from ..warehouse import warehouse_url

    try:
        found = explain(warehouse_url(), uscc, policy)
    except LookupError as exc:
        say("error:", exc)
        raise typer.Exit(2) from exc
    for p in found:
        verdict = "applies" if p.applies else f"does not apply ({len(p.failing)} condition(s) fail)"
        console.print(escape(f"{p.policy_id} {p.title} [{p.mode}]: {verdict}"), style="bold")
        for c in p.conditions:
            mark = "✓" if c["holds"] else "✗"
            console.print(
                escape(
                    f"  {mark} {c['label']} {c['op']} {c['value_text']}: "
                    f"the enterprise has {c['enterprise_value']}"
                )
            )
