"""Fine-tuning on CPU with tiny models: exact answer-only masking, overfitting, frozen base, resume."""

from __future__ import annotations

import json
import random

import pytest

from backend.constants import TRAINING_SUMMARY_FILE, ActionKind
from backend.errors import ModelFileError
from backend.format import Step, build_messages, render_answer
from training.train import IGNORE_INDEX, TrainArgs, attach_lora, encode_example, main as train_main, parse_args

pytestmark = pytest.mark.slow  # loads a real model, a browser or torch (see README: fast lane)

LABELS = ("Sign in", "Search", "Next", "Save", "Cancel", "Open", "Buy", "Send", "Delete", "Edit")
#: The tiny model's output layer is random with a realistic init (std 0.02), which bounds its logits
#: far below what confident answers need; adapting lm_head too lets 2 layers memorise 20 answers.
TINY_TARGETS = "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj,lm_head"


@pytest.fixture(scope="session")
def smol_tokenizer_dir(tmp_path_factory):
    """SmolLM2's real tokenizer + chat template (read once from the bundled GGUF)."""
    from transformers import AutoTokenizer

    from backend.model.model_files import bundled_model_path

    gguf = bundled_model_path()
    out = tmp_path_factory.mktemp("smol_tok")
    AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name).save_pretrained(out)
    return out


