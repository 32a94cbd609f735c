"""Read and write workflow JSON Lines files, one `backend.workflows.model.Workflow` per line.

A bad row must not cost the rest of a million-row file: readers report it as `file:line: reason`
and go on. Only a file that cannot be opened at all is a `DataError`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from backend.errors import DataError
from backend.model.model_files import atomic_write
from backend.workflows.model import Workflow


@dataclass
class ReadReport:
    """What a read skipped, as `file:line: reason` lines a person can jump to."""

    problems: list[str] = field(default_factory=list)
    rows: int = 0

    def add(self, where: str, reason: str) -> None:
        self.problems.append(f"{where}: {reason}")

    def print(self, stream: TextIO = sys.stderr) -> None:
        for line in self.problems:
            print(line, file=stream)


def validation_reason(exc: ValidationError) -> str:
    """One line per pydantic error, `loc: message`, so the report names the broken field."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return "; ".join(parts)


def read_workflows(path: str | Path, report: ReadReport | None = None) -> Iterator[Workflow]:
    """Yield the valid workflows of a JSONL file; record every bad row in `report`."""
    report = report if report is not None else ReadReport()
    p = Path(path)
    try:
        fh = p.open(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read workflow file {p}: {exc.strerror}") from exc
    with fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            report.rows += 1
            where = f"{p}:{number}"
            try:
                data = json.loads(line)
            except ValueError as exc:
                report.add(where, f"not JSON ({exc})")
                continue
            try:
                yield Workflow.model_validate(data)
            except ValidationError as exc:
                report.add(where, validation_reason(exc))


def read_many(paths: Iterable[str | Path], report: ReadReport | None = None) -> Iterator[Workflow]:
    """All workflows of several files (a directory stands for its `*.jsonl` files), in order."""
    for path in paths:
        p = Path(path)
        files = sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
        if p.is_dir() and not files:
            raise DataError(f"no *.jsonl workflow files in {p}")
        for f in files:
            yield from read_workflows(f, report)


def write_workflows(path: str | Path, workflows: Iterable[Workflow]) -> int:
    """Write workflows as JSONL (atomically: a crash leaves the old file or none). Returns the count."""
    count = 0
    with atomic_write(Path(path)) as tmp, tmp.open("w", encoding="utf-8") as fh:
        for wf in workflows:
            fh.write(wf.model_dump_json(exclude_none=True) + "\n")
            count += 1
    return count
