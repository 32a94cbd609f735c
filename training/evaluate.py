"""`scribeagent eval`: Mind2Web metrics on held-out workflows, through the serving pipeline.

Each step is predicted from the gold history (teacher forcing, as Mind2Web evaluates) by
`backend.pipeline.Suggester` — the same pruning, budget, prompt, grammar and parsing the server
runs — with a GGUF model on llama.cpp (what we serve) or an HF directory (+ peft adapter) through
`training.hf_engine`. Two references put the numbers in context: the "first candidate" floor
(always click the first interactive element of the pruned page) and the un-tuned base model.

Writes `report.json`, `report.png` (bars per metric and system), `report.html`, and
`steps.jsonl`: one row per system and step with the gold step beside the predicted one (its
description and target too), so a failure can be read, not only counted.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from backend.constants import ActionKind
from backend.dom import DEFAULT_BUDGET
from backend.errors import DataError, ScribeAgentError
from backend.format import Step
from backend.workflows.model import Workflow
from training.metrics import StepRecord, mind2web_metrics, score_step
from training.readers import ReadReport, read_many

METRICS = ("element_accuracy", "operation_f1", "step_success_rate", "task_success_rate")

Predict = Callable[[Workflow, int], Step]


def first_candidate_predictor(budget: int, small_budget: int = 0, counter: Any = None) -> Predict:
    """The floor: click the first candidate of the page pruned exactly as the server would."""
    from backend.dom.adaptive import prune_adaptive

    def predict(wf: Workflow, i: int) -> Step:
        history = [s.as_step() for s in wf.steps[:i]]
        page = prune_adaptive(wf.steps[i].html, objective=wf.objective, history=history, budget=budget,
                              small_budget=small_budget, counter=counter)
        if not page.candidates:
            raise DataError("no candidates")
        return Step("Click", ActionKind.CLICK, page.candidates[0], None, page.targets[page.candidates[0]])

    return predict


def engine_predictor(engine: Any, budget: int, bind: bool = True, small_budget: int = 0,
                     hold_submit: bool = True) -> Predict:
    """Predict through the server's pipeline with `engine` (llama.cpp or HF); `bind`, the submit
    guard (`hold_submit`) and the adaptive budget (`small_budget`, 0 = off) as served."""
    from backend.pipeline import Suggester

    # the model counts its own budget
    suggester = Suggester(engine, engine, budget=budget, small_budget=small_budget, bind=bind,
                          hold_submit=hold_submit)

    def predict(wf: Workflow, i: int) -> Step:
        step = wf.steps[i]
        return suggester.suggest(objective=wf.objective, url=step.url, html=step.html,
                                 history=[s.as_step() for s in wf.steps[:i]]).step

    return predict


def load_engine_for(model: str, adapter: str | None, threads: int | None, fast_path: bool = True) -> Any:
    """A GGUF model (with a GGUF LoRA or none) runs on llama.cpp, as served (`fast_path` False:
    the adapter at run time on the F16, every token decoded); an HF directory, or any base with a peft adapter
    directory (a fine-tune not exported yet), runs on transformers."""
    path = Path(model)
    if path.suffix == ".gguf" and (adapter is None or Path(adapter).suffix == ".gguf"):
        from backend.model.engine import load_engine

        # the serve default context and format
        engine = load_engine(path, lora=adapter, merge=fast_path, model_format="auto" if fast_path else "f16",
                             n_threads=threads)
        engine.fast_forward = fast_path
        return engine
    from training.hf_engine import HFEngine

    return HFEngine(path, adapter=adapter, threads=threads)


def step_row(wf: Workflow, i: int, rec: StepRecord, pred: Step | None, error: str | None) -> dict[str, Any]:
    """One line of steps.jsonl: where the step is, what was right, what the system said instead."""
    element, _, success = score_step(rec)
    return {"task": wf.id, "step": i, "objective": wf.objective, "element_ok": bool(element),
            "step_ok": bool(success), "gold": wf.steps[i].as_step().to_dict(),
            "predicted": pred.to_dict() if pred else None, "error": error}


def evaluate(predict: Predict, workflows: Sequence[Workflow]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Metrics for one system and its per-step rows; a failed step (model error, bad page) scores
    zero and is counted."""
    records: list[StepRecord] = []
    rows: list[dict[str, Any]] = []
    errors: Counter[str] = Counter()
    start = time.perf_counter()
    for wf in workflows:
        for i, step in enumerate(wf.steps):
            gold = StepRecord(wf.id, step.target.node or "", step.action.kind, step.action.text)
            try:
                pred = predict(wf, i)
            except ScribeAgentError as exc:
                errors[type(exc).__name__] += 1
                records.append(gold)
                rows.append(step_row(wf, i, gold, None, f"{type(exc).__name__}: {exc}"))
                continue
            records.append(StepRecord(gold.task, gold.gold_node, gold.gold_action, gold.gold_text,
                                      pred.node, pred.action, pred.text))
            rows.append(step_row(wf, i, records[-1], pred, None))
    seconds = time.perf_counter() - start
    metrics = {**mind2web_metrics(records), "errors": dict(errors), "seconds": round(seconds, 2),
               "seconds_per_step": round(seconds / max(1, len(records)), 3)}
    return metrics, rows


