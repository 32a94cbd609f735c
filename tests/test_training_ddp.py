"""Distributed path: 2 CPU processes on gloo (torchrun) match one process with the same global batch."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_training import build_tiny_llama, example_rows, smol_tokenizer_dir  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow  # loads a real model, a browser or torch (see README: fast lane)

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gloo_ddp_matches_single_process(smol_tokenizer_dir, tmp_path):  # noqa: F811
    from datasets import Dataset

    build_tiny_llama(smol_tokenizer_dir, tmp_path / "model")
    Dataset.from_list(example_rows(16)).save_to_disk(str(tmp_path / "data"))
    common = ["--model", str(tmp_path / "model"), "--data", str(tmp_path / "data"), "--lora-r", "8", "--lora-alpha", "16",
              "--lora-dropout", "0", "--eval-fraction", "0", "--grad-accum", "1", "--learning-rate", "5e-3",
              "--warmup", "0", "--lr-scheduler", "constant", "--threads", "1", "--no-progress",
              "--no-gradient-checkpointing", "--max-steps", "4", "--save-steps", "1000"]
    single = [sys.executable, "-m", "training.train", *common, "--output-dir", str(tmp_path / "single"), "--batch-size", "4"]
    ddp = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
           "--master_port", str(_free_port()), "-m", "training.train", *common,
           "--output-dir", str(tmp_path / "ddp"), "--batch-size", "2", "--ddp-backend", "gloo"]
    for cmd in (single, ddp):
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    one = json.loads((tmp_path / "single" / "train_summary.json").read_text())
    two = json.loads((tmp_path / "ddp" / "train_summary.json").read_text())
    assert (one["world_size"], two["world_size"]) == (1, 2)
    assert two["steps"] == one["steps"] == 4
    assert two["tokens_seen"] == one["tokens_seen"]  # same examples per global step
    for key in ("first_loss", "last_loss", "train_loss"):
        assert two[key] == pytest.approx(one[key], rel=1e-3), key
    assert one["last_loss"] < one["first_loss"]  # it did learn, so matching is not trivial
