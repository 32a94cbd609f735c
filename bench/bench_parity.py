"""Measure HF-vs-llama.cpp parity of the embedded SmolLM2 for every export quantization.

This is where `quantize.parity.THRESHOLDS` come from: export the bundled model once as F16, quantize
it with llama.cpp to each type, and compare every file against the float32 HF weights on real
prompts. Run: `python bench/bench_parity.py [--prompts 20] [--json out.json]` (a few minutes on CPU).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backend.model.model_files import bundled_model_path  # noqa: E402
from quantize.base_model import load_hf_model, resolve_base  # noqa: E402
from quantize.export import export_model  # noqa: E402
from quantize.llama_quant import QUANT_TYPES, quantize_gguf  # noqa: E402
from quantize.parity import THRESHOLDS, run_parity  # noqa: E402
from quantize.prompts import parity_messages  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=20)
    parser.add_argument("--budget", type=int, default=384)
    parser.add_argument("--quants", default=",".join(QUANT_TYPES), help="comma-separated quant types")
    parser.add_argument("--json", help="write all reports here")
    args = parser.parse_args()

    base = resolve_base(bundled_model_path())
    conversations = parity_messages(args.prompts, budget=args.budget)
    model, tokenizer = load_hf_model(base)
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-parity-") as work:
        f16 = export_model(base.path, None, Path(work) / "model.F16.gguf", "F16")
        for quant in args.quants.split(","):
            path = f16 if quant == "F16" else quantize_gguf(f16, Path(work) / f"model.{quant}.gguf", quant)
            start = time.perf_counter()
            report = run_parity(model, tokenizer, path, conversations)
            limits = THRESHOLDS[quant]
            print(report.table(limits))
            print(f"size {path.stat().st_size / 2**20:.1f} MiB, {time.perf_counter() - start:.1f} s, "
                  f"{'FAIL: ' + '; '.join(report.failures(limits)) if report.failures(limits) else 'OK'}\n")
            results[quant] = report.to_dict()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
