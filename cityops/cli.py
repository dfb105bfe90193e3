"""The ``cityops`` command line.

Every error a user can cause or meet (a bad option, a stopped warehouse, a busy state
folder, a failed step) is one or two readable lines and a non-zero exit, never a
traceback: :func:`main` turns the project's own exceptions into messages. The consoles
print text as text (Rich markup is off), so a department's ``[/]`` is printed, not parsed.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .settings import SettingsError, get_settings

app = typer.Typer(
    help="CityOps Warehouse: ingest departmental files, gate them, model them, flag and export.",
    no_args_is_help=True,
    add_completion=False,
)
warehouse_app = typer.Typer(
    help="Start, stop and reach the warehouse database.", no_args_is_help=True
)
app.add_typer(warehouse_app, name="warehouse")

#: The demo city's as-of date (deliveries cover the 12 months before it).
DEFAULT_AS_OF = _dt.date(2026, 11, 24)

console = Console(markup=False, highlight=False)
err_console = Console(stderr=True, markup=False, highlight=False)


def say(label: str, message: object, style: str = "bold red") -> None:
    """``label`` styled, then ``message`` as plain text, on stderr."""
    err_console.print(Text.assemble((label, style), " ", str(message)))


def parse_day(value: str | None, option: str = "--as-of") -> _dt.date | None:
    """A ``YYYY-MM-DD`` option value (ASCII digits), or a usage error naming the option."""
    from ingest.discover import delivery_day

    if value is None:
        return None
    day = delivery_day(value)
    if day is not None:
        return day
    raise typer.BadParameter(f"{value!r} is not a date as YYYY-MM-DD", param_hint=option)


def landing_folder(value: Path | None) -> Path | None:
    """An existing ``--landing`` folder, resolved; a usage error otherwise."""
    if value is None:
        return None
    if not value.is_dir():
        what = "is not a folder" if value.exists() else "does not exist"
        raise typer.BadParameter(f"{value} {what}", param_hint="--landing")
    return value.resolve()


@contextlib.contextmanager
def exclusive(command: str) -> Iterator[None]:
    """Hold the state folder for one command (see :mod:`cityops.lock`)."""
    from .lock import state_lock

    settings = get_settings()
    with state_lock(
        settings.lock_file,
        command,
        wait=settings.lock_wait,
        on_wait=lambda message: say("waiting:", message, "yellow"),
    ):
        yield


@app.callback()
def _main() -> None:
    settings = get_settings()
    settings.check_production_safety()
    if settings.uses_dev_hmac_key:
        say(
            "warning:",
            "CITYOPS_HMAC_KEY is unset: person keys use the development key "
            "(fine for a demo, refused with CITYOPS_ENV=production).",
            "yellow",
        )


# -- warehouse ---------------------------------------------------------------------------
@warehouse_app.command("start")
def warehouse_start() -> None:
    """Start the embedded PostgreSQL (if WAREHOUSE_URL is unset) and bootstrap the schemas."""
    from .warehouse import bootstrap, warehouse_url

    url = warehouse_url()
    bootstrap(url)
    console.print(
        f"warehouse ready: {_without_password(url)} (`cityops warehouse url` prints the full URL)"
    )


@warehouse_app.command("stop")
def warehouse_stop() -> None:
    """Stop the embedded PostgreSQL (nothing to do when WAREHOUSE_URL points elsewhere)."""
    from .warehouse import embedded_server

    settings = get_settings()
    if not settings.uses_embedded_warehouse:
        console.print("WAREHOUSE_URL is set: that server is not ours to stop.")
        return
    stopped = embedded_server(settings).stop()
    console.print("embedded warehouse stopped" if stopped else "embedded warehouse was not running")


@warehouse_app.command("url")
def warehouse_url_cmd() -> None:
    """Print the warehouse's connection URL (starting the embedded server if needed)."""
    from .warehouse import warehouse_url

    typer.echo(warehouse_url())


