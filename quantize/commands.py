"""CLI: `scribeagent export`, `export-adapter` and `parity` (the bridge from training to serving)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from quantize.llama_quant import QUANT_TYPES
from quantize.prompts import DEFAULT_PAGES_DIR


def _export(args: argparse.Namespace) -> int:
    from quantize.export import export_model

    export_model(args.base, args.adapter, args.out, args.quant, training_data=args.training_data)
    return 0


def _export_adapter(args: argparse.Namespace) -> int:
    from quantize.adapter import read_adapter
    from quantize.adapter_gguf import write_adapter_gguf
    from quantize.base_model import resolve_base
    from quantize.export import check_output_path, print_progress
    from quantize.provenance import make_provenance

    out = check_output_path(Path(args.out))
    base = resolve_base(args.base)
    adapter = read_adapter(args.adapter)
    write_adapter_gguf(base, adapter, out, make_provenance(base.path, adapter.path, args.training_data))
    print_progress(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MiB LoRA adapter, alpha={adapter.alpha:g}, r={adapter.rank})")
    return 0


def _parity(args: argparse.Namespace) -> int:
    from backend.model.model_files import check_gguf
    from quantize.adapter import read_adapter
    from quantize.base_model import resolve_base
    from quantize.merge import load_with_adapter
    from quantize.parity import THRESHOLDS, run_parity
    from quantize.prompts import parity_messages

    gguf_path = check_gguf(args.gguf)
    lora_path = check_gguf(args.lora, what="LoRA adapter") if args.lora else None
    base = resolve_base(args.hf)
    adapter = read_adapter(args.adapter) if args.adapter else None
    conversations = parity_messages(args.prompts, budget=args.budget, pages_dir=Path(args.pages))
    model, tokenizer = load_with_adapter(base, adapter, merge=False)
    report = run_parity(
        model, tokenizer, gguf_path, conversations,
        lora_path=lora_path, positions=args.positions, greedy_tokens=args.greedy_tokens,
    )
    limits = THRESHOLDS.get(args.quant or report.quant)
    print(report.table(limits))
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
    if limits is None:
        print(f"no thresholds for {report.quant}; nothing to enforce")
        return 0
    failures = report.failures(limits)
    for reason in failures:
        print(f"FAIL: {reason}")
    print("parity: FAIL" if failures else "parity: OK")
    return 1 if failures else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `export`, `export-adapter` and `parity` to the `scribeagent` CLI."""
    quants = list(QUANT_TYPES)

    p = subparsers.add_parser("export", help="merge a LoRA into its base and write a (quantized) GGUF")
    p.add_argument("--base", required=True, help="HF model directory or GGUF file")
    p.add_argument("--adapter", help="peft LoRA adapter directory (omit to export the base alone)")
    p.add_argument("--out", required=True, help="output .gguf file (written atomically)")
    p.add_argument("--quant", default="F16", type=str.upper, choices=quants, help="quantization (default F16)")
    p.add_argument("--training-data", help="summary of the training data, stored in the GGUF metadata")
    p.set_defaults(func=_export)

    p = subparsers.add_parser("export-adapter", help="write a GGUF LoRA adapter for llama.cpp's --lora")
    p.add_argument("--base", required=True, help="the base the adapter was trained on (HF directory or GGUF)")
    p.add_argument("--adapter", required=True, help="peft LoRA adapter directory")
    p.add_argument("--out", required=True, help="output adapter .gguf file (written atomically)")
    p.add_argument("--training-data", help="summary of the training data, stored in the GGUF metadata")
    p.set_defaults(func=_export_adapter)

    p = subparsers.add_parser("parity", help="compare HF (+ peft) logits with the GGUF llama.cpp serves")
    p.add_argument("--hf", required=True, help="reference base: HF directory or GGUF file (dequantized)")
    p.add_argument("--adapter", help="peft adapter applied to the reference")
    p.add_argument("--gguf", required=True, help="the GGUF model llama.cpp serves")
    p.add_argument("--lora", help="GGUF LoRA adapter llama.cpp applies on top of --gguf")
    p.add_argument("--prompts", type=int, default=20, help="number of real-page prompts (default 20)")
    p.add_argument("--budget", type=int, default=384, help="pruner token budget per page (default 384)")
    p.add_argument("--positions", type=int, default=16, help="last positions compared per prompt (default 16)")
    p.add_argument("--greedy-tokens", type=int, default=16, help="greedy tokens compared per prompt (default 16)")
    p.add_argument("--pages", default=str(DEFAULT_PAGES_DIR), help="directory of .html pages")
    p.add_argument("--quant", type=str.upper, help="thresholds to apply (default: the GGUF's file type)")
    p.add_argument("--json", help="also write the report as JSON to this file")
    p.set_defaults(func=_parity)