def build_tiny_llama(tok_dir, out_dir, seed=0):
    """A 2-layer Llama, small enough to train for dozens of steps in seconds."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(tok_dir)
    config = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
                         tie_word_embeddings=False, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    torch.manual_seed(seed)
    LlamaForCausalLM(config).save_pretrained(out_dir)
    tok.save_pretrained(out_dir)
    return out_dir


def example_rows(n: int, seed: int = 0) -> list[dict]:
    r = random.Random(seed)
    rows = []
    for i in range(n):
        label, node = LABELS[i % len(LABELS)], str(r.randint(3, 99))
        html = f'<form><input node="{int(node) + 1}" placeholder="Email"><button node="{node}">{label}</button></form>'
        step = Step(f"Click '{label}'", ActionKind.CLICK, node, None, f'<button node="{node}">')
        rows.append({"id": str(i), "workflow_id": f"w{i}", "family": "t", "step": 1, "node": node,
                     "messages": build_messages(f"Press {label} number {i}", "https://x.test/", html),
                     "answer": render_answer(step, 1), "candidates": [node]})
    return rows


@pytest.fixture(scope="session")
def tiny_setup(tmp_path_factory, smol_tokenizer_dir):
    from datasets import Dataset

    root = tmp_path_factory.mktemp("tiny")
    build_tiny_llama(smol_tokenizer_dir, root / "model")
    Dataset.from_list(example_rows(20)).save_to_disk(str(root / "data"))
    return root


def _args(root, out, *extra):
    return ["--model", str(root / "model"), "--data", str(root / "data"), "--output-dir", str(out),
            "--lora-r", "16", "--lora-alpha", "32", "--lora-dropout", "0", "--lora-targets", TINY_TARGETS,
            "--eval-fraction", "0", "--batch-size", "4", "--grad-accum", "1", "--learning-rate", "5e-3",
            "--warmup", "0", "--lr-scheduler", "constant", "--threads", "1", "--no-progress",
            "--no-gradient-checkpointing", *extra]


@pytest.mark.parametrize("which", ["smol", "qwen"])
def test_only_the_answer_is_learned_exactly(which, smol_tokenizer_dir):
    from transformers import AutoTokenizer

    from tests.tiny_models import qwen_tokenizer_dir

    tok = AutoTokenizer.from_pretrained(smol_tokenizer_dir if which == "smol" else qwen_tokenizer_dir())
    row = example_rows(1)[0]
    enc = encode_example(tok, row["messages"], row["answer"])
    ids, labels = enc["input_ids"], enc["labels"]
    prompt = tok.apply_chat_template(row["messages"], add_generation_prompt=True, tokenize=False)
    prompt_ids = tok(prompt, add_special_tokens=False)["input_ids"]
    n_masked = labels.index(next(x for x in labels if x != IGNORE_INDEX))
    # exactly the prompt's tokens are masked, and nothing after them is
    assert n_masked == len(prompt_ids) and ids[:n_masked] == prompt_ids
    assert IGNORE_INDEX not in labels[n_masked:]
    assert labels[n_masked:] == ids[n_masked:]
    learned = tok.decode(ids[n_masked:])
    full = tok.apply_chat_template([*row["messages"], {"role": "assistant", "content": row["answer"]}], tokenize=False)
    assert prompt + learned == full
    assert row["answer"] in learned
    assert tok.eos_token in learned or "<|im_end|>" in learned  # the end of the turn is learned too
    assert "Objective:" not in learned


def test_yaml_config_and_flags(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("model: m\ndata: d\nlora_r: 8\nqlora: true\n")
    args = parse_args(["--config", str(cfg), "--lora-r", "4"])
    assert (args.model, args.lora_r, args.qlora, args.lora_alpha) == ("m", 4, True, 128)
    cfg.write_text("model: m\ndata: d\nlora_rank: 8\n")
    from backend.errors import DataError

    with pytest.raises(DataError, match="lora_rank"):
        parse_args(["--config", str(cfg)])


def test_default_config_file_parses():
    from pathlib import Path

    cfg = Path(__file__).resolve().parents[1] / "training" / "configs" / "default.yaml"
    args = parse_args(["--config", str(cfg), "--model", "m", "--data", "d"])
    assert (args.lora_r, args.lora_alpha, args.lora_targets) == (64, 128, "all-linear")


def test_only_lora_matrices_are_trainable(tiny_setup):
    from transformers import AutoModelForCausalLM

    model = attach_lora(AutoModelForCausalLM.from_pretrained(tiny_setup / "model"), TrainArgs(lora_r=4, lora_alpha=8))
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)
    projections = {part for n in trainable for part in n.split(".")}
    assert {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"} <= projections


def test_tiny_model_overfits_base_frozen_adapter_changed(tiny_setup, tmp_path):
    import torch
    from peft import PeftModel
    from safetensors.torch import load_file
    from transformers import AutoModelForCausalLM

    out = tmp_path / "run"
    assert train_main(_args(tiny_setup, out, "--epochs", "7", "--save-steps", "1000")) == 0
    summary = json.loads((out / "train_summary.json").read_text())
    assert summary["last_loss"] <= 0.2 * summary["first_loss"], summary
    assert (out / "loss.png").stat().st_size > 1000
    # What `scribeagent export` copies into the GGUF metadata.
    data_summary = json.loads((out / "adapter" / "training_summary.json").read_text())["training_data"]
    assert data_summary.startswith("data: ") and f"{summary['steps']} steps" in data_summary

    base_sd = load_file(tiny_setup / "model" / "model.safetensors")
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_setup / "model"), out / "adapter")
    lora_b = [p for n, p in model.named_parameters() if "lora_B" in n]
    assert lora_b and all(p.abs().sum() > 0 for p in lora_b)  # peft starts B at zero: it moved
    for name, param in model.get_base_model().named_parameters():
        if "lora_" in name:
            continue
        key = name.replace(".base_layer", "")
        assert torch.equal(param, base_sd[key]), name  # the base is untouched


def test_resume_continues_from_the_last_checkpoint(tiny_setup, tmp_path):
    out = tmp_path / "run"
    assert train_main(_args(tiny_setup, out, "--max-steps", "4", "--save-steps", "2")) == 0
    assert (out / "checkpoint-4").is_dir()
    first = json.loads((out / "train_summary.json").read_text())
    assert train_main(_args(tiny_setup, out, "--max-steps", "6", "--save-steps", "2", "--resume")) == 0
    second = json.loads((out / "train_summary.json").read_text())
    assert second["resumed_from"].endswith("checkpoint-4")
    assert second["steps"] == 6 and (out / "checkpoint-6").is_dir()
    assert second["tokens_seen"] > first["tokens_seen"]  # counting went on, not restarted


def test_a_run_split_over_sessions_keeps_the_full_schedule(tiny_setup, tmp_path):
    """--stop-after ends a session's share of a run; --resume finishes it on the same schedule."""
    out = tmp_path / "run"
    common = ("--max-steps", "6", "--save-steps", "100", "--lr-scheduler", "linear", "--warmup", "0")
    assert train_main(_args(tiny_setup, out, *common, "--stop-after", "3")) == 0
    first = json.loads((out / "train_summary.json").read_text())
    assert first["steps"] == 3 and (out / "checkpoint-3").is_dir() and (out / "adapter").is_dir()
    state = json.loads((out / "checkpoint-3" / "trainer_state.json").read_text())
    assert state["max_steps"] == 6  # the schedule of the whole run, not of this share
    assert train_main(_args(tiny_setup, out, *common, "--resume")) == 0
    assert json.loads((out / "train_summary.json").read_text())["steps"] == 6


