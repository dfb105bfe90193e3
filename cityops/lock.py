"""One command at a time on a state folder.

Two ``cityops run``\\ s on the same ``CITYOPS_HOME`` would share one Great Expectations
context, one dbt target and one Airflow metadata DB, and run two dbt builds against one
warehouse at once. A command that changes any of them holds an exclusive ``flock`` on
``CITYOPS_HOME/cityops.lock`` for its whole run; a second one waits for it (saying so)
up to ``CITYOPS_LOCK_WAIT`` seconds, then gives up with a message naming the holder. The
kernel releases the lock when its holder exits, however it exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path


class StateFolderBusy(RuntimeError):
    """Another command holds the state folder."""


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return text or "another cityops command"


@contextlib.contextmanager
def state_lock(
    path: Path,
    command: str,
    *,
    wait: float,
    on_wait: Callable[[str], None] | None = None,
    poll: float = 0.5,
) -> Iterator[None]:
    """Hold the lock at ``path`` while the block runs (see the module docstring)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(path)
                if time.monotonic() >= deadline:
                    raise StateFolderBusy(
                        f"{holder} is using {path.parent}; try again when it has finished "
                        f"(CITYOPS_LOCK_WAIT={wait:g} s to wait longer)"
                    ) from None
                if not told and on_wait is not None:
                    on_wait(f"waiting for {holder} to finish with {path.parent}")
                    told = True
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.write(fd, f"`cityops {command}` (pid {os.getpid()})\n".encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
