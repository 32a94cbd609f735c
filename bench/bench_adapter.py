"""What applying the shipped LoRA at run time costs: prefill of real-page prompts, base vs base + adapter.

llama.cpp can apply a GGUF LoRA while it runs (two small matrix products per adapted projection)
or the adapter can be merged into the weights once. This measures the run-time cost on the
prompts the server actually builds, interleaving the two engines and keeping the best of
`--repeat` runs (this shared machine's speed drifts from minute to minute).

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

from bench.bench_train import cpu_model  # noqa: E402
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
    base = load_engine(n_threads=args.threads)
    tuned = load_engine(lora=shipped.path, n_threads=args.threads)
    suggester = Suggester(base, LlamaVocab(base.info.path))
    page = (PAGES / "wikipedia.html").read_bytes()
    rows = []
    for budget in [int(b) for b in args.budgets.split(",")]:
        request = suggester.prepare(objective="Open the 'History' section", url="https://en.wikipedia.org/",
                                    html=page, budget=budget)
        best = {"base": float("inf"), "base + adapter": float("inf")}
        for _ in range(args.repeat):
            best["base"] = min(best["base"], prefill_ms(base, request.prompt))
            best["base + adapter"] = min(best["base + adapter"], prefill_ms(tuned, request.prompt))
        n = len(base.tokenize_prompt(request.prompt))
        rows.append({"prompt tokens": n, "base ms": round(best["base"]), "base + adapter ms": round(best["base + adapter"]),
                     "base tok/s": round(n / best["base"] * 1000), "adapter tok/s": round(n / best["base + adapter"] * 1000),
                     "overhead": f"{best['base + adapter'] / best['base'] - 1:+.1%}"})
    cpu = cpu_model()
    print_table(rows, title=f"prefill, shipped LoRA applied at run time, {args.threads} thread(s), {cpu}")
    print(f"wrote {write_json('adapter_prefill', {'cpu': cpu, 'threads': args.threads, 'rows': rows})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
