"""`scribeagent train`: LoRA / QLoRA fine-tuning on built examples, answer tokens only.

One recipe, TRL-script style: `TrainArgs` (a dataclass whose `help` metadata documents every
option) drives both the command-line flags and a YAML config (`--config training/configs/default.yaml`;
flags override the file). Heavy imports happen inside `main`.

The loss covers exactly the answer: an example is the base model's chat template applied to the
prompt messages with the generation prompt (masked), followed by the rest of the templated
conversation, i.e. the answer and the end-of-turn marker (learned). The prompt is tokenized on its
own, as the server tokenizes it before generating, so training sees the serving token boundary.

Runs single-process, or distributed under `torchrun` / `accelerate launch` (the HF Trainer picks
up the environment; see `training/configs/`). On a CPU use `ddp_backend: gloo`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Optional

from backend.constants import TRAINING_SUMMARY_FILE
from backend.errors import DataError, ModelFileError

IGNORE_INDEX = -100


@dataclass
class TrainArgs:
    model: str = field(default="", metadata={"help": "base model: an HF model directory or a .gguf file"})
    data: str = field(default="", metadata={"help": "dataset built by `scribeagent data build`"})
    output_dir: str = field(default="runs/lora", metadata={"help": "checkpoints, adapter, loss curve, summary"})
    eval_data: Optional[str] = field(default=None, metadata={
        "help": "built dataset for eval loss (default: a held-out share of --data)"})
    eval_fraction: float = field(default=0.05, metadata={
        "help": "share of workflows held out for eval loss when --eval-data is not given"})
    lora_r: int = field(default=64, metadata={"help": "LoRA rank (paper: 64)"})
    lora_alpha: int = field(default=128, metadata={"help": "LoRA alpha (paper: 128)"})
    lora_dropout: float = field(default=0.05, metadata={"help": "LoRA dropout"})
    lora_targets: str = field(default="all-linear", metadata={"help": "comma-separated module names, or all-linear"})
    lora_layers: Optional[int] = field(default=None, metadata={
        "help": "adapt only the top N decoder layers (backward stops at the lowest adapted one; default: all)"})
    init_adapter: Optional[str] = field(default=None, metadata={
        "help": "adapter to continue training from (warm start: same rank and targets): a peft "
                "directory, or a GGUF LoRA adapter such as the shipped models/scribeagent-smol.lora.gguf"})
    qlora: bool = field(default=False, metadata={"help": "load the base in 4-bit with bitsandbytes (QLoRA)"})
    epochs: float = field(default=2.0, metadata={"help": "training epochs"})
    max_steps: int = field(default=-1, metadata={"help": "stop after this many optimizer steps (overrides epochs)"})
    stop_after: Optional[int] = field(default=None, metadata={
        "help": "end this run after N optimizer steps, keeping the schedule of the full run "
                "(a session's share of it; --resume continues)"})
    learning_rate: float = field(default=2e-4, metadata={"help": "peak learning rate"})
    lr_scheduler: str = field(default="cosine", metadata={"help": "transformers scheduler name"})
    warmup: float = field(default=0.03, metadata={"help": "warm-up: a ratio (<1) or a number of steps"})
    weight_decay: float = field(default=0.0, metadata={"help": "AdamW weight decay"})
    batch_size: int = field(default=1, metadata={"help": "examples per device per step"})
    grad_accum: int = field(default=8, metadata={"help": "gradient accumulation steps"})
    max_length: int = field(default=2048, metadata={"help": "drop examples longer than this many tokens"})
    max_examples: Optional[int] = field(default=None, metadata={"help": "use only the first N examples"})
    gradient_checkpointing: bool = field(default=True, metadata={"help": "trade compute for memory"})
    bf16: Optional[bool] = field(default=None, metadata={"help": "bf16 mixed precision (default: on when a GPU supports it)"})
    logging_steps: int = field(default=1, metadata={"help": "log loss every N steps"})
    save_steps: int = field(default=100, metadata={"help": "checkpoint every N steps"})
    eval_steps: Optional[int] = field(default=None, metadata={"help": "eval loss every N steps (default: each epoch)"})
    resume: bool = field(default=False, metadata={"help": "continue from the last checkpoint in output_dir"})
    seed: int = field(default=0, metadata={"help": "random seed (data order, LoRA init)"})
    threads: Optional[int] = field(default=None, metadata={"help": "torch CPU threads"})
    ddp_backend: Optional[str] = field(default=None, metadata={"help": "gloo on CPU, nccl on GPU (distributed runs)"})
    progress: bool = field(default=True, metadata={"help": "show a progress bar"})


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """One flag per `TrainArgs` field, plus `--config`. Absent flags stay absent (SUPPRESS), so
    `resolve_args` can tell a flag given on the command line from a default."""
    parser.add_argument("--config", default=argparse.SUPPRESS, help="YAML file with any of the options below")
    for f in fields(TrainArgs):
        flag = "--" + f.name.replace("_", "-")
        kind = str(f.type)
        help_text = f"{f.metadata['help']} (default: {f.default})"
        if "bool" in kind:
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=argparse.SUPPRESS, help=help_text)
        else:
            conv = int if "int" in kind else float if "float" in kind else str
            parser.add_argument(flag, type=conv, default=argparse.SUPPRESS, help=help_text)
    return parser


def resolve_args(ns: argparse.Namespace) -> TrainArgs:
    """Dataclass defaults < YAML `--config` < flags given on the command line."""
    given = vars(ns)
    values: dict[str, Any] = {}
    known = {f.name for f in fields(TrainArgs)}
    if given.get("config"):
        import yaml

        try:
            config = yaml.safe_load(Path(given["config"]).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise DataError(f"cannot read config {given['config']}: {exc}") from exc
        unknown = set(config) - known
        if unknown:
            raise DataError(f"{given['config']}: unknown options {sorted(unknown)}")
        values.update(config)
    values.update({k: v for k, v in given.items() if k in known})
    args = TrainArgs(**values)
    for name in ("model", "data"):
        if not getattr(args, name):
            raise DataError(f"--{name} is required (flag or config)")
    return args


def parse_args(argv: list[str] | None) -> TrainArgs:
    parser = argparse.ArgumentParser(prog="scribeagent train", description=__doc__.split("\n\n")[0])
    return resolve_args(add_arguments(parser).parse_args(argv))


def load_base(model: str, *, qlora: bool = False, dtype: Any = None) -> tuple[Any, Any]:
    """(model, tokenizer) from an HF directory or a GGUF file, through the loader export and merge
    use (`quantize.base_model.load_hf_model`); QLoRA loads an HF directory's weights in 4 bits."""
    import torch

    from quantize.base_model import load_hf_model, resolve_base

    path = Path(model).expanduser()
    base_model = resolve_base(path)
    if not qlora:
        base, tokenizer = load_hf_model(base_model, dtype=dtype or torch.float32)
    elif base_model.is_gguf:
        raise ModelFileError(f"{path}: QLoRA loads 4-bit weights from an HF directory, and a GGUF is "
                             "dequantized to float first; train plain LoRA on it, or give an HF directory")
    else:
        from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

        quantization = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16 if torch.cuda.is_available() else torch.float32)
        try:
            tokenizer = AutoTokenizer.from_pretrained(path)
            base = AutoModelForCausalLM.from_pretrained(path, dtype=dtype or torch.float32,
                                                        quantization_config=quantization)
        except (OSError, ValueError) as exc:
            raise ModelFileError(f"cannot load base model {path}: {exc}") from exc
    if tokenizer.chat_template is None:
        raise ModelFileError(f"{path} has no chat template; ScribeAgent examples are chat conversations")
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return base, tokenizer


