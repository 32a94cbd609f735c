"""What a person feels: time to the first token and to the whole step, over every saved real page,
at the server's default settings (the shipped model, adaptive page budget, binding).

Per page (`../shared/pages`), two objectives: one that names an element of the page (the kind a
person types: "Click 'Entire Work'", drawn as the grounding eval draws it) and one that names
nothing ("Open the comments of the first article"), each cold (empty KV cache); then the second
step on the same page (the first step in the history; llama.cpp reuses the KV prefix up to it).
Beside them: the same prompts through bare llama-cpp-python on a sample of pages (our overhead),
and the compute floor: the prefill's FLOPs over this CPU's measured fp32 matmul peak.

    python bench/bench_step_latency.py [--threads 2] [--pages 53] [--bare-every 4] [--no-fast-path]
        [--model-format auto|f16|q8_0]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.model.served_format import MODEL_FORMATS  # noqa: E402
from bench.bench_latency import bare  # noqa: E402
from bench.common import build_flags, cpu_model, percentile, print_table, write_json  # noqa: E402

PAGES = ROOT.parent / "shared" / "pages"
UNNAMED = "Open the comments of the first article"




def matmul_peak_gflops(threads: int) -> float:
    """Best of a few 2048² fp32 matmuls with torch at `threads`: what this CPU sustains in GEMM."""
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    torch.mm(a, b)
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * 2048**3 / best / 1e9


def flops_per_token(model_path: str) -> float:
    """2 × the weights a token passes through (every tensor but the token embedding lookup)."""
    from gguf import GGUFReader

    reader = GGUFReader(model_path)
    weights = sum(int(t.n_elements) for t in reader.tensors if not t.name.startswith("token_embd"))
    tied = not any(t.name == "output.weight" for t in reader.tensors)
    if tied:  # the output projection reuses the embedding matrix
        weights += sum(int(t.n_elements) for t in reader.tensors if t.name == "token_embd.weight")
    return 2.0 * weights


def named_objective(path: Path) -> str | None:
    from training.grounding import page_workflows

    drawn = page_workflows(path, 1, seed=0)
    return drawn[0].objective if drawn else None


def timed(suggester: Any, *, objective: str, url: str, html: bytes, history: list[dict[str, Any]]) -> dict[str, Any]:
    seen: list[float] = []
    start = time.perf_counter()
    request = suggester.prepare(objective=objective, url=url, html=html, history=history)
    result = suggester.run(request, on_token=lambda _t: seen.append(time.perf_counter()))
    end = time.perf_counter()
    t = result.timings
    return {  # the first callback is the number line, written before the model runs
        "ttft_ms": ((seen[1] if len(seen) > 1 else end) - start) * 1000, "step_ms": (end - start) * 1000,
        "page_tokens": request.page.tokens, "prompt_tokens": t.prompt_tokens, "cached_tokens": t.cached_tokens,
        "generated": t.generated_tokens, "prompt": request.prompt, "result": result,
    }


def measure(threads: int, n_pages: int, bare_every: int, fast_path: bool = True,
            model_format: str = "auto") -> dict[str, Any]:
    from backend.config import Settings
    from backend.errors import PageError
    from backend.serve.suggester_loader import load_suggester

    suggester = load_suggester(Settings(n_threads=threads, merge_adapter=fast_path, model_format=model_format))
    engine = suggester.engine
    engine.fast_forward = fast_path
    pages = sorted(PAGES.glob("*.html"))[:n_pages]
    runs: dict[str, list[dict[str, Any]]] = {"named, cold": [], "unnamed, cold": [], "second step, same page": []}
    overheads: list[float] = []
    skipped: list[str] = []
    for i, path in enumerate(pages):
        html = path.read_bytes()
        url = f"https://{path.stem}.example/"
        objective = named_objective(path)
        for label, goal in (("named, cold", objective), ("unnamed, cold", UNNAMED)):
            if goal is None:
                continue
            engine.reset()
            try:
                run = timed(suggester, objective=goal, url=url, html=html, history=[])
            except PageError:  # a test page with nothing to act on (no candidates): nothing to time
                skipped.append(path.name)
                break
            runs[label].append(run)
            if label == "named, cold":
                step = run["result"].step
                history = [{"description": step.description, "action": step.action.value, "text": step.text}]
                runs["second step, same page"].append(
                    timed(suggester, objective=goal, url=url, html=html, history=history))
                if bare_every and i % bare_every == 0:
                    base = bare(engine, run["prompt"], run["generated"])
                    overheads.append(100 * (run["step_ms"] - base["total_ms"]) / base["total_ms"])
        print(f"{i + 1}/{len(pages)} {path.name}", file=sys.stderr)
    peak = matmul_peak_gflops(threads)
    per_token = flops_per_token(engine.info.path)
    rows = []
    for label, items in runs.items():
        if not items:
            continue
        floor = [(r["prompt_tokens"] - r["cached_tokens"]) * per_token / (peak * 1e9) * 1000 for r in items]
        rows.append({
            "case": label, "n": len(items),
            "page_tok_p50": round(percentile([r["page_tokens"] for r in items], 50)),
            "prompt_tok_p50": round(percentile([r["prompt_tokens"] for r in items], 50)),
            "reused_p50": round(percentile([r["cached_tokens"] / r["prompt_tokens"] for r in items], 50), 2),
            "ttft_p50_ms": round(percentile([r["ttft_ms"] for r in items], 50)),
            "ttft_p90_ms": round(percentile([r["ttft_ms"] for r in items], 90)),
            "step_p50_ms": round(percentile([r["step_ms"] for r in items], 50)),
            "step_p90_ms": round(percentile([r["step_ms"] for r in items], 90)),
            "floor_p50_ms": round(percentile(floor, 50)),
        })
    engine.close()
    return {"rows": rows, "skipped_pages": skipped,
            "overhead_pct_p50": round(percentile(overheads, 50), 1) if overheads else None,
            "overhead_samples": len(overheads), "peak_gflops": round(peak, 1),
            "mflop_per_token": round(per_token / 1e6, 1), "model": engine.info.name, "lora": engine.info.lora,
            "quantization": engine.info.quantization, "llama_cpp_build": build_flags()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pages", type=int, default=1000, help="at most this many pages (sorted by name)")
    ap.add_argument("--bare-every", type=int, default=4, help="bare llama-cpp-python on every Nth page (0 = never)")
    ap.add_argument("--fast-path", action=argparse.BooleanOptionalAction, default=True,
                    help="as served (default); --no-fast-path: the adapter applied at run time and every answer "
                         "token decoded one by one, the server before both were made faster (served as F16)")
    ap.add_argument("--model-format", choices=MODEL_FORMATS, default=None,
                    help="the served format (default: the server's auto; f16 with --no-fast-path)")
    args = ap.parse_args()
    model_format = args.model_format or ("auto" if args.fast_path else "f16")
    if not PAGES.is_dir():
        print(f"{PAGES} is absent (shared/ lives beside the checkout)", file=sys.stderr)
        return 1
    result = measure(args.threads, args.pages, args.bare_every, args.fast_path, model_format)
    cpu = cpu_model()
    how = "default settings" if args.fast_path else "no fast path (adapter at run time, every token decoded)"
    how += f", served as {result['quantization']}"
    print_table(result["rows"], title=f"Suggestion latency, {args.threads} threads, {how}, {cpu}")
    print(f"our overhead over bare llama-cpp-python (same prompt and tokens): p50 {result['overhead_pct_p50']}% "
          f"over {result['overhead_samples']} pages; floor: {result['mflop_per_token']} MFLOP/token at "
          f"{result['peak_gflops']} GFLOP/s fp32 matmul peak")
    name = ("step_latency" if args.fast_path else "step_latency_no_fast_path") + (
        f"_{args.model_format}" if args.model_format else "")
    path = write_json(name, {"cpu": cpu, "threads": args.threads, "fast_path": args.fast_path, **result})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
