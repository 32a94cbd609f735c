"""Export parity on tiny Qwen2 and Llama models made here, run through real llama.cpp.

Random-weight tiny models have flat logits, so top-1 agreement means little on them: they are
judged by relative L2 error and KL (the issue's measurement: ~7e-4 for F16).
"""

from __future__ import annotations

import numpy as np
import pytest

from quantize.adapter import read_adapter
from quantize.adapter_gguf import write_adapter_gguf
from quantize.base_model import load_hf_model, resolve_base
from quantize.export import export_model
from quantize.llama_quant import quantize_gguf
from quantize.merge import load_with_adapter
from quantize.parity import gguf_logits, run_parity
from quantize.prompts import parity_messages, render_prompt
from quantize.provenance import make_provenance
from tiny_models import build_tiny_model, make_lora_adapter

pytestmark = pytest.mark.slow

F16_REL_L2 = 2e-3  # issue's bar; measured ~6-8e-4 on these models


@pytest.fixture(scope="module")
def conversations():
    """A few real prompts (pruned real pages); short budget keeps tiny-model runs fast."""
    return parity_messages(3, budget=128)


@pytest.fixture(scope="module", params=["qwen2", "llama"])
def tiny(request, tmp_path_factory):
    """A tiny model, a LoRA adapter with non-zero B, and their three llama.cpp exports."""
    root = tmp_path_factory.mktemp(request.param)
    base = build_tiny_model(request.param, root / "base")
    lora = make_lora_adapter(base, root / "lora")
    out = {
        "kind": request.param,
        "base": base,
        "lora": lora,
        "f16": export_model(base, None, root / "f16.gguf", "F16"),
        "merged": export_model(base, lora, root / "merged.gguf", "F16", training_data="tiny test set"),
        "adapter": write_adapter_gguf(
            resolve_base(base), read_adapter(lora), root / "adapter.gguf", make_provenance(base, lora, None)
        ),
    }
    return out


def _ids(tokenizer, messages) -> list[int]:
    return tokenizer(render_prompt(tokenizer, messages), add_special_tokens=False)["input_ids"]


def test_f16_export_matches_hf(tiny, conversations):
    model, tokenizer = load_hf_model(resolve_base(tiny["base"]))
    report = run_parity(model, tokenizer, tiny["f16"], conversations)
    assert report.quant == "F16"
    assert report.rel_l2 < F16_REL_L2, report.table()
    assert report.kl < 1e-4, report.table()


def test_merged_export_matches_hf_plus_peft(tiny, conversations):
    base, adapter = resolve_base(tiny["base"]), read_adapter(tiny["lora"])
    peft_model, tokenizer = load_with_adapter(base, adapter, merge=False)
    report = run_parity(peft_model, tokenizer, tiny["merged"], conversations)
    assert report.rel_l2 < F16_REL_L2, report.table()
    # the adapter must matter, or this test could not catch a merge that was skipped
    plain, _ = load_hf_model(base)
    assert run_parity(plain, tokenizer, tiny["merged"], conversations[:1]).rel_l2 > 0.1


def test_gguf_adapter_on_f16_base_matches_merged_and_scale_zero_is_base(tiny, conversations):
    _, tokenizer = load_hf_model(resolve_base(tiny["base"]))
    ids = _ids(tokenizer, conversations[0])
    merged = gguf_logits(tiny["merged"], ids)
    with_adapter = gguf_logits(tiny["f16"], ids, lora_path=tiny["adapter"])
    rel = np.linalg.norm(with_adapter - merged) / np.linalg.norm(merged)
    assert rel < F16_REL_L2
    base = gguf_logits(tiny["f16"], ids)
    assert np.linalg.norm(with_adapter - base) / np.linalg.norm(base) > 0.1
    scale_zero = gguf_logits(tiny["f16"], ids, lora_path=tiny["adapter"], lora_scale=0.0)
    assert np.array_equal(scale_zero, base)


def test_llama_adapter_needs_the_qk_permutation(tiny, tmp_path, conversations, monkeypatch):
    """Without the converter's q/k permutation of lora_b the adapter is measurably wrong on Llama
    (and harmless on Qwen2, which the converter does not permute)."""
    from quantize import adapter_gguf

    _, tokenizer = load_hf_model(resolve_base(tiny["base"]))
    ids = _ids(tokenizer, conversations[0])
    monkeypatch.setattr(adapter_gguf, "permutation", lambda base: None)
    unpermuted = write_adapter_gguf(
        resolve_base(tiny["base"]), read_adapter(tiny["lora"]), tmp_path / "raw.gguf",
        make_provenance(tiny["base"], tiny["lora"], None),
    )
    merged = gguf_logits(tiny["merged"], ids)
    rel = np.linalg.norm(gguf_logits(tiny["f16"], ids, lora_path=unpermuted) - merged) / np.linalg.norm(merged)
    if tiny["kind"] == "llama":
        assert rel > 10 * F16_REL_L2
    else:
        assert rel < F16_REL_L2