def test_top_layers_only_and_warm_start(tiny_setup, tmp_path):
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(tiny_setup / "model")
    top = base.config.num_hidden_layers - 1
    model = attach_lora(base, TrainArgs(lora_r=4, lora_alpha=8, lora_layers=1))
    layers = {int(n.split("layers.")[1].split(".")[0]) for n, p in model.named_parameters() if p.requires_grad}
    assert layers == {top}
    out = tmp_path / "run"
    assert train_main(_args(tiny_setup, out, "--max-steps", "1", "--save-steps", "100")) == 0
    warm = attach_lora(AutoModelForCausalLM.from_pretrained(tiny_setup / "model"),
                       TrainArgs(init_adapter=str(out / "adapter")))
    assert any(p.requires_grad for n, p in warm.named_parameters() if "lora_" in n)
    later = tmp_path / "later"
    assert train_main(_args(tiny_setup, later, "--max-steps", "1", "--save-steps", "100",
                            "--init-adapter", str(out / "adapter"))) == 0
    first = json.loads((out / "adapter" / TRAINING_SUMMARY_FILE).read_text())["training_data"]
    lineage = json.loads((later / "adapter" / TRAINING_SUMMARY_FILE).read_text())["training_data"]
    assert lineage.endswith(f"; continues adapter ({first})")  # the summary keeps the whole lineage
    with pytest.raises(ModelFileError):
        attach_lora(base, TrainArgs(init_adapter=str(tmp_path)))


def test_cli_synth_build_train_with_config_and_eval_split(tiny_setup, tmp_path):
    from datasets import load_from_disk

    from backend.cli import main as cli

    assert cli(["data", "synth", "--out", str(tmp_path / "wf"), "--workflows", "6", "--seed", "4"]) == 0
    assert cli(["data", "build", str(tmp_path / "wf" / "train.jsonl"), "--out", str(tmp_path / "ds"),
                "--max-tokens", "600"]) == 0
    n = len(load_from_disk(str(tmp_path / "ds")))
    from pathlib import Path

    default_yaml = Path(__file__).resolve().parents[1] / "training" / "configs" / "default.yaml"
    out = tmp_path / "run"
    assert cli(["train", "--config", str(default_yaml), "--model", str(tiny_setup / "model"), "--data", str(tmp_path / "ds"),
                "--output-dir", str(out), "--max-steps", "2", "--lora-r", "4", "--lora-alpha", "8", "--grad-accum", "1",
                "--eval-fraction", "0.3", "--threads", "1", "--no-progress", "--no-gradient-checkpointing",
                "--max-length", "700"]) == 0
    summary = json.loads((out / "train_summary.json").read_text())
    assert summary["eval_examples"] > 0 and summary["eval_loss"] is not None
    assert summary["examples"] + summary["eval_examples"] + summary["dropped_too_long"] == n
    assert summary["args"]["lora_targets"] == "all-linear" and summary["args"]["lora_r"] == 4


def test_gguf_base_loads_as_a_trainable_model():
    """The embedded SmolLM2 ships only as GGUF; it must be fine-tunable offline."""
    from transformers.trainer_utils import validate_quantization_for_training

    from backend.model.model_files import bundled_model_path
    from training.train import load_base

    model, tok = load_base(str(bundled_model_path()))
    validate_quantization_for_training(model)  # raises for a model still marked GGUF-quantized
    model = attach_lora(model, TrainArgs(lora_r=4, lora_alpha=8, lora_dropout=0.0))
    row = example_rows(1)[0]
    enc = encode_example(tok, row["messages"], row["answer"])
    import torch

    out = model(input_ids=torch.tensor([enc["input_ids"]]), labels=torch.tensor([enc["labels"]]))
    out.loss.backward()
    assert 0 < out.loss.item() < 8  # a pretrained model, not random weights (ln V ≈ 10.8)
    grads = [p.grad for n, p in model.named_parameters() if p.requires_grad]
    assert grads and all(g is not None for g in grads)


def test_qlora_trains_a_4bit_base(tiny_setup, tmp_path):
    import bitsandbytes as bnb

    from training.train import load_base

    model, _ = load_base(str(tiny_setup / "model"), qlora=True)
    assert any(isinstance(m, bnb.nn.Linear4bit) for m in model.modules())
    del model
    out = tmp_path / "q"
    assert train_main(_args(tiny_setup, out, "--qlora", "--max-steps", "2", "--save-steps", "1000")) == 0
    summary = json.loads((out / "train_summary.json").read_text())
    assert summary["steps"] == 2 and summary["last_loss"] is not None
    assert (out / "adapter" / "adapter_model.safetensors").is_file()
