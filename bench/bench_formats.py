"""Prefill and decode speed of the default model in each GGUF format, on the llama.cpp build that runs it.

The served format is chosen by this table and by accuracy (`scribeagent eval … --model FILE`): a
format that prefills faster but answers worse is not served. Run it with each build's interpreter
to compare wheels (a venv with that llama-cpp-python wheel installed first, then
`pip install -e .`; e.g. the x86-64-v3 and the AVX-512 one):

    python bench/bench_formats.py [--threads 1] [--formats F16,Q8_0,Q4_0,IQ4_NL] [--tokens 600]

The F16 default model is the one `scribeagent serve` serves (converted on first use); the
quantized files are made from it once (llama.cpp's quantizer) under --work.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.model.llama_quantizer import llama_quantize  # noqa: E402
from backend.model.model_files import atomic_write  # noqa: E402
from bench.common import build_flags, cpu_model, print_table, write_json  # noqa: E402

PAGES = ROOT.parent / "shared" / "pages"


def quantized(source: Path, fmt: str, work: Path) -> Path:
    """`source` in `fmt`, quantized once by llama.cpp (F16 is the source itself)."""
    if fmt == "F16":
        return source
    target = work / f"{source.stem.removesuffix('.F16')}.{fmt}.gguf"
    if not target.exists():
        with atomic_write(target) as tmp:
            llama_quantize(source, tmp, f"LLAMA_FTYPE_MOSTLY_{fmt}", allow_requantize=True)
    return target


def measure(path: Path, tokens: int, threads: int, repeat: int) -> dict[str, float]:
    """Best-of-`repeat` prefill of `tokens` page tokens, then 20 single-token decode steps."""
    from llama_cpp import Llama

    llm = Llama(model_path=str(path), n_ctx=tokens + 64, n_batch=256, n_ubatch=256, n_threads=threads,
                n_threads_batch=threads, flash_attn=True, use_mmap=False, verbose=False)
    try:
        page = max(PAGES.glob("*.html"), key=lambda p: p.stat().st_size).read_text(errors="replace")
        ids = llm.tokenize(page.encode(), add_bos=False)[:tokens + 20]
        prefill = 0.0
        for _ in range(repeat):
            llm.reset()
            start = time.perf_counter()
            llm.eval(ids[:tokens])
            prefill = max(prefill, tokens / (time.perf_counter() - start))
        start = time.perf_counter()
        for tok in ids[tokens:tokens + 20]:
            llm.eval([tok])
        decode = 20 / (time.perf_counter() - start)
        return {"prefill_tok_s": round(prefill, 1), "decode_tok_s": round(decode, 1)}
    finally:
        llm.close()




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--f16", type=Path, default=None, help="an F16 model (default: the served default model)")
    parser.add_argument("--formats", default="F16,Q8_0,Q4_0,IQ4_NL")
    parser.add_argument("--tokens", type=int, default=600, help="prompt tokens prefilled (a named-objective step)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "scribeagent" / "bench-formats")
    parser.add_argument("--name", default="formats", help="bench/results/<name>.json (one per build compared)")
    args = parser.parse_args()
    from backend.model.default_model import served_default_model

    f16 = args.f16 or served_default_model()
    simd = build_flags()
    rows = []
    for fmt in args.formats.split(","):
        path = quantized(f16, fmt.strip().upper(), args.work)
        rows.append({"format": fmt, "MiB": round(path.stat().st_size / 2**20), **measure(path, args.tokens, args.threads,
                                                                                      args.repeat)})
    f16_rate = next((r["prefill_tok_s"] for r in rows if r["format"] == "F16"), None)
    for row in rows:
        row["vs_F16"] = round(row["prefill_tok_s"] / f16_rate, 2) if f16_rate else None
    print(f"CPU: {cpu_model()}; build: {simd}; {args.threads} thread(s), {args.tokens} tokens")
    print_table(rows)
    payload = {"cpu": cpu_model(), "build": simd, "threads": args.threads, "tokens": args.tokens, "rows": rows}
    print(f"wrote {write_json(args.name, payload)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