def encode_example(tokenizer: Any, messages: list[dict[str, str]], answer: str) -> dict[str, list[int]]:
    """Token ids and labels: the templated prompt is masked, the templated answer is learned.

    Raises DataError if the template does not render the prompt as a prefix of the conversation
    (then there is no exact boundary between what the model reads and what it must write).
    """
    prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    full = tokenizer.apply_chat_template([*messages, {"role": "assistant", "content": answer}], tokenize=False)
    if not full.startswith(prompt):
        raise DataError("the chat template does not extend the generation prompt with the answer")
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    answer_ids = tokenizer(full[len(prompt):], add_special_tokens=False)["input_ids"]
    return {"input_ids": prompt_ids + answer_ids, "labels": [IGNORE_INDEX] * len(prompt_ids) + answer_ids}


class PadCollator:
    """Right-pad a batch; padding is never attended to nor learned."""

    def __init__(self, pad_id: int) -> None:
        self.pad_id = pad_id

    def __call__(self, rows: list[dict[str, list[int]]]) -> dict[str, Any]:
        import torch

        width = max(len(r["input_ids"]) for r in rows)
        ids = [r["input_ids"] + [self.pad_id] * (width - len(r["input_ids"])) for r in rows]
        labels = [r["labels"] + [IGNORE_INDEX] * (width - len(r["labels"])) for r in rows]
        mask = [[1] * len(r["input_ids"]) + [0] * (width - len(r["input_ids"])) for r in rows]
        return {"input_ids": torch.tensor(ids), "labels": torch.tensor(labels), "attention_mask": torch.tensor(mask)}


