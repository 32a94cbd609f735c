"""`scribeagent workflows list|export OUT.jsonl|delete ID`: manage recordings without the server.

Uses the same data dir as `scribeagent serve` (`Settings().data_dir`, env `SCRIBEAGENT_DATA_DIR`);
SQLite's WAL mode lets this run while the server is recording.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backend.errors import DataError
from backend.model.model_files import atomic_write
from backend.workflows.store import WorkflowStore, default_store_path


def _open_store() -> WorkflowStore:
    from backend.config import Settings

    return WorkflowStore(default_store_path(Settings().data_dir))


def _list(args: argparse.Namespace) -> int:
    with _open_store() as store:
        rows = store.list()
    if not rows:
        print("no workflows recorded yet", file=sys.stderr)
    for row in rows:
        print(f"{row['id']}\t{row['created']}\t{row['steps']} steps\t{row['site']}\t{row['objective']}")
    return 0


def _export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    with _open_store() as store:
        if args.out == "-":
            count = store.export(sys.stdout)
        else:
            # Write beside the target and rename, so an interrupted export never leaves a
            # truncated file that a training run would silently read.
            with atomic_write(out.resolve()) as tmp, tmp.open("w", encoding="utf-8") as fh:
                count = store.export(fh)
    print(f"exported {count} workflow(s) to {args.out}", file=sys.stderr)
    return 0


def _delete(args: argparse.Namespace) -> int:
    with _open_store() as store:
        if not store.delete(args.id):
            raise DataError(f"no workflow with id {args.id!r} (see `scribeagent workflows list`)")
    print(f"deleted {args.id}", file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("workflows", help="list, export or delete recorded workflows")
    sub = parser.add_subparsers(dest="workflows_command", required=True, metavar="ACTION")
    p = sub.add_parser("list", help="one line per recorded workflow")
    p.set_defaults(func=_list)
    p = sub.add_parser("export", help="write all workflows as JSONL training data")
    p.add_argument("out", metavar="OUT.jsonl", help="output file ('-' for stdout)")
    p.set_defaults(func=_export)
    p = sub.add_parser("delete", help="delete one workflow by id")
    p.add_argument("id", metavar="ID")
    p.set_defaults(func=_delete)