@warehouse_app.command("status")
def warehouse_status() -> None:
    """Say which warehouse is in use and whether it answers."""
    from .warehouse import embedded_server

    settings = get_settings()
    if settings.warehouse_url:
        console.print(f"external warehouse: {_without_password(settings.warehouse_url)}")
        return
    server = embedded_server(settings)
    port = server.port()
    state = f"running on 127.0.0.1:{port}" if server.is_running() else "stopped"
    console.print(f"embedded warehouse in {settings.pgdata}: {state}")


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@warehouse_app.command(
    "psql", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def warehouse_psql(ctx: typer.Context) -> None:
    """Open psql on the warehouse; extra arguments go to psql (e.g. -c 'select 1')."""
    from .warehouse import pg_program, warehouse_url

    url = warehouse_url()
    psql = str(pg_program("psql"))
    os.execv(psql, [psql, url, *ctx.args])


# -- airflow -----------------------------------------------------------------------------
@app.command(
    "airflow",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def airflow_cmd(ctx: typer.Context) -> None:
    """Run the Airflow CLI with this project's environment (e.g. `cityops airflow standalone`)."""
    from .airflow_env import configure_process
    from .warehouse import bootstrap, warehouse_url

    url = warehouse_url()
    bootstrap(url)
    environ = configure_process(url=url)
    os.execve(
        sys.executable, [sys.executable, "-m", "airflow", *ctx.args], {**os.environ, **environ}
    )


# -- synthetic city --------------------------------------------------------------------
@app.command("generate")
def generate_cmd(
    scale: str = typer.Option(
        "small", help="tiny (unit tests), small (demo), district (profiling) or city (benchmark)"
    ),
    seed: int = typer.Option(20261124, help="same seed, same bytes"),
    as_of: str = typer.Option(
        None, "--as-of", help="YYYY-MM-DD; deliveries cover the 12 months before"
    ),
    out: Path = typer.Option(None, help="landing folder (default: CITYOPS_LANDING)"),
    truth: Path = typer.Option(None, help="ground-truth folder (default: <out>/../truth)"),
) -> None:
    """Write a synthetic city's departmental deliveries (and its hidden ground truth)."""
    from .synth import generate
    from .synth.config import SCALES

    if scale not in SCALES:
        raise typer.BadParameter(f"scale must be one of {', '.join(SCALES)}", param_hint="--scale")
    day = parse_day(as_of) or DEFAULT_AS_OF
    out = out or get_settings().landing
    truth = truth or out.parent / "truth"
    with console.status(f"generating a {scale} city as of {day}") as status:
        report = generate(scale, seed, day, out, truth, progress=lambda msg: status.update(msg))
    table = Table(title=f"{scale} city, seed {seed}, as of {day}")
    for column in ("source", "files", "rows", "seconds"):
        table.add_column(column, justify="right" if column != "source" else "left")
    for source, stats in report.sources.items():
        table.add_row(source, f"{stats.files:,}", f"{stats.rows:,}", f"{stats.seconds:.1f}")
    console.print(table)
    console.print(f"landing: {out}\ntruth:   {truth}")


# -- pipeline ----------------------------------------------------------------------------
def _prepare_airflow() -> str:
    """Start/bootstrap the warehouse, export Airflow's env, migrate its metadata DB, and
    build dbt's manifest if it is missing or stale (the transform DAG loads it)."""
    from .airflow_env import configure_process, ensure_metadata_db
    from .dbt import ensure_manifest
    from .warehouse import bootstrap, warehouse_url

    url = warehouse_url()
    bootstrap(url)
    configure_process(url=url)
    ensure_metadata_db()
    ensure_manifest(url)
    return url


def _ingest(url: str, sources: list[str], landing: Path | None) -> list[dict]:
    """Run the ingest DAGs (dag.test()) of the sources with something to do; return one
    summary per source. A source with no new delivery and nothing to report as ignored
    gets no DAG run: it would find what :func:`ingest.pipeline.pending` finds, and each
    run costs seconds of Airflow bookkeeping."""
    from ingest.pipeline import pending

    from .airflow_env import DagRunFailed, run_dag

    folder = landing or get_settings().landing
    conf = {"landing": str(folder)} if landing else {}
    results = []
    for source in sources:
        found = pending(url, source, folder)
        if not found.deliveries and not found.ignored:
            results.append({"source": source, "dag_failed": False, "run_id": None})
            continue
        try:
            run = run_dag(f"ingest_{source}", conf)
            failed = False
        except DagRunFailed as exc:
            run, failed = exc.dag_run, True
        results.append(
            {"source": source, "dag_failed": failed, "run_id": run.run_id if run else None}
        )
    idle = [r["source"] for r in results if r["run_id"] is None and not r["dag_failed"]]
    if idle:
        console.print(f"nothing new to load: {', '.join(idle)}")
    return results


def _ledger_table(url: str, run_ids: list[str]) -> tuple[Table, int]:
    import psycopg

    table = Table(title="ingestion (this run)")
    for column in (
        "source",
        "files loaded",
        "rows loaded",
        "rows rejected",
        "duplicates",
        "refused",
    ):
        table.add_column(column, justify="left" if column == "source" else "right")
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select source, count(distinct source_file) filter (where status = 'loaded'), "
            "coalesce(sum(rows_loaded) filter (where status = 'loaded'), 0), "
            "coalesce(sum(rows_rejected) filter (where status = 'loaded'), 0), "
            "count(*) filter (where status = 'duplicate'), count(distinct source_file) filter (where status = 'failed') "
            "from ops.load_batches where dag_run_id = any(%s) group by source order by source",
            (run_ids,),
        ).fetchall()
        by_rule = conn.execute(
            "select b.source, coalesce(r.rule, 'unreadable_row'), r.column_name, count(*) "
            "from ops.rejected_rows as r inner join ops.load_batches as b using (batch_id) "
            "where b.dag_run_id = any(%s) and b.status = 'loaded' group by 1, 2, 3 order by 1, 4 desc",
            (run_ids,),
        ).fetchall()
        refused = conn.execute(
            "select source_file, errors->0->>'error', quarantine_path from ops.load_batches "
            "where dag_run_id = any(%s) and status = 'failed' and quarantine_path is not null "
            "group by 1, 2, 3 order by 1",
            (run_ids,),
        ).fetchall()
    for r in rows:
        table.add_row(r[0], *(f"{v:,}" for v in r[1:]))
    for source, rule, column, n in by_rule:
        rule = rule.replace("expect_column_values_to_", "")
        say(
            "rejected",
            f"{source}: {n:,} row(s) {rule}" + (f" ({column})" if column else ""),
            "yellow",
        )
    for path, error, target in refused:
        say("refused", f"{path}: {error}\n  report: {target}.report.md", "red")
    return table, len(refused)


@app.command("ingest")
def ingest_cmd(
    source: list[str] = typer.Option(
        None, "--source", "-s", help="source(s) to ingest (default: all)"
    ),
    landing: Path = typer.Option(None, help="landing folder (default: CITYOPS_LANDING)"),
) -> None:
    """Ingest new deliveries through the real ingest DAGs (dag.test())."""
    sources = _sources(source)
    landing = landing_folder(landing)
    with exclusive("ingest"):
        url = _prepare_airflow()
        results = _ingest(url, sources, landing)
        table, refused = _ledger_table(url, [r["run_id"] for r in results if r["run_id"]])
    console.print(table)
    failed = [r["source"] for r in results if r["dag_failed"]]
    if failed:
        say("failed:", f"ingest DAG(s) of {', '.join(failed)} (see the task logs above)")
    if refused or failed:
        raise typer.Exit(1)


def _sources(chosen: list[str] | None) -> list[str]:
    from ingest.sources import REGISTRY

    sources = list(chosen or REGISTRY)
    unknown = sorted(set(sources) - set(REGISTRY))
    if unknown:
        raise typer.BadParameter(
            f"unknown source(s): {', '.join(unknown)}; known: {', '.join(REGISTRY)}",
            param_hint="--source",
        )
    return sources


@app.command(
    "dbt",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def dbt_cmd(ctx: typer.Context) -> None:
    """Run dbt on the project against the warehouse (e.g. `cityops dbt parse`, `cityops dbt test`)."""
    from .dbt import DbtFailed, ensure_manifest, run_dbt
    from .warehouse import bootstrap, warehouse_url

    args = list(ctx.args)
    if not args or args[0].startswith("-"):  # dbt's own help or version: no project needed
        from dbt.cli.main import dbtRunner

        result = dbtRunner().invoke(args or ["--help"])
        raise typer.Exit(0 if result.success else 2)
    with exclusive("dbt"):
        url = warehouse_url()
        bootstrap(url)
        try:
            if args == ["parse"]:  # also publish the manifest the transform DAG loads
                ensure_manifest(url, force=True)
            else:
                run_dbt(args, url)
        except DbtFailed as exc:
            say("error:", exc)
            raise typer.Exit(1) from exc


def _run_pipeline(landing: Path | None, as_of: str, sources: list[str]) -> int:
    """ingest -> transform -> exports through the real DAGs; print a summary; return an exit code."""
    from .airflow_env import DagRunFailed, run_dag

    url = _prepare_airflow()
    failed_steps: list[str] = []
    with console.status("ingesting deliveries"):
        results = _ingest(url, sources, landing)
    table, refused = _ledger_table(url, [r["run_id"] for r in results if r["run_id"]])
    console.print(table)
    if refused:
        failed_steps.append(f"ingest: {refused} file(s) refused")
    broken = [r["source"] for r in results if r["dag_failed"]]
    if broken:
        failed_steps.append(f"ingest DAG(s) failed: {', '.join(broken)}")
    for dag_id, conf, label in (
        ("transform", {"as_of": as_of}, "transforming (dbt via cosmos)"),
        ("export_matching", {"as_of": as_of}, "writing exports"),
    ):
        with console.status(label):
            try:
                run_dag(dag_id, conf)
            except DagRunFailed as exc:
                say(f"{dag_id} failed:", ", ".join(exc.failed_tasks) or exc.state)
                failed_steps.append(dag_id)
                break
    if "transform" not in failed_steps:
        from .report import print_summary, write_report

        print_summary(console, url, as_of)
        report = write_report(url, as_of)
        console.print(f"run report: {report}")
    if failed_steps:
        say("failed:", "; ".join(failed_steps))
        return 1
    return 0


@app.command("run")
def run_cmd(
    landing: Path = typer.Option(None, help="landing folder (default: CITYOPS_LANDING)"),
    as_of: str = typer.Option(
        None, "--as-of", help="YYYY-MM-DD the marts answer for (default: today)"
    ),
    source: list[str] = typer.Option(None, "--source", "-s", help="ingest only these sources"),
) -> None:
    """Run it all: ingest -> transform -> flags -> exports, through the real DAGs."""
    day = (parse_day(as_of) or _dt.date.today()).isoformat()
    sources, landing = _sources(source), landing_folder(landing)
    with exclusive("run"):
        code = _run_pipeline(landing, day, sources)
    raise typer.Exit(code)


@app.command("export")
def export_cmd(
    as_of: str = typer.Option(None, "--as-of", help="default: the marts' as-of date"),
) -> None:
    """Write the per-street matching exports (audited in ops.exports)."""
    from .exports import write_exports
    from .warehouse import warehouse_url

    day = parse_day(as_of)
    with exclusive("export"):
        result = write_exports(
            warehouse_url(),
            get_settings().exports,
            day.isoformat() if day else None,
            actor=os.environ.get("USER"),
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
    from .exports import graduate_list
    from .fileio import csv_bytes, write_private
    from .warehouse import warehouse_url

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
    from .exports import _cell as cell

    return cell(value)


shops_app = typer.Typer(
    help="汇商码: shop profile pages with QR codes, and inspectors' work lists."
)
app.add_typer(shops_app, name="shops")


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
    from .shops import publish
    from .warehouse import warehouse_url

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
    from .shops import evaluation_sentence, worklist
    from .warehouse import warehouse_url

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
app.add_typer(offices_app, name="offices")


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
    from .exports import marts_as_of
    from .offices import Criteria, area_bounds, criteria_for, match
    from .warehouse import warehouse_url

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
app.add_typer(policies_app, name="policies")


@policies_app.command("explain")
def policies_explain(
    uscc: str = typer.Option(..., "--uscc", help="the enterprise's credit code"),
    policy: str = typer.Option(None, "--policy", help="one policy's id"),
) -> None:
    """Why each policy in force does or does not apply to one enterprise, condition by condition."""
    from .policies import explain
    from .warehouse import warehouse_url

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


@warehouse_app.command("street-account")
def warehouse_street_account(
    street_code: str = typer.Argument(..., help="the street's code, e.g. 310101002"),
) -> None:
    """Create the login of one street (it sees only its own rows of the street marts).

    The password, if any, is read from CITYOPS_STREET_PASSWORD (never from the command line).
    """
    import psycopg

    from .roles import create_street_account
    from .warehouse import warehouse_url

    try:
        with psycopg.connect(warehouse_url(), autocommit=True) as conn:
            role = create_street_account(conn, street_code, get_settings().street_password)
    except ValueError as exc:
        say("error:", exc)
        raise typer.Exit(2) from exc
    console.print(f"street account {role} ready")


@app.command("evaluate")
def evaluate_cmd(
    truth: Path = typer.Option(..., help="the generator's ground-truth folder of the loaded city"),
) -> None:
    """Score the warehouse against a synthetic city's ground truth (tests and benchmarks only)."""
    from . import evaluation
    from .warehouse import warehouse_url

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


@app.command("demo")
def demo(
    scale: str = typer.Option("small", help="size of the generated city"),
) -> None:
    """What `make demo` runs: generate a city (if absent), then run the whole pipeline on it."""
    from .synth import generate

    settings = get_settings()
    landing = settings.landing
    with exclusive("demo"):
        if not any(landing.glob("*/*/*")):
            with console.status(f"generating a {scale} city in {landing}"):
                generate(scale, 20261124, DEFAULT_AS_OF, landing, landing.parent / "truth")
        code = _run_pipeline(landing, DEFAULT_AS_OF.isoformat(), _sources(None))
    raise typer.Exit(code)


def _known_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that are the user's situation, not a bug: said in a line, exit 1."""
    import psycopg

    from .airflow_env import DagRunFailed
    from .dbt import DbtFailed
    from .exports import NoMartsYet
    from .lock import StateFolderBusy
    from .warehouse import WarehouseError

    return (
        SettingsError,
        StateFolderBusy,
        WarehouseError,
        NoMartsYet,
        DbtFailed,
        DagRunFailed,
        psycopg.OperationalError,
    )


def main() -> None:
    """The console entry point: the app, with the project's errors said in plain words."""
    try:
        code = app(prog_name="cityops", standalone_mode=False)
    except typer.Exit as exc:  # raised where click does not turn it into a return value
        sys.exit(exc.exit_code)
    except typer.Abort:
        say("aborted", "")
        sys.exit(130)
    except KeyboardInterrupt:
        say("interrupted", "")
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: typer's own message and exit code
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        sys.exit(getattr(exc, "exit_code", 2))
    except Exception as exc:
        if isinstance(exc, _known_errors()):
            message = str(exc).strip().splitlines() or [type(exc).__name__]
            if "psycopg" in type(exc).__module__:
                message = ["the warehouse cannot be reached: " + message[0]]
            say("error:", "\n".join(message[:2]))
            sys.exit(2 if isinstance(exc, SettingsError) else 1)
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
