"""Refused files leave the landing area for quarantine, with a report a person can read.

A refused file may hold full ID numbers: the quarantine is readable by its owner only
(folders 0700, the file and its reports 0600), like the exports.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any


def quarantine_file(
    path: Path,
    quarantine_root: Path,
    *,
    source: str,
    delivered_on: dt.date,
    reason: str,
    failures: list[dict[str, Any]],
    batch_ids: list[int],
    sha256: str,
) -> Path:
    """Move ``path`` into quarantine (never delete it) and write ``<file>.report.md`` and ``.json``."""
    folder = quarantine_root / source / delivered_on.isoformat()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for level in (quarantine_root, quarantine_root / source, folder):
        level.chmod(0o700)
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{n}{path.suffix}"
        n += 1
    shutil.move(str(path), target)
    target.chmod(0o600)
    report = {
        "file": path.name,
        "original_path": str(path),
        "quarantined_as": str(target),
        "source": source,
        "delivered_on": delivered_on.isoformat(),
        "sha256": sha256,
        "batch_ids": batch_ids,
        "refused_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "reason": reason,
        "failures": failures,
    }
    _write_private(
        Path(f"{target}.report.json"), json.dumps(report, ensure_ascii=False, indent=2, default=str)
    )
    lines = [
        f"# Quarantined: {path.name}",
        "",
        f"- source: `{source}`, delivered on {delivered_on.isoformat()}",
        f"- original path: `{path}`",
        f"- sha256: `{sha256}`",
        f"- ledger batches: {', '.join(map(str, batch_ids)) or 'none'}",
        "",
        "## Why it was refused",
        "",
        reason,
        "",
    ]
    if failures:
        lines += [
            "## Rules broken",
            "",
            "| rule | column | failing rows | sample rows | sample values |",
            "|---|---|---|---|---|",
        ]
        for f in failures:
            rows = ", ".join(map(str, f.get("sample_rows", [])))
            values = ", ".join(repr(v) for v in f.get("sample_values", [])[:5])
            lines.append(
                f"| {f.get('rule')} | {f.get('column') or ''} | {f.get('unexpected_count')} of "
                f"{f.get('element_count')} | {rows} | {values} |"
            )
        lines.append("")
    lines += [
        "## What to do",
        "",
        "Nothing from this file was loaded; data loaded earlier is untouched. Ask the department for a "
        "corrected delivery and drop it into the landing area (a new file or the same name in a new "
        "delivery folder); it will be picked up on the next run.",
        "",
    ]
    _write_private(Path(f"{target}.report.md"), "\n".join(lines))
    return target


def _write_private(path: Path, text: str) -> None:
    from cityops.fileio import write_private

    write_private(path, text.encode("utf-8"))
