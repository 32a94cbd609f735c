"""Recorded workflows in one SQLite file: the extension's recordings become training data here.

WAL journal + `synchronous=FULL` make every committed `add` survive a crash or power loss of the
server (a recording is a person's demonstrated work and cannot be re-made cheaply), while the CLI
can read the file while the server writes it. The full record is stored as the JSON that
`backend.workflows.model.Workflow` produces, so export is a plain copy of validated rows.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Optional

from pydantic import ValidationError

from backend.errors import DataError
from backend.workflows.model import Workflow

#: File name of the store inside the data dir (server and CLI must agree on it).
DB_FILENAME = "workflows.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS workflows (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    id        TEXT NOT NULL UNIQUE,
    objective TEXT NOT NULL,
    site      TEXT NOT NULL,
    steps     INTEGER NOT NULL,
    created   TEXT NOT NULL,
    record    TEXT NOT NULL
)
"""


class WorkflowConflict(DataError):
    """A different workflow was already saved under the same id."""


def default_store_path(data_dir: Path) -> Path:
    """Where the server and `scribeagent workflows` find the store."""
    return Path(data_dir) / DB_FILENAME


class WorkflowStore:
    """Add, list, get, delete and export workflows; safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            # check_same_thread=False: FastAPI runs handlers in a thread pool; `_lock` serialises use.
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise DataError(f"workflow store {self.path} is not usable: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "WorkflowStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise DataError(f"workflow store {self.path}: {exc}") from exc

    def add(self, workflow: Workflow) -> str:
        """Save `workflow` under its own id and return the id.

        Re-sending the identical workflow is a no-op (a client retrying after a lost answer must
        not duplicate or fail); a different workflow under a taken id is a `WorkflowConflict`.
        """
        record = workflow.model_dump_json()
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                row = self._db.execute("SELECT record FROM workflows WHERE id = ?", (workflow.id,)).fetchone()
                if row is None:
                    self._db.execute(
                        "INSERT INTO workflows (id, objective, site, steps, created, record) VALUES (?, ?, ?, ?, ?, ?)",
                        (workflow.id, workflow.objective, workflow.site, len(workflow.steps), created, record),
                    )
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise DataError(f"workflow store {self.path}: cannot save: {exc}") from exc
        if row is not None and row[0] != record:
            raise WorkflowConflict(f"a different workflow with id {workflow.id!r} is already stored")
        return workflow.id

    def list(self) -> list[dict[str, Any]]:
        """Summaries in recording order, without the page snapshots."""
        rows = self._query("SELECT id, objective, site, steps, created FROM workflows ORDER BY seq")
        return [dict(zip(("id", "objective", "site", "steps", "created"), r)) for r in rows]

    def get(self, workflow_id: str) -> Optional[Workflow]:
        rows = self._query("SELECT record FROM workflows WHERE id = ?", (workflow_id,))
        return self._parse(rows[0][0], workflow_id) if rows else None

    def delete(self, workflow_id: str) -> bool:
        """Remove one workflow; False if there was none with that id."""
        with self._lock:
            try:
                cur = self._db.execute("DELETE FROM workflows WHERE id = ?", (workflow_id,))
            except sqlite3.DatabaseError as exc:
                raise DataError(f"workflow store {self.path}: cannot delete: {exc}") from exc
        return cur.rowcount > 0

    def export(self, fh: IO[str]) -> int:
        """Write every workflow as one JSON line (the training data format); returns the count.

        Each row is re-validated so a hand-edited or older row fails loudly here rather than
        inside a training run hours later.
        """
        count = 0
        for workflow_id, record in self._query("SELECT id, record FROM workflows ORDER BY seq"):
            fh.write(self._parse(record, workflow_id).model_dump_json())
            fh.write("\n")
            count += 1
        return count

    def _parse(self, record: str, workflow_id: str) -> Workflow:
        try:
            return Workflow.model_validate_json(record)
        except ValidationError as exc:
            raise DataError(f"stored workflow {workflow_id!r} in {self.path} is invalid: {exc}") from exc
