"""The ``cityops`` app, its consoles and the helpers every command group shares.

The consoles print text as text (Rich markup is off), so a department's ``[/]`` is
printed, not parsed.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.console import Console
from rich.text import Text

from ..settings import get_settings

app = typer.Typer(
    help="CityOps Warehouse: ingest departmental files, gate them, model them, flag and export.",
    no_args_is_help=True,
    add_completion=False,
)

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
    from ..lock import state_lock

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
