"""What the marts answer: the audited exports, the graduate list, scores against a truth."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich.table import Table

from ..settings import get_settings
from ._app import app, console, exclusive, parse_day, say


@app.command("export")
def export_cmd(
    as_of: str = typer.Option(None, "--as-of", help="default: the marts' as-of date"),
) -> None:
    """Write the per-street matching exports (audited in ops.exports)."""
    from ..exports import write_exports
    from ..warehouse import warehouse_url

    day = parse_day(as_of)
    with exclusive("export"):
        result = write_exports(
            warehouse_url(),
            get_settings().exports,
            day.isoformat() if day else None,
            actor=get_settings().actor or getpass.getuser(),
        )
    console.print(f"{len(result.files)} files for {result.as_of} in {result.root}")


@app.command("graduates")
def graduates_cmd(
    street: str = typer.Option(None, "--street", help="one street's code, e.g. 310101002"),
    full_ids: bool = typer.Option(
        False, "--full-ids", help="full ID numbers (needs --reason; recorded in ops.audit_log)"
    ),
    reason: str = typer.Option(None, "--reason", help="why full ID numbers are read"),
    csv_out: Path = typer.Option(None, "--csv", help="write a CSV file (0600) instead of a table"),
) -> None:
    """List the graduates from low-income families (masked IDs unless --full-ids)."""
    from ..exports import graduate_list
    from ..fileio import csv_bytes, write_private
    from ..warehouse import warehouse_url

    try:
        headers, rows = graduate_list(
            warehouse_url(), street_code=street, full_ids=full_ids, reason=reason
        )
    except ValueError as exc:
        say("error:", exc)
        raise typer.Exit(2) from exc
    if csv_out:
        write_private(csv_out, csv_bytes(headers, [[_cell(v) for v in r] for r in rows]))
        console.print(f"{len(rows)} graduate(s) written to {csv_out}")
        return
    table = Table(*headers, title=f"{len(rows)} graduate(s)")
    for r in rows:
        table.add_row(*(str(_cell(v)) for v in r))
    console.print(table)


def _cell(value: object) -> object:
    from ..exports import _cell as cell

    return cell(value)


@app.command("evaluate")
def evaluate_cmd(
    truth: Path = typer.Option(..., help="the generator's ground-truth folder of the loaded city"),
) -> None:
    """Score the warehouse against a synthetic city's ground truth (tests and benchmarks only)."""
    from .. import evaluation
    from ..warehouse import warehouse_url

    url, key = warehouse_url(), get_settings().hmac_key
    p = evaluation.person_resolution(url, truth, key)
    console.print(
        f"person pairs: TP {p.true_positive:,} FP {p.false_positive:,} FN {p.false_negative:,} "
        f"-> precision {p.precision:.4f} recall {p.recall:.4f} (records {p.records:,}, unmatched {p.unmatched})"
    )
    b = evaluation.building_linkage(url, truth)
    console.print(
        f"inspections: {b.linked:,}/{b.inspections:,} linked, {b.wrong} to a wrong building "
        f"({b.linked_correctly_share:.2%} correct)"
    )
    g = evaluation.graduates(url, truth, key)
    console.print(
        f"graduates: {g.correct}/{g.expected} found, {g.found - g.correct} false "
        f"-> precision {g.precision:.3f} recall {g.recall:.3f}"
    )
    a = evaluation.billboard_alerts(url, truth)
    console.print(f"billboard alerts: precision {a.precision:.3f} recall {a.recall:.3f}")
    r = evaluation.facade_risk(url, truth)
    console.print(
        f"facade risk: base rate {r.base_rate:.3f}; red+orange {r.red_orange} buildings at "
        f"{r.red_orange_rate:.3f} ({r.lift:.1f}x)"
    )
    for k, (precision, recall) in r.at_k.items():
        console.print(f"  top {k}: precision {precision:.3f} recall {recall:.3f}")
