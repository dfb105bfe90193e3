"""Finding deliveries: ``<landing>/<source>/<YYYY-MM-DD>/<file>``.

The landing area is a boundary. A symbolic link (to a file or to a folder) and anything
that resolves outside the landing area are refused with a reason and never opened; day
folders and file names match their contracts in ASCII digits only (``2026-10-21``, not
``20261021``, ``2026-W43-3`` or full-width digits).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .spec import SourceSpec

#: Suffixes of files a department is still writing; they are picked up once renamed.
IN_PROGRESS = (".part", ".tmp", ".partial", ".crdownload")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


@dataclass(frozen=True)
class Delivery:
    path: Path
    delivered_on: dt.date
    #: (size, mtime in ns) when the file was discovered; a load commits only if it still holds.
    fingerprint: tuple[int, int] = (-1, -1)

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def changed(self) -> bool:
        """Whether the file was rewritten or grew since discovery (e.g. still being copied)."""
        try:
            return _fingerprint(self.path) != self.fingerprint
        except FileNotFoundError:
            return True


def _fingerprint(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


@dataclass
class Discovery:
    deliveries: list[Delivery]
    ignored: list[str]  # paths that are not deliveries of this source, with the reason


def delivery_day(name: str) -> dt.date | None:
    """The delivery date a day folder's name states (``YYYY-MM-DD`` exactly), else None."""
    if not _DAY.fullmatch(name):
        return None
    try:
        return dt.date.fromisoformat(name)
    except ValueError:
        return None


def outside(path: Path, landing: Path) -> str | None:
    """Why ``path`` is not inside the landing area (a link, or resolving elsewhere), else None."""
    if path.is_symlink():
        return "a symbolic link: deliveries must be real files and folders inside the landing area; not opened"
    if not path.resolve().is_relative_to(landing.resolve()):
        return "resolves outside the landing area; not opened"
    return None


def discover(landing: Path, source: SourceSpec, known: dict[str, int] | None = None) -> Discovery:
    """Deliveries of ``source`` not yet loaded, oldest delivery first (later deliveries win)."""
    known = known or {}
    root = landing / source.name
    deliveries: list[Delivery] = []
    ignored: list[str] = []
    if root.is_symlink() or (root.exists() and outside(root, landing)):
        return Discovery([], [f"{root}: {outside(root, landing)}"])
    if not root.is_dir():
        return Discovery([], [])
    for folder in sorted(root.iterdir()):
        why = outside(folder, landing)
        if why:
            ignored.append(f"{folder}: {why}")
            continue
        if not folder.is_dir():
            ignored.append(f"{folder}: not a delivery folder")
            continue
        day = delivery_day(folder.name)
        if day is None:
            ignored.append(f"{folder}: folder name is not a delivery date (YYYY-MM-DD)")
            continue
        for path in sorted(folder.iterdir()):
            if path.name.startswith(".") or path.suffix in IN_PROGRESS:
                continue  # hidden or still being written (deliver as .name or name.part, then rename)
            why = outside(path, landing)
            if why:
                ignored.append(f"{path}: {why}")
                continue
            if not path.is_file():
                continue
            if not source.entities_for(path.name):
                ignored.append(f"{path}: file name matches no {source.name} contract")
                continue
            if known.get(str(path)) == path.stat().st_size:
                continue
            deliveries.append(Delivery(path, day, _fingerprint(path)))
    return Discovery(deliveries, ignored)
