"""Suggestion latency with the default model vs bare llama-cpp-python, and the server's peak RSS.

For real pages pruned to ~0.5K/1K/2K/4K tokens: time to first token and to the full step through
our pipeline (prune → prompt → grammar → engine → parse), cold (empty KV cache) and warm (same
page again: the KV prefix is reused); then the same prompt through bare llama-cpp-python
(`eval` + greedy `generate` of as many tokens, no grammar), so the overhead column is ours alone.
Finally a real `scribeagent serve` answers one request per size and its peak RSS (VmHWM) is read.

    python bench/bench_latency.py [--threads 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import print_table, write_json  # noqa: E402

PAGES = ROOT.parent / "shared" / "pages"
SIZES = (500, 1000, 2000, 4000)


def pick_page() -> bytes:
    """The largest real page: pruned without a budget it exceeds the biggest size."""
    return max(PAGES.glob("*.html"), key=lambda p: p.stat().st_size).read_bytes()


def bare(engine, prompt: str, n_generate: int) -> dict[str, float]:
    """The same prompt through llama-cpp-python alone: reset, eval, greedy generate."""
    llm = engine._llm
    tokens = llm.tokenize(prompt.encode(), add_bos=False, special=True)
    llm.reset()
    start = time.perf_counter()
    llm.eval(tokens)
    first = None
    produced = 0
    for _ in llm.generate(tokens, temp=0.0):
        produced += 1
        if first is None:
            first = time.perf_counter()
        if produced >= n_generate:
            break
    end = time.perf_counter()
    return {"ttft_ms": ((first or end) - start) * 1000, "total_ms": (end - start) * 1000}


def measure(threads: int, repeat: int) -> list[dict[str, object]]:
    from backend.model.engine import load_engine
    from backend.pipeline import Suggester
    from backend.model.tokens import LlamaVocab

    engine = load_engine(n_ctx=8192, n_threads=threads)
    counter = LlamaVocab(engine.info.path)
    html = pick_page()
    rows = []
    for size in SIZES:
        suggester = Suggester(engine, counter, budget=size)
        request = suggester.prepare(objective="Open the comments of the first article", url="https://example.org/",
                                    html=html)
        cold, warm, ours_total, base = [], [], [], []
        for _ in range(repeat):  # ours and bare take turns, so a slow spell of the machine hits both
            engine._llm.reset()
            seen: list[float] = []
            start = time.perf_counter()
            request = suggester.prepare(objective="Open the comments of the first article",
                                        url="https://example.org/", html=html)
            # The first callback is the number line, emitted before the model runs.
            result = suggester.run(request, on_token=lambda _t, seen=seen: seen.append(time.perf_counter()))
            ours_total.append((time.perf_counter() - start) * 1000)
            cold.append((seen[1] - start) * 1000)
            again = suggester.run(request)
            warm.append(again.timings.total_ms)
            base.append(bare(engine, request.prompt, result.timings.generated_tokens))
        n_generated = result.timings.generated_tokens
        base_total = min(b["total_ms"] for b in base)
        ours = min(ours_total)
        rows.append({
            "page_tokens": request.page.tokens,
            "prompt_tokens": result.timings.prompt_tokens,
            "generated": n_generated,
            "ttft_cold_ms": round(min(cold), 1),
            "step_cold_ms": round(ours, 1),
            "step_warm_ms": round(min(warm), 1),
            "bare_ttft_ms": round(min(b["ttft_ms"] for b in base), 1),
            "bare_total_ms": round(base_total, 1),
            "overhead_pct": round(100 * (ours - base_total) / base_total, 1),
            "prefill_tok_s": round(result.timings.prompt_tokens / (result.timings.prefill_ms / 1000), 1),
        })
    engine.close()
    return rows


def format_comparison(threads: int, n_prompt: int = 1000) -> list[dict[str, object]]:
    """Prefill speed of the shipped Q4_1 against the F16 we serve (why we convert at first start)."""
    from llama_cpp import Llama

    from backend.model.default_model import served_default_model
    from backend.model.engine import PREFILL_CHUNK
    from backend.model.model_files import bundled_model_path

    rows = []
    for label, path in (("Q4_1 (shipped)", bundled_model_path()), ("F16 (served)", served_default_model())):
        llm = Llama(model_path=str(path), n_ctx=2048, n_batch=PREFILL_CHUNK, n_ubatch=PREFILL_CHUNK,
                    n_threads=threads, flash_attn=True, verbose=False)  # as the engine serves
        tokens = (llm.tokenize(pick_page()[:20000], add_bos=False) * 2)[:n_prompt]
        times = []
        for _ in range(3):
            llm.reset()
            start = time.perf_counter()
            llm.eval(tokens)
            times.append(time.perf_counter() - start)
        rows.append({"model": label, "prompt_tokens": n_prompt, "prefill_tok_s": round(n_prompt / min(times), 1)})
        llm.close()
    return rows


def server_peak_rss(threads: int) -> tuple[float, float]:
    """MB of peak resident memory (VmHWM) of a real server with default settings (4K context, 2K
    budget) after one suggestion per page size that fits that context: (first start, later start).
    The first start makes the cached models (F16, the merge, Q8_0 where AMX runs it) in-process,
    which a person pays once; every later start loads them."""
    from websockets.sync.client import connect

    sys.path.insert(0, str(ROOT / "tests"))
    from tests.server_process import ORIGIN, running_server

    html = pick_page().decode("utf-8", errors="replace")
    peaks = []
    with tempfile.TemporaryDirectory() as home:
        for _ in range(2):  # the second start finds the cache the first one made
            with running_server(Path(home), "--threads", str(threads), cache_dir=Path(home) / "cache") as srv:
                with connect(srv.ws_url, origin=ORIGIN, max_size=None) as ws:
                    ws.send(json.dumps({"type": "hello", "token": srv.token}))
                    ws.recv(timeout=30)
                    for size in (s for s in SIZES if s <= 2000):
                        ws.send(json.dumps({"type": "observe", "session": "bench", "objective": "Open the first article",
                                            "url": "https://example.org/", "html": html, "budget": size}))
                        while json.loads(ws.recv(timeout=300))["type"] in ("token", "progress"):
                            pass
                status = Path(f"/proc/{srv.proc.pid}/status").read_text()
            peaks.append(next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")) / 1024)
    return peaks[0], peaks[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    formats = format_comparison(args.threads)
    print_table(formats, title=f"Prefill speed of the default model's formats, {args.threads} threads")
    rows = measure(args.threads, args.repeat)
    print_table(rows, title=f"Suggestion latency, default model, {args.threads} threads (best of {args.repeat})")
    first, rss = server_peak_rss(args.threads)
    print(f"\nserver peak RSS: {rss:.0f} MB (target <= 600 MB); {first:.0f} MB on the first start, which makes "
          f"the cached models")
    worst = max(r["overhead_pct"] for r in rows)
    print(f"largest overhead over bare llama-cpp-python: {worst:.1f}% (target <= 15%)")
    write_json("latency", {"threads": args.threads, "repeat": args.repeat, "formats": formats, "rows": rows,
                           "server_peak_rss_mb": rss, "first_start_peak_rss_mb": first})


if __name__ == "__main__":
    main()