def tokenize_dataset(ds: Any, tokenizer: Any, max_length: int) -> tuple[Any, int]:
    """(tokenized dataset, examples dropped for length)."""
    def enc(row: dict[str, Any]) -> dict[str, Any]:
        return encode_example(tokenizer, row["messages"], row["answer"])

    before = len(ds)
    out = ds.map(enc, remove_columns=ds.column_names, desc="tokenizing")
    out = out.filter(lambda ids: len(ids) <= max_length, input_columns="input_ids")
    return out, before - len(out)


def split_by_workflow(ds: Any, fraction: float, seed: int) -> tuple[Any, Any]:
    """Hold out whole workflows (steps of one workflow share pages: splitting them would leak)."""
    import random

    ids = sorted(set(ds["workflow_id"]))
    if fraction <= 0 or len(ids) < 2:
        return ds, None
    held = set(random.Random(seed).sample(ids, max(1, round(len(ids) * fraction))))
    return (ds.filter(lambda w: w not in held, input_columns="workflow_id"),
            ds.filter(lambda w: w in held, input_columns="workflow_id"))


def attach_lora(model: Any, args: TrainArgs) -> Any:
    """Wrap the base in a peft LoRA model: only the adapter's matrices are trainable.

    `init_adapter` continues an earlier run's adapter (compute accumulates across sessions);
    `lora_layers` adapts only the top layers, so the backward pass stops below them.
    """
    from peft import LoraConfig, PeftModel, get_peft_model, prepare_model_for_kbit_training

    if args.qlora:
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=args.gradient_checkpointing)
    if args.init_adapter:
        init = init_adapter_dir(args)
        if not (init / "adapter_config.json").is_file():
            raise ModelFileError(f"no peft adapter at {args.init_adapter} (adapter_config.json missing)")
        return PeftModel.from_pretrained(model, str(init), is_trainable=True)
    targets: Any = args.lora_targets if args.lora_targets == "all-linear" else [t.strip() for t in args.lora_targets.split(",")]
    layers = None
    if args.lora_layers:
        total = model.config.num_hidden_layers
        if not 0 < args.lora_layers <= total:
            raise DataError(f"--lora-layers must be within 1..{total}, got {args.lora_layers}")
        layers = list(range(total - args.lora_layers, total))
        if targets == "all-linear":  # peft takes a layer subset only with named modules
            targets = _decoder_linear_names(model)
    return get_peft_model(model, LoraConfig(r=args.lora_r, lora_alpha=args.lora_alpha, lora_dropout=args.lora_dropout,
                                            target_modules=targets, layers_to_transform=layers, task_type="CAUSAL_LM"))