def write_report(report: dict[str, Any], steps: dict[str, list[dict[str, Any]]], out: Path) -> None:
    """report.json, steps.jsonl (each system's rows, labelled), a grouped bar chart (report.png)
    and an HTML page showing both."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out / "steps.jsonl").write_text(
        "".join(json.dumps({"system": name, **row}) + "\n" for name, rows in steps.items() for row in rows),
        encoding="utf-8")
    systems = list(report["systems"])
    fig, ax = plt.subplots(figsize=(7, 3.8))
    width = 0.8 / max(1, len(systems))
    for k, name in enumerate(systems):
        values = [report["systems"][name][m] for m in METRICS]
        xs = [i + k * width for i in range(len(METRICS))]
        bars = ax.bar(xs, values, width, label=name)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(len(METRICS))])
    ax.set_xticklabels([m.replace("_", " ") for m in METRICS], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(f"{report['workflows']} held-out workflows, {report['steps']} steps")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "report.png", dpi=120)
    plt.close(fig)
    rows = "".join(
        "<tr><th>" + html.escape(name) + "</th>"
        + "".join(f"<td>{report['systems'][name][m]:.3f}</td>" for m in METRICS)
        + f"<td>{report['systems'][name]['seconds_per_step']}</td>"
        + f"<td>{html.escape(json.dumps(report['systems'][name]['errors']))}</td></tr>"
        for name in systems
    )
    head = "".join(f"<th>{m.replace('_', ' ')}</th>" for m in METRICS)
    (out / "report.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>ScribeAgent evaluation</title>"
        "<style>body{font-family:system-ui;margin:2em}td,th{padding:.3em .8em;border-bottom:1px solid #ddd}</style>"
        f"</head><body><h1>ScribeAgent evaluation</h1><p>{report['workflows']} workflows, {report['steps']} steps "
        f"(macro-averaged over tasks, Mind2Web metrics).</p><table><tr><th>system</th>{head}<th>s/step</th>"
        f"<th>errors</th></tr>{rows}</table><p><img src='report.png' alt='metrics per system'></p></body></html>\n",
        encoding="utf-8")


def run_eval(workflow_paths: Sequence[str], out: str | Path, *, model: str | None = None, adapter: str | None = None,
             base: str | None = None, budget: int = DEFAULT_BUDGET, small_budget: int = 0, limit: int | None = None,
             threads: int | None = None,
             compare_binding: bool = False, compare_guard: bool = False, fast_path: bool = True) -> dict[str, Any]:
    """Evaluate the floor, the base (if given) and the tuned model (if given); write the report.

    `compare_binding` adds each model once more with the node chosen by the model alone (no
    binding of the description to the candidates it names), to show what binding is worth;
    `compare_guard` once more without the submit guard (`backend.submit_guard`), likewise.
    """
    read = ReadReport()
    workflows = list(read_many(workflow_paths, read))
    read.print(sys.stderr)
    if limit is not None:
        workflows = workflows[:limit]
    if not workflows:
        raise DataError("no valid workflows to evaluate")
    systems: dict[str, dict[str, Any]] = {}
    steps: dict[str, list[dict[str, Any]]] = {}
    engines: list[tuple[str, str, str | None]] = []
    if base:
        engines.append((f"base ({Path(base).name})", base, None))
    if model:
        engines.append((f"tuned ({Path(model).name}{' + ' + Path(adapter).name if adapter else ''})", model, adapter))
    for name, path, lora in engines:
        engine = load_engine_for(path, lora, threads, fast_path)
        try:
            variants = [("", True, True), *([(", unbound", False, True)] if compare_binding else []),
                        *([(", without submit guard", True, False)] if compare_guard else [])]
            for suffix, bind, hold in variants:
                label = name + suffix
                systems[label], steps[label] = evaluate(engine_predictor(engine, budget, bind, small_budget, hold),
                                                        workflows)
                # the GGUF format llama.cpp ran (Q8_0 where it has AMX); None for transformers
                info = getattr(engine, "info", None)
                systems[label]["served_as"] = info.quantization if info else None
                print(f"{label}: " + ", ".join(f"{m} {systems[label][m]:.3f}" for m in METRICS), file=sys.stderr)
        finally:
            engine.close()
    floor, steps["first candidate"] = evaluate(first_candidate_predictor(budget, small_budget), workflows)
    systems = {"first candidate": floor, **systems}
    report = {"workflows": len(workflows), "steps": sum(len(w.steps) for w in workflows), "budget": budget,
              "small_budget": small_budget, "fast_path": fast_path,
              "inputs": [str(p) for p in workflow_paths], "systems": systems}
    write_report(report, steps, Path(out))
    return report


def run_eval_command(args: argparse.Namespace) -> int:
    if not (args.model or args.base):
        print("note: no --model/--base given; only the first-candidate floor is measured", file=sys.stderr)
    report = run_eval(args.workflows, args.out, model=args.model, adapter=args.adapter, base=args.base,
                      budget=args.budget, small_budget=args.small_budget, limit=args.limit, threads=args.threads,
                      compare_binding=args.compare_binding, compare_guard=args.compare_guard, fast_path=args.fast_path)
    for name, m in report["systems"].items():
        print(f"{name:40s} " + "  ".join(f"{k.split('_')[0]} {m[k]:.3f}" for k in METRICS))
    print(f"report: {Path(args.out) / 'report.html'}")
    return 0
