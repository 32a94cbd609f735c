"""Accuracy and prompt size of the served model against the page budget: the curve the adaptive
budget's threshold is chosen from (`backend/dom/adaptive.py`).

For each held-out set (real-page grounding, unseen synthetic families) and each fixed budget, plus
the adaptive rule as served (small budget when the objective names a kept candidate, else the
full one), the served model (embedded base + shipped fine-tune, or `--lora`) answers every step
through the server's pipeline with binding; the table shows element accuracy, step success and the
median prompt tokens (what each budget costs in prefill time).

    python bench/bench_budget.py runs/default/data/ground_heldout.jsonl --name budget_real
    python bench/bench_budget.py runs/default/data/synth_heldout.jsonl --limit 10 --name budget_synth
        [--budgets 300,500,1000,2000] [--small 500] [--lora FILE] [--threads 1]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import cpu_model  # noqa: E402
from bench.common import percentile, print_table, write_json  # noqa: E402


def curve(paths: list[str], budgets: list[int], small: int, lora: str | None, threads: int | None,
          limit: int | None) -> list[dict[str, Any]]:
    from backend.config import Settings
    from backend.dom import DEFAULT_BUDGET
    from backend.pipeline import Suggester
    from backend.serve.suggester_loader import load_suggester
    from training.evaluate import evaluate
    from training.readers import ReadReport, read_many

    served = load_suggester(Settings(n_threads=threads, lora=Path(lora) if lora else None))
    engine = served.engine
    rows = []
    for path in paths:
        workflows = list(read_many([path], ReadReport()))[:limit]
        settings = [(str(b), b, 0) for b in budgets] + [(f"adaptive {small}/{DEFAULT_BUDGET}", DEFAULT_BUDGET, small)]
        for label, budget, small_budget in settings:
            suggester = Suggester(engine, served.counter, budget=budget, small_budget=small_budget)
            prompts: list[int] = []

            def predict(wf: Any, i: int, suggester: Suggester = suggester, prompts: list[int] = prompts) -> Any:
                step = wf.steps[i]
                result = suggester.suggest(objective=wf.objective, url=step.url, html=step.html,
                                           history=[s.as_step() for s in wf.steps[:i]])
                prompts.append(result.timings.prompt_tokens)
                return result.step

            metrics, _ = evaluate(predict, workflows)
            rows.append({"set": Path(path).stem, "budget": label, "steps": metrics["steps"],
                         "element_acc": round(metrics["element_accuracy"], 3),
                         "step_sr": round(metrics["step_success_rate"], 3),
                         "prompt_tok_p50": round(percentile(prompts, 50)) if prompts else None,
                         "errors": sum(metrics["errors"].values())})
            print_table([rows[-1]])
    engine.close()
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("workflows", nargs="+", help="held-out workflow .jsonl files (e.g. from scripts/train-default-model.sh)")
    ap.add_argument("--budgets", default="300,500,1000,2000")
    ap.add_argument("--small", type=int, default=500, help="the adaptive rule's small budget")
    ap.add_argument("--lora", default=None, help="GGUF LoRA on the embedded base (default: the shipped fine-tune)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--limit", type=int, default=None, help="at most this many workflows per file (as `eval --limit`)")
    ap.add_argument("--name", default="budget_curve", help="result file bench/results/NAME.json")
    args = ap.parse_args()
    rows = curve(args.workflows, [int(b) for b in args.budgets.split(",")], args.small, args.lora, args.threads,
                 args.limit)
    cpu = cpu_model()
    print_table(rows, title=f"\nAccuracy against the page budget ({cpu})")
    path = write_json(args.name, {"cpu": cpu, "lora": args.lora, "limit": args.limit, "rows": rows})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
