"""What the shipped LoRA costs the prefill of real-page prompts: the base alone, the adapter applied
at run time, the adapter merged into a copy of the base (what `serve` loads by default).

llama.cpp can apply a GGUF LoRA while it runs (two small matrix products per adapted projection)
or the adapter can be merged into the weights once (`backend.model.merged_adapter`). This
measures both on the prompts the server actually builds, interleaving the engines and keeping the
best of `--repeat` runs (this shared machine's speed drifts from minute to minute).

    python bench/bench_adapter.py [--threads 1] [--repeat 3] [--budgets 500,1000,2000]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import cpu_model  # noqa: E402
from bench.common import print_table, write_json  # noqa: E402

PAGES = ROOT.parent / "shared" / "pages"


def prefill_ms(engine: object, prompt: str) -> float:
    """Milliseconds to evaluate `prompt` from an empty cache (the first token's logits included)."""
    tokens = engine.tokenize_prompt(prompt)  # type: ignore[attr-defined]
    engine._llm.reset()  # type: ignore[attr-defined]
    start = time.perf_counter()
    engine._prefill(tokens, threading.Event())  # type: ignore[attr-defined]
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--budgets", default="500,1000,2000")
    args = parser.parse_args()

    from backend.model.default_model import shipped_adapter
    from backend.model.engine import load_engine
    from backend.pipeline import Suggester
    from backend.model.tokens import LlamaVocab

    shipped = shipped_adapter()
    if shipped is None:
        raise SystemExit("no shipped adapter in models/")
    engines = {"base": load_engine(n_threads=args.threads),
               "adapter at run time": load_engine(lora=shipped.path, merge=False, n_threads=args.threads),
               "merged": load_engine(lora=shipped.path, n_threads=args.threads)}
    if not engines["merged"].info.lora_merged:
        raise SystemExit("the adapter could not be merged (see the log)")
    base = engines["base"]
    suggester = Suggester(base, LlamaVocab(base.info.path))
    page = (PAGES / "wikipedia.html").read_bytes()
    rows = []
    for budget in [int(b) for b in args.budgets.split(",")]:
        request = suggester.prepare(objective="Open the 'History' section", url="https://en.wikipedia.org/",
                                    html=page, budget=budget)
        best = dict.fromkeys(engines, float("inf"))
        for _ in range(args.repeat):
            for name, engine in engines.items():
                best[name] = min(best[name], prefill_ms(engine, request.prompt))
        n = len(base.tokenize_prompt(request.prompt))
        row: dict[str, object] = {"prompt tokens": n}
        for name in engines:
            row[f"{name} tok/s"] = round(n / best[name] * 1000)
        for name in ("adapter at run time", "merged"):
            row[f"{name} vs base"] = f"{best[name] / best['base'] - 1:+.1%}"
        rows.append(row)
    cpu = cpu_model()
    print_table(rows, title=f"prefill with the shipped LoRA, {args.threads} thread(s), {cpu}")
    print(f"wrote {write_json('adapter_prefill', {'cpu': cpu, 'threads': args.threads, 'rows': rows})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
