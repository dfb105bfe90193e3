"""The ``cityops`` command line: a package of command groups over the project's services.

Every error a user can cause or meet (a bad option, a stopped warehouse, a busy state
folder, a failed step) is one or two readable lines and a non-zero exit, never a
traceback: :func:`main` turns the project's own exceptions into messages.

- :mod:`._app`: the app, its consoles and the shared option helpers;
- :mod:`.pipeline`: generate, ingest, dbt, run, demo, airflow;
- :mod:`.results`: export, graduates, evaluate;
- :mod:`.warehouse`: ``cityops warehouse ...`` and street accounts;
- :mod:`.scenes`: ``cityops shops``, ``offices`` and ``policies``.
"""

from __future__ import annotations

import sys

import typer

from ..settings import SettingsError
from . import pipeline, results  # noqa: F401  (their commands register on the app)
from ._app import app, say
from .scenes import offices_app, policies_app, shops_app
from .warehouse import warehouse_app

app.add_typer(warehouse_app, name="warehouse")
app.add_typer(shops_app, name="shops")
app.add_typer(offices_app, name="offices")
app.add_typer(policies_app, name="policies")

__all__ = ["app", "main"]


def _known_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that are the user's situation, not a bug: said in a line, exit 1."""
    import psycopg

    from ..airflow_env import DagRunFailed
    from ..dbt import DbtFailed
    from ..exports import NoMartsYet
    from ..lock import StateFolderBusy
    from ..warehouse import WarehouseError

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