def init_adapter_dir(args: TrainArgs) -> Path:
    """The peft directory a warm start loads: `--init-adapter` itself, or, for a GGUF adapter, its
    import under the output directory (made once, so `--resume` reuses it)."""
    init = Path(args.init_adapter or "").expanduser()
    if init.suffix != ".gguf":
        return init
    if not init.is_file():
        raise ModelFileError(f"no GGUF adapter at {init}")
    imported = Path(args.output_dir) / "init-adapter"
    if not imported.is_dir():
        from quantize.adapter_import import import_adapter_gguf
        from quantize.base_model import resolve_base

        import_adapter_gguf(resolve_base(args.model), init, imported, lora_dropout=args.lora_dropout)
    return imported


def _lineage(args: TrainArgs) -> str:
    """What the warm start was trained on, so the exported summary keeps the whole lineage."""
    if not args.init_adapter:
        return ""
    summary = init_adapter_dir(args) / TRAINING_SUMMARY_FILE
    previous = json.loads(summary.read_text(encoding="utf-8")).get("training_data", "") if summary.is_file() else ""
    return f"; continues {Path(args.init_adapter).name}" + (f" ({previous})" if previous else "")


def _decoder_linear_names(model: Any) -> list[str]:
    """The names of the linear projections inside the decoder layers (what "all-linear" adapts)."""
    import torch

    return sorted({name.rsplit(".", 1)[-1] for name, module in model.named_modules()
                   if isinstance(module, torch.nn.Linear) and ".layers." in name})


