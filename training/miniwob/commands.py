"""`scribeagent bench miniwob`: argument parsing, and the run of each agent over the same episodes.

Heavy imports (Playwright, llama.cpp, matplotlib) happen inside the command, so `scribeagent
--help` and the server never load them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backend.errors import ScribeAgentError

if TYPE_CHECKING:
    from backend.config import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    from training.chromium import CHROMIUM

    bench = subparsers.add_parser("bench", help="benchmarks with the product in the loop: miniwob")
    bsub = bench.add_subparsers(dest="bench_command", required=True, metavar="BENCH")
    p = bsub.add_parser("miniwob", help="MiniWoB++ tasks in headless Chromium through the extension's content scripts")
    p.add_argument("--tasks", default=None,
                   help="comma-separated task names (default: the 14-task development subset; 'all': every task)")
    p.add_argument("--episodes", type=int, default=10, help="episodes per task")
    p.add_argument("--seed", type=int, default=0, help="same seed, same episodes (episode i is seeded '<seed>-<i>')")
    p.add_argument("--max-steps", type=int, default=8, help="steps before an unfinished episode counts as failed")
    p.add_argument("--agent", choices=("model", "random"), default="model",
                   help="model: the backend's pipeline, with the random floor run beside it; random: the floor only")
    p.add_argument("--no-floor", action="store_true", help="with --agent model, skip the random floor")
    p.add_argument("--model", type=Path, help="GGUF model (default: embedded SmolLM2-135M-Instruct)")
    p.add_argument("--lora", type=Path, help="GGUF LoRA adapter to apply")
    p.add_argument("--adapter", action=argparse.BooleanOptionalAction, default=None,
                   help="apply the shipped fine-tune to the embedded model, as serve does (default); "
                        "--no-adapter plays the bare base")
    p.add_argument("--threads", type=int, default=None, help="CPU threads for the model (default: all cores)")
    p.add_argument("--chromium", type=Path, default=Path(CHROMIUM), help="Chromium executable")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout (the table goes to stderr)")
    p.add_argument("--report", type=Path, help="write summary.json, episodes.jsonl and success.png into this folder")
    p.set_defaults(func=_miniwob)


def _tasks(spec: str | None, available: list[str]) -> list[str]:
    from training.miniwob.server import DEV_TASKS

    if spec is None:
        return list(DEV_TASKS)
    if spec.strip() == "all":
        return available
    tasks = [t.strip() for t in spec.split(",") if t.strip()]
    unknown = [t for t in tasks if t not in available]
    if unknown or not tasks:
        named = ", ".join(unknown) if unknown else repr(spec)
        raise ScribeAgentError(f"unknown MiniWoB task(s): {named} "
                               f"(the package ships {len(available)}, e.g. {', '.join(available[:3])})")
    return tasks


def _settings(args: argparse.Namespace) -> "Settings":
    """The serve settings (environment variables included) that pick the model, as `serve` reads them."""
    from backend.config import Settings

    values = {"model": args.model, "lora": args.lora, "adapter": args.adapter, "n_threads": args.threads}
    return Settings(**{k: v for k, v in values.items() if v is not None})


def _miniwob(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from training.miniwob.agents import Agent, ModelAgent, RandomAgent
    from training.miniwob.browser import Browser
    from training.miniwob.report import table, write_report
    from training.miniwob.run import Episode, run_bench, summarize
    from training.miniwob.server import html_dir, serve, task_names

    if args.episodes < 1 or args.max_steps < 1:
        raise ScribeAgentError("--episodes and --max-steps must be at least 1")
    folder = html_dir()
    tasks = _tasks(args.tasks, task_names(folder))
    agents: list[Agent] = []
    if args.agent == "model":
        agents.append(ModelAgent.load(_settings(args)))
    if args.agent == "random" or not args.no_floor:
        agents.append(RandomAgent(args.seed))
    results: list[tuple[dict[str, Any], list[Episode]]] = []
    with serve(folder) as base, Browser(args.chromium) as browser:
        for agent in agents:
            with tqdm(total=len(tasks) * args.episodes, desc=agent.label, unit="episode", file=sys.stderr) as bar:
                wins = 0

                def progress(episode: Episode) -> None:
                    nonlocal wins
                    wins += episode.success
                    bar.set_postfix_str(f"{episode.task} · {wins} won")
                    bar.update()

                played = run_bench(browser, base, tasks, args.episodes, args.seed, agent, args.max_steps, progress)
            results.append((summarize(played, label=agent.label, seed=args.seed), played))
    (summary, played), floor = results[0], (results[1] if len(results) > 1 else None)
    text = table(summary, floor[0] if floor else None)
    if args.json:
        print(text, file=sys.stderr)
        print(json.dumps({**summary, "floor": floor[0]} if floor else summary))
    else:
        print(text)
    if args.report:
        paths = write_report(args.report, summary, played, *(floor if floor else ()))
        print(f"wrote {', '.join(str(p) for p in paths)}", file=sys.stderr)
    return 0
