"""`scribeagent` command line: one subcommand per module, each registering itself.

Each command module exposes `register(subparsers)` and sets `func` on its parser; heavy imports
(torch, llama.cpp) happen inside the command function, so `scribeagent --help` stays instant and
serving never imports training code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from backend.errors import ScribeAgentError

#: Modules that contribute subcommands, in help order. Each serves one area of the product.
COMMAND_MODULES = (
    "backend.commands",  # serve, prune, suggest, token
    "backend.workflows.commands",  # workflows list/export/delete
    "training.commands",  # data synth/build/import, train, eval
    "quantize.commands",  # export, export-adapter, parity
    "training.miniwob.commands",  # bench miniwob
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scribeagent",
        description="Offline web co-pilot: local next-step suggestions for web tasks.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # Only our own missing module is tolerated (a partial install); a missing third-party
            # dependency inside it must surface, not silently hide commands.
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ScribeAgentError as exc:
        print(f"scribeagent: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a read-only folder, a vanished file: say which, not a traceback
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"scribeagent: error: {exc.strerror or exc}{where}; no partial output was kept", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