def plot_loss(history: list[dict[str, Any]], path: Path) -> None:
    """Training (and eval) loss against step, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train = [(h["step"], h["loss"]) for h in history if "loss" in h]
    evals = [(h["step"], h["eval_loss"]) for h in history if "eval_loss" in h]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    if train:
        ax.plot(*zip(*train), label="train loss")
    if evals:
        ax.plot(*zip(*evals), "o-", label="eval loss")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("loss (answer tokens)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def stop_after_callback(steps: int) -> Any:
    """A callback that ends the run at `steps` optimizer steps, saving a checkpoint there.

    The learning-rate schedule stays that of `max_steps`, so a run split over several sessions
    (`--stop-after`, then `--resume`) follows the same schedule as one uninterrupted run.
    """
    from transformers import TrainerCallback

    class _StopAfter(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
            if state.global_step >= steps:
                control.should_save = True
                control.should_training_stop = True
            return control

    return _StopAfter()


def main(argv: list[str] | None = None) -> int:
    return run(parse_args(argv))


def run(args: TrainArgs) -> int:
    """Train with resolved arguments (the CLI and `python -m training.train` both end here)."""
    import torch
    from datasets import load_from_disk
    from transformers import Trainer, TrainingArguments
    from transformers.trainer_utils import get_last_checkpoint

    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gpu = torch.cuda.is_available()
    bf16 = args.bf16 if args.bf16 is not None else (gpu and torch.cuda.is_bf16_supported())
    if args.qlora and not gpu:
        print("warning: QLoRA on CPU is slow; bitsandbytes 4-bit is meant for GPUs", file=sys.stderr)

    out = Path(args.output_dir)
    try:
        data = load_from_disk(args.data)
    except FileNotFoundError as exc:
        raise DataError(f"no built dataset at {args.data} (run `scribeagent data build`)") from exc
    if args.max_examples:
        data = data.select(range(min(args.max_examples, len(data))))
    if args.eval_data:
        train_rows, eval_rows = data, load_from_disk(args.eval_data)
    else:
        train_rows, eval_rows = split_by_workflow(data, args.eval_fraction, args.seed)

    model, tokenizer = load_base(args.model, qlora=args.qlora)
    train_ds, too_long = tokenize_dataset(train_rows, tokenizer, args.max_length)
    eval_ds = tokenize_dataset(eval_rows, tokenizer, args.max_length)[0] if eval_rows is not None else None
    if len(train_ds) == 0:
        raise DataError(f"no training examples fit in --max-length {args.max_length}")

    model = attach_lora(model, args)

    resume = get_last_checkpoint(str(out)) if args.resume and out.is_dir() else None
    if args.resume and resume is None:
        print(f"no checkpoint in {out}; starting from scratch", file=sys.stderr)
    targs = TrainingArguments(
        output_dir=str(out),
        per_device_train_batch_size=args.batch_size,
        per_device_eval_batch_size=args.batch_size,
        gradient_accumulation_steps=args.grad_accum,
        num_train_epochs=args.epochs,
        max_steps=args.max_steps,
        learning_rate=args.learning_rate,
        lr_scheduler_type=args.lr_scheduler,
        warmup_steps=args.warmup,
        weight_decay=args.weight_decay,
        logging_steps=args.logging_steps,
        logging_first_step=True,
        save_steps=args.save_steps,
        save_total_limit=2,
        eval_strategy=("steps" if args.eval_steps else "epoch") if eval_ds is not None else "no",
        eval_steps=args.eval_steps,
        bf16=bf16,
        activation_checkpointing=args.gradient_checkpointing,
        activation_checkpointing_kwargs={"use_reentrant": False},
        report_to="none",
        seed=args.seed,
        data_seed=args.seed,
        remove_unused_columns=False,
        disable_tqdm=not args.progress,
        ddp_backend=args.ddp_backend,
        use_cpu=not gpu,
        include_num_input_tokens_seen="non_padding",
    )
    trainer = Trainer(model=model, args=targs, train_dataset=train_ds, eval_dataset=eval_ds,
                      data_collator=PadCollator(tokenizer.pad_token_id), processing_class=tokenizer,
                      callbacks=[stop_after_callback(args.stop_after)] if args.stop_after else None)
    start = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=resume)
    seconds = time.perf_counter() - start

    if trainer.is_world_process_zero():
        adapter_dir = out / "adapter"
        model.save_pretrained(adapter_dir)
        tokenizer.save_pretrained(adapter_dir)
        history = trainer.state.log_history
        plot_loss(history, out / "loss.png")
        losses = [h["loss"] for h in history if "loss" in h]
        evals = [h["eval_loss"] for h in history if "eval_loss" in h]
        tokens = trainer.state.num_input_tokens_seen
        summary = {
            "base": args.model, "data": args.data, "examples": len(train_ds), "eval_examples": len(eval_ds) if eval_ds else 0,
            "dropped_too_long": too_long, "steps": trainer.state.global_step, "resumed_from": resume,
            "first_loss": losses[0] if losses else None, "last_loss": losses[-1] if losses else None,
            "eval_loss": evals[-1] if evals else None, "train_loss": result.training_loss,
            "tokens_seen": tokens, "seconds": round(seconds, 2),
            "tokens_per_s": round(tokens / seconds, 1) if seconds > 0 and tokens else None,
            "world_size": int(os.environ.get("WORLD_SIZE", "1")), "args": asdict(args),
        }
        (out / "train_summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
        data_summary = {"training_data": f"{Path(args.data).name}: {len(train_ds)} examples, "
                                         f"{trainer.state.global_step} steps, eval loss {summary['eval_loss']}{_lineage(args)}"}
        (adapter_dir / TRAINING_SUMMARY_FILE).write_text(json.dumps(data_summary) + "\n", encoding="utf-8")
        print(f"adapter: {adapter_dir}  loss {summary['first_loss']} → {summary['last_loss']}  "
              f"({summary['tokens_per_s']} tokens/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
