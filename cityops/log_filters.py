"""Library log lines that say nothing to this project's users, dropped at their source.

A default ``cityops run`` prints progress and its summary. Two of cosmos' warnings
appear for every model of every build and mean nothing here:

* "Compiled sql path ... does not exist": in watcher mode the one ``dbt build`` runs in a
  temporary copy of the project, gone when the per-model tasks report; the compiled SQL
  stays in dbt's own log and in ``CITYOPS_HOME/dbt``.
* "Unavailable conversion function for <DbtResourceType.OPERATION>": the project's
  ``on-run-start`` hook (the SQL functions) runs inside that build; it needs no task.

Only these messages are dropped; every other warning of those loggers still shows.
"""

from __future__ import annotations

import logging

NOISE = {
    "cosmos.operators._watcher.base": ("Compiled sql path",),
    "cosmos.airflow.graph": ("Unavailable conversion function for <DbtResourceType.OPERATION>",),
}


class DropMessages(logging.Filter):
    def __init__(self, fragments: tuple[str, ...]) -> None:
        super().__init__()
        self.fragments = fragments

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not any(fragment in message for fragment in self.fragments)


def quiet_known_noise() -> None:
    """Attach the filters (once per process)."""
    for name, fragments in NOISE.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, DropMessages) for f in logger.filters):
            logger.addFilter(DropMessages(fragments))
