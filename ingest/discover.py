"""Finding deliveries: ``<landing>/<source>/<YYYY-MM-DD>/<file>``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .spec import SourceSpec

#: Suffixes of files a department is still writing; they are picked up once renamed.
IN_PROGRESS = (".part", ".tmp", ".partial", ".crdownload")


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


def discover(landing: Path, source: SourceSpec, known: dict[str, int] | None = None) -> Discovery:
    """Deliveries of ``source`` not yet loaded, oldest delivery first (later deliveries win)."""
    known = known or {}
    root = landing / source.name
    deliveries: list[Delivery] = []
    ignored: list[str] = []
    if not root.is_dir():
        return Discovery([], [])
    for folder in sorted(root.iterdir()):
        if not folder.is_dir():
            ignored.append(f"{folder}: not a delivery folder")
            continue
        try:
            day = dt.date.fromisoformat(folder.name)
        except ValueError:
            ignored.append(f"{folder}: folder name is not a delivery date (YYYY-MM-DD)")
            continue
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.startswith(".") or path.suffix in IN_PROGRESS:
                continue  # hidden or still being written (deliver as .name or name.part, then rename)
            if not source.entities_for(path.name):
                ignored.append(f"{path}: file name matches no {source.name} contract")
                continue
            if known.get(str(path)) == path.stat().st_size:
                continue
            deliveries.append(Delivery(path, day, _fingerprint(path)))
    return Discovery(deliveries, ignored)
