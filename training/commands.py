"""`scribeagent data synth|build|import|ground|render`, `scribeagent train`, `scribeagent eval`.

Only argument parsing lives here; each command calls one module that does the work, importing it
inside the command so `scribeagent --help` (and the server) never import torch or datasets.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from backend.dom import DEFAULT_BUDGET


def _synth(args: argparse.Namespace) -> int:
    from training.readers import write_workflows
    from training.synth.generate import family_split, synthesize

    from backend.errors import ScribeAgentError

    train_fams, held_fams = family_split()
    if args.families:
        wanted = [name.strip() for name in args.families.split(",") if name.strip()]
        unknown = sorted(set(wanted) - {f.name for f in train_fams})
        if unknown:
            raise ScribeAgentError(f"--families: not training families: {', '.join(unknown)} "
                                   f"(known: {', '.join(f.name for f in train_fams)})")
        train_fams = [f for f in train_fams if f.name in wanted]
    out = Path(args.out)
    n_held = round(args.workflows * args.heldout_fraction) if held_fams else 0
    n_train = write_workflows(out / "train.jsonl", synthesize(args.workflows - n_held, args.seed, train_fams))
    n_eval = write_workflows(out / "heldout.jsonl", synthesize(n_held, args.seed + 1, held_fams))
    summary = {"train": n_train, "heldout": n_eval, "seed": args.seed,
               "train_families": [f.name for f in train_fams], "heldout_families": [f.name for f in held_fams]}
    (out / "synth.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {n_train} train and {n_eval} held-out workflows to {out}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from training.importers import import_file
    from training.readers import ReadReport, write_workflows

    report = ReadReport()
    count = write_workflows(args.out, import_file(args.input, args.format, report, html_source=args.html))
    report.print()
    print(f"imported {count} of {report.rows} workflows into {args.out} ({len(report.problems)} skipped)")
    return 0 if count or not report.rows else 1


def _ground(args: argparse.Namespace) -> int:
    from training.grounding import grounding_workflows
    from training.readers import write_workflows

    count = write_workflows(args.out, grounding_workflows(args.pages, per_page=args.per_page, seed=args.seed,
                                                                split=args.split))
    print(f"wrote {count} grounding workflows to {args.out}")
    return 0


def _render(args: argparse.Namespace) -> int:
    from training.readers import ReadReport, read_many, write_workflows
    from training.render import render_pages, render_workflows, renderer

    src = Path(args.input)
    with renderer() as pages:
        if src.is_dir() and not any(src.glob("*.jsonl")):
            count = render_pages(src, Path(args.out), pages)
            print(f"serialized {count} pages into {args.out}")
            return 0 if count else 1
        report = ReadReport()
        count = write_workflows(args.out, render_workflows(read_many([str(src)], report), pages))
    report.print()
    print(f"rendered {count} of {report.rows} workflows into {args.out}")
    return 0 if count or not report.rows else 1


def _budgets(text: str) -> tuple[int, ...]:
    try:
        budgets = tuple(int(b) for b in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"budgets are whole numbers separated by commas, got {text!r}") from None
    if any(b <= 0 for b in budgets):
        raise argparse.ArgumentTypeError(f"budgets must be positive, got {text!r}")
    return budgets


def _build(args: argparse.Namespace) -> int:
    from training.examples import BuildConfig, build_dataset

    stats = build_dataset(
        args.workflows,
        args.out,
        BuildConfig(max_tokens=args.max_tokens, budgets=args.budget, tokenizer=args.tokenizer,
                    gguf_file=args.gguf_file, num_proc=args.num_proc),
    )
    print(json.dumps(stats, indent=2))
    return 0


def _train(args: argparse.Namespace) -> int:
    from training.train import resolve_args, run

    return run(resolve_args(args))


def _eval(args: argparse.Namespace) -> int:
    from training.evaluate import run_eval_command

    return run_eval_command(args)


def register(subparsers: argparse._SubParsersAction) -> None:
    data = subparsers.add_parser("data", help="make training data: synth, import, ground, render, build")
    dsub = data.add_subparsers(dest="data_command", required=True, metavar="STEP")

    p = dsub.add_parser("synth", help="generate synthetic workflows (train.jsonl + heldout.jsonl)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--workflows", type=int, default=1000, help="how many workflows in total")
    p.add_argument("--seed", type=int, default=0, help="same seed, same workflows")
    p.add_argument("--heldout-fraction", type=float, default=0.2,
                   help="share of workflows drawn from the held-out families")
    p.add_argument("--families", default="",
                   help="comma-separated training families to draw from (default: all); a warm start that "
                        "drills some skills (e.g. checkbox groups) uses it, the held-out families are unchanged")
    p.set_defaults(func=_synth)

    p = dsub.add_parser("import", help="convert recorder / Mind2Web / ScribeAgent CSV data to workflow JSONL")
    p.add_argument("input", help="file (or directory of Mind2Web JSON files)")
    p.add_argument("--format", required=True, choices=("recorder", "mind2web", "scribeagent-csv"))
    p.add_argument("--out", required=True, help="output .jsonl")
    p.add_argument("--html", choices=("cleaned", "raw"), default="cleaned", help="Mind2Web snapshot to use")
    p.set_defaults(func=_import)

    p = dsub.add_parser("ground", help="single-step grounding workflows over real saved pages")
    p.add_argument("pages", help="directory of .html pages (e.g. ../shared/pages)")
    p.add_argument("--out", required=True, help="output .jsonl")
    p.add_argument("--per-page", type=int, default=8, help="elements sampled per page")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--split", choices=("train", "heldout", "all"), default="all",
                   help="pages of the fixed train / held-out split (a hash of the file name), or all")
    p.set_defaults(func=_ground)

    p = dsub.add_parser("render", help="serialize pages with the extension's serializer in headless Chromium")
    p.add_argument("input", help="workflow .jsonl (or a directory of them), or a directory of saved .html pages")
    p.add_argument("--out", required=True, help="output .jsonl for workflows, or directory for pages")
    p.set_defaults(func=_render)

    p = dsub.add_parser("build", help="workflows → (prompt, answer) examples as an Arrow dataset")
    p.add_argument("workflows", nargs="+", help="workflow .jsonl files or directories")
    p.add_argument("--out", required=True, help="dataset directory (datasets.save_to_disk)")
    p.add_argument("--tokenizer", default=None, help="HF model dir whose tokenizer counts the budget "
                   "(default: the served model's GGUF vocabulary)")
    p.add_argument("--gguf-file", default=None, help="GGUF file name inside --tokenizer, if it is one")
    p.add_argument("--max-tokens", type=int, default=2048, help="context length an example must fit")
    p.add_argument("--budget", type=_budgets, default=(),
                   help="page token budget, or comma-separated budgets drawn per workflow, e.g. 300,300,600 "
                        "(default: what fits)")
    p.add_argument("--num-proc", type=int, default=1, help="worker processes for datasets.map")
    p.set_defaults(func=_build)

    from training.train import add_arguments  # light: the module imports torch only inside run()

    p = subparsers.add_parser("train", help="LoRA/QLoRA fine-tuning (flags and/or --config YAML)")
    add_arguments(p)
    p.set_defaults(func=_train)

    p = subparsers.add_parser("eval", help="Mind2Web metrics on held-out workflows")
    p.add_argument("workflows", nargs="+", help="held-out workflow .jsonl files")
    p.add_argument("--model", help="tuned model: a GGUF file (run on llama.cpp, as served) or an HF dir")
    p.add_argument("--adapter", help="GGUF LoRA (runs on llama.cpp) or peft adapter dir (runs on transformers)")
    p.add_argument("--base", help="un-tuned base model to compare (GGUF file or HF dir)")
    p.add_argument("--out", required=True, help="report directory (report.json, report.html, report.png)")
    p.add_argument("--limit", type=int, default=None, help="evaluate at most this many workflows")
    p.add_argument("--budget", type=int, default=DEFAULT_BUDGET, help=f"page token budget, as the server uses "
                   f"(default {DEFAULT_BUDGET})")
    p.add_argument("--small-budget", type=int, default=0,
                   help="adaptive budget as served (`serve --small-budget`, default 500 there): pages whose "
                        "objective names a candidate get this budget; 0 = every page at --budget")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--compare-binding", action="store_true",
                   help="also score each model choosing the node alone (without binding its description to names)")
    p.add_argument("--compare-guard", action="store_true",
                   help="also score each model without the submit guard (a premature click on a form's send "
                        "button answered again as typing, backend/submit_guard.py)")
    p.add_argument("--fast-path", action=argparse.BooleanOptionalAction, default=True,
                   help="serve a GGUF as the server does: an adapter on the embedded base merged into it, the text the "
                        "grammar dictates fast-forwarded (default); --no-fast-path: the adapter applied at run time "
                        "and every answer token decoded one by one, to compare the two")
    p.set_defaults(func=_eval)

