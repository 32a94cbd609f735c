"""LoRA training throughput on this CPU: threads × precision × activation checkpointing × adapted layers.

A CPU session buys a few hundred thousand training tokens, so the recipe is chosen from this table
(tokens of the examples per second, answer and prompt alike) rather than from GPU folklore. Each
configuration trains the same examples for a few optimizer steps from the same seed in a fresh
process-local run; the first step is included, as it is in a real run.

    python bench/bench_train.py --data DATASET [--model BASE.gguf] [--steps 4] [--layers 0,10] [--threads 1,2]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import cpu_model, print_table, write_json  # noqa: E402




def measure(model: str, data: str, *, bf16: bool, checkpointing: bool, layers: int | None, steps: int,
            threads: int) -> dict[str, object]:
    from training.train import TrainArgs, run

    with tempfile.TemporaryDirectory() as out:
        args = TrainArgs(model=model, data=data, output_dir=out, lora_r=16, lora_alpha=32, lora_layers=layers,
                         max_steps=steps, batch_size=1, grad_accum=2, bf16=bf16, gradient_checkpointing=checkpointing,
                         eval_fraction=0.0, save_steps=10_000, progress=False, threads=threads, logging_steps=1)
        run(args)
        summary = json.loads((Path(out) / "train_summary.json").read_text())
    return {"threads": threads, "precision": "bf16 autocast" if bf16 else "fp32",
            "checkpointing": "on" if checkpointing else "off",
            "adapted layers": f"top {layers}" if layers else "all", "tokens": summary["tokens_seen"],
            "seconds": summary["seconds"], "tokens/s": summary["tokens_per_s"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="dataset built by `scribeagent data build`")
    parser.add_argument("--model", default=None, help="base model (default: the embedded SmolLM2 GGUF)")
    parser.add_argument("--steps", type=int, default=4, help="optimizer steps per configuration (2 examples each)")
    parser.add_argument("--layers", default="0,10", help="comma-separated: 0 = all layers, N = the top N")
    parser.add_argument("--threads", default="1,2", help="comma-separated torch thread counts")
    args = parser.parse_args()
    if args.model is None:
        from backend.model.model_files import bundled_model_path

        args.model = str(bundled_model_path())
    rows = []
    grid = itertools.product([int(t) for t in args.threads.split(",")], (False, True), (True, False),
                             [int(x) for x in args.layers.split(",")])
    for threads, bf16, ckpt, layers in grid:
        rows.append(measure(args.model, args.data, bf16=bf16, checkpointing=ckpt, layers=layers or None,
                            steps=args.steps, threads=threads))
    cpu = cpu_model()
    print_table(rows, title=f"LoRA r=16 training throughput, {cpu}")
    path = write_json("train_throughput", {"cpu": cpu, "data": args.data, "steps": args.steps, "rows": rows})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
