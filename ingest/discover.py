"""Finding deliveries: ``<landing>/<source>/<YYYY-MM-DD>/<file>``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .spec import SourceSpec


@dataclass(frozen=True)
class Delivery:
    path: Path
    delivered_on: dt.date

    @property
    def size(self) -> int:
        return self.path.stat().st_size


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
            if not path.is_file() or path.name.startswith("."):
                continue
            if not source.entities_for(path.name):
                ignored.append(f"{path}: file name matches no {source.name} contract")
                continue
            if known.get(str(path)) == path.stat().st_size:
                continue
            deliveries.append(Delivery(path, day))
    return Discovery(deliveries, ignored)