def test_provenance_metadata_is_written(tiny):
    import gguf

    from backend.constants import (
        FORMAT_VERSION,
        GGUF_KEY_ADAPTER,
        GGUF_KEY_BASE_MODEL,
        GGUF_KEY_FORMAT_VERSION,
        GGUF_KEY_TRAINING_DATA,
    )

    merged = gguf.GGUFReader(tiny["merged"]).fields
    assert merged[GGUF_KEY_FORMAT_VERSION].contents() == FORMAT_VERSION
    assert merged[GGUF_KEY_BASE_MODEL].contents() == "base"
    assert merged[GGUF_KEY_ADAPTER].contents().startswith("lora@sha256:")
    assert merged[GGUF_KEY_TRAINING_DATA].contents() == "tiny test set"
    assert merged["tokenizer.chat_template"].contents()
    adapter = gguf.GGUFReader(tiny["adapter"]).fields
    assert adapter["general.type"].contents() == "adapter"
    assert adapter["adapter.type"].contents() == "lora"
    assert adapter["adapter.lora.alpha"].contents() == pytest.approx(16.0)
    assert adapter[GGUF_KEY_ADAPTER].contents() == merged[GGUF_KEY_ADAPTER].contents()


@pytest.mark.parametrize(
    "quant, rel_l2, kl",
    [
        # measured on tiny Qwen2 (3 prompts): Q8_0 rel-L2 1.9e-2, KL 1.9e-5; Q4_K_M rel-L2 1.4e-1,
        # KL 1.1e-3. Random Gaussian weights quantize worse than trained ones; ~2.5x headroom.
        ("Q8_0", 5e-2, 5e-4),
        ("Q4_K_M", 3.5e-1, 1e-2),
    ],
)
def test_quantized_exports_within_thresholds(tiny, conversations, tmp_path, quant, rel_l2, kl):
    import gguf

    model, tokenizer = load_hf_model(resolve_base(tiny["base"]))
    path = quantize_gguf(tiny["f16"], tmp_path / f"{quant}.gguf", quant)
    report = run_parity(model, tokenizer, path, conversations)
    assert report.quant == quant
    assert report.rel_l2 < rel_l2, report.table()
    assert report.kl < kl, report.table()
    types = {t.tensor_type.name for t in gguf.GGUFReader(path).tensors}
    assert ("Q4_K" in types) if quant == "Q4_K_M" else ("Q8_0" in types)
    # quantization keeps our metadata
    assert "scribeagent.format_version" in gguf.GGUFReader(path).fields


def test_cli_export_adapter_and_parity_exit_codes(tiny, tmp_path, capsys):
    from backend.cli import main

    if tiny["kind"] != "llama":
        pytest.skip("one architecture is enough for the CLI wiring")
    out = tmp_path / "adapter.gguf"
    assert main(["export-adapter", "--base", str(tiny["base"]), "--adapter", str(tiny["lora"]), "--out", str(out)]) == 0
    assert out.read_bytes() == tiny["adapter"].read_bytes()
    args = ["parity", "--hf", str(tiny["base"]), "--gguf", str(tiny["merged"]), "--prompts", "2", "--budget", "128"]
    assert main([*args, "--adapter", str(tiny["lora"])]) == 0
    assert "parity: OK" in capsys.readouterr().out
    assert main(args) == 1  # reference without the adapter: the served model differs
    assert "parity: FAIL" in capsys.readouterr().out


def test_gguf_adapter_imports_back_to_the_exported_peft_weights(tiny, tmp_path):
    """The committed GGUF adapter is a warm start: import undoes export tensor for tensor (incl. the
    q/k un-permutation on Llama), and `train --init-adapter X.gguf` loads exactly those weights."""
    import torch
    from safetensors.torch import load_file

    from quantize.adapter_import import import_adapter_gguf
    from training.train import TrainArgs, attach_lora, init_adapter_dir

    base = resolve_base(tiny["base"])
    imported = import_adapter_gguf(base, tiny["adapter"], tmp_path / "peft")
    original = load_file(read_adapter(tiny["lora"]).weights_file)
    back = load_file(read_adapter(imported).weights_file)
    assert back.keys() == original.keys()
    for key, tensor in original.items():
        assert torch.equal(back[key], tensor.to(torch.float32)), key
    again = write_adapter_gguf(base, read_adapter(imported), tmp_path / "again.gguf",
                               make_provenance(tiny["base"], imported, None))
    exported, re_exported = _gguf_tensors(tiny["adapter"]), _gguf_tensors(again)
    assert exported.keys() == re_exported.keys()
    assert all(np.array_equal(exported[n], re_exported[n]) for n in exported)

    args = TrainArgs(model=str(tiny["base"]), output_dir=str(tmp_path / "run"), init_adapter=str(tiny["adapter"]))
    model = attach_lora(load_hf_model(base)[0], args)
    assert init_adapter_dir(args) == tmp_path / "run" / "init-adapter"
    trained = {n: p for n, p in model.named_parameters() if p.requires_grad}
    assert trained and all("lora_" in n for n in trained)
    key = next(k for k in original if "q_proj.lora_B" in k)
    loaded = next(p for n, p in trained.items() if n.startswith(key.removesuffix(".weight")))
    assert torch.equal(loaded.detach(), original[key].to(torch.float32))


def test_import_refuses_what_is_not_a_lora_adapter(tiny, tmp_path):
    from backend.errors import ModelFileError
    from quantize.adapter_import import import_adapter_gguf

    with pytest.raises(ModelFileError, match="not a GGUF LoRA adapter"):
        import_adapter_gguf(resolve_base(tiny["base"]), tiny["f16"], tmp_path / "peft")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(tiny["adapter"].read_bytes()[:4096])
    with pytest.raises(ModelFileError, match="cannot read GGUF adapter"):
        import_adapter_gguf(resolve_base(tiny["base"]), broken, tmp_path / "peft2")
    assert not (tmp_path / "peft").exists() and not (tmp_path / "peft2").exists()


def _gguf_tensors(path):
    import gguf

    return {t.name: np.array(t.data) for t in gguf.GGUFReader(path).tensors}
