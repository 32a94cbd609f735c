"""Export parity on the real embedded SmolLM2-135M (weights from its bundled GGUF), real llama.cpp.

Real weights make top-1 agreement meaningful, so the quantized exports are judged by the same
thresholds `scribeagent parity` enforces (quantize.parity.THRESHOLDS, measured by
bench/bench_parity.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from backend.model.model_files import bundled_model_path
from quantize.adapter import read_adapter
from quantize.adapter_gguf import write_adapter_gguf
from quantize.base_model import load_hf_model, resolve_base, save_clean_hf_dir
from quantize.export import export_model
from quantize.llama_quant import quantize_gguf
from quantize.parity import THRESHOLDS, gguf_logits, run_parity
from quantize.prompts import parity_messages, render_prompt
from quantize.provenance import make_provenance
from tiny_models import make_lora_adapter

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def smol(tmp_path_factory):
    """Reference HF model, an adapter, and the F16 / merged exports made from the bundled GGUF."""
    root = tmp_path_factory.mktemp("smollm2")
    gguf_base = bundled_model_path()
    model, tokenizer = load_hf_model(resolve_base(gguf_base))
    hf_dir = save_clean_hf_dir(model, tokenizer, root / "hf")
    lora = make_lora_adapter(hf_dir, root / "lora", r=8, alpha=16, b_std=0.01)
    return {
        "model": model,
        "tokenizer": tokenizer,
        "hf_dir": hf_dir,
        "lora": lora,
        "f16": export_model(gguf_base, None, root / "f16.gguf", "F16"),
        "merged": export_model(gguf_base, lora, root / "merged.gguf", "F16"),
        "conversations": parity_messages(8, budget=256),
        "root": root,
    }


def test_f16_export_from_the_gguf_base_matches_hf(smol):
    report = run_parity(smol["model"], smol["tokenizer"], smol["f16"], smol["conversations"])
    assert report.rel_l2 < 2e-3, report.table()
    assert not report.failures(THRESHOLDS["F16"]), report.table()


@pytest.mark.parametrize("quant", ["Q8_0", "Q4_K_M"])
def test_quantized_exports_pass_their_thresholds(smol, quant):
    path = quantize_gguf(smol["f16"], smol["root"] / f"{quant}.gguf", quant)
    report = run_parity(smol["model"], smol["tokenizer"], path, smol["conversations"])
    assert report.quant == quant
    assert not report.failures(THRESHOLDS[quant]), report.table(THRESHOLDS[quant])


def test_merged_lora_and_gguf_adapter_match_hf_plus_peft(smol, tmp_path):
    from peft import PeftModel

    adapter_gguf = write_adapter_gguf(
        resolve_base(smol["hf_dir"]), read_adapter(smol["lora"]), tmp_path / "adapter.gguf",
        make_provenance(smol["hf_dir"], smol["lora"], None),
    )
    peft_model = PeftModel.from_pretrained(smol["model"], smol["lora"]).eval()
    try:
        merged = run_parity(peft_model, smol["tokenizer"], smol["merged"], smol["conversations"])
        on_base = run_parity(peft_model, smol["tokenizer"], smol["f16"], smol["conversations"][:2],
                             lora_path=adapter_gguf)
    finally:
        peft_model.unload()  # give the shared reference model back without LoRA layers
    assert merged.rel_l2 < 2e-3, merged.table()
    assert on_base.rel_l2 < 2e-3, on_base.table()
    tokenizer = smol["tokenizer"]
    ids = tokenizer(render_prompt(tokenizer, smol["conversations"][0]), add_special_tokens=False)["input_ids"]
    adapted = gguf_logits(smol["f16"], ids, lora_path=adapter_gguf)
    reference = gguf_logits(smol["merged"], ids)
    assert np.linalg.norm(adapted - reference) / np.linalg.norm(reference) < 2e-3
