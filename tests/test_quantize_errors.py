"""Bad inputs to export / export-adapter / parity: a clear error, and no file left behind."""

from __future__ import annotations

import json
import shutil

import pytest

from backend.cli import main
from backend.errors import ModelFileError
from quantize.adapter import read_adapter
from quantize.adapter_gguf import write_adapter_gguf
from quantize.base_model import resolve_base
from quantize.export import export_model
from quantize.provenance import make_provenance
from tiny_models import build_tiny_model, make_lora_adapter, qwen_tokenizer_dir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def llama(tmp_path_factory):
    root = tmp_path_factory.mktemp("llama")
    base = build_tiny_model("llama", root / "base")
    return {"root": root, "base": base, "lora": make_lora_adapter(base, root / "lora")}


def _assert_nothing_written(folder):
    """No output and no leftover temp/partial file in the output folder."""
    assert list(folder.iterdir()) == []


@pytest.fixture
def out_dir(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_missing_adapter(llama, out_dir, capsys):
    code = main(["export", "--base", str(llama["base"]), "--adapter", str(out_dir.parent / "nope"),
                 "--out", str(out_dir / "m.gguf")])
    assert code == 2
    assert "adapter not found" in capsys.readouterr().err
    _assert_nothing_written(out_dir)


def test_missing_base_and_bad_gguf(tmp_path, out_dir):
    with pytest.raises(ModelFileError, match="base model not found"):
        export_model(tmp_path / "nope", None, out_dir / "m.gguf")
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"not a gguf at all, just bytes" * 10)
    with pytest.raises(ModelFileError, match="not a GGUF"):
        export_model(junk, None, out_dir / "m.gguf")
    _assert_nothing_written(out_dir)


def test_unsupported_architecture(tmp_path, out_dir):
    from transformers import GPT2Config, GPT2LMHeadModel

    gpt2 = tmp_path / "gpt2"
    GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=32, n_head=2, vocab_size=64)).save_pretrained(gpt2)
    with pytest.raises(ModelFileError, match="GPT2LMHeadModel.*not supported.*LlamaForCausalLM"):
        export_model(gpt2, None, out_dir / "m.gguf")
    _assert_nothing_written(out_dir)


def test_unknown_quant(llama, out_dir):
    with pytest.raises(ModelFileError, match="unknown quantization 'Q3_X'"):
        export_model(llama["base"], None, out_dir / "m.gguf", "Q3_X")
    _assert_nothing_written(out_dir)


@pytest.mark.parametrize(
    "variant, message",
    [({"use_rslora": True}, "use_rslora"), ({"use_dora": True}, "use_dora"), ({"bias": "lora_only"}, "trains biases")],
)
def test_lora_variants_llamacpp_cannot_apply_are_refused(llama, out_dir, variant, message):
    lora = make_lora_adapter(llama["base"], out_dir.parent / "variant", **variant)
    with pytest.raises(ModelFileError, match=message):
        write_adapter_gguf(resolve_base(llama["base"]), read_adapter(lora), out_dir / "a.gguf",
                           make_provenance(llama["base"], lora, None))
    _assert_nothing_written(out_dir)


def test_non_lora_adapter_is_refused(llama, tmp_path, out_dir):
    ia3 = tmp_path / "ia3"
    shutil.copytree(llama["lora"], ia3)
    config = json.loads((ia3 / "adapter_config.json").read_text())
    (ia3 / "adapter_config.json").write_text(json.dumps({**config, "peft_type": "IA3"}))
    with pytest.raises(ModelFileError, match="only LoRA adapters"):
        export_model(llama["base"], ia3, out_dir / "m.gguf")
    _assert_nothing_written(out_dir)


def test_adapter_trained_with_another_tokenizer(llama, tmp_path, out_dir):
    from transformers import AutoTokenizer

    lora = tmp_path / "lora"
    shutil.copytree(llama["lora"], lora)
    AutoTokenizer.from_pretrained(qwen_tokenizer_dir()).save_pretrained(lora)
    with pytest.raises(ModelFileError, match="different tokenizer"):
        export_model(llama["base"], lora, out_dir / "m.gguf")
    _assert_nothing_written(out_dir)


def test_adapter_for_another_base_does_not_fit(llama, tmp_path, out_dir):
    qwen = build_tiny_model("qwen2", tmp_path / "qwen", hidden_size=128, intermediate_size=256)
    with pytest.raises(ModelFileError, match="does not fit"):
        export_model(qwen, llama["lora"], out_dir / "m.gguf")
    code = main(["export-adapter", "--base", str(qwen), "--adapter", str(llama["lora"]),
                 "--out", str(out_dir / "a.gguf")])
    assert code == 2
    _assert_nothing_written(out_dir)


def test_corrupt_adapter_weights_are_refused(llama, tmp_path, out_dir):
    lora = tmp_path / "lora"
    shutil.copytree(llama["lora"], lora)
    weights = lora / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(ModelFileError, match="unreadable"):
        export_model(llama["base"], lora, out_dir / "m.gguf")
    _assert_nothing_written(out_dir)


def test_parity_refuses_a_gguf_with_another_tokenizer(llama, tmp_path):
    from quantize.base_model import load_hf_model
    from quantize.parity import run_parity
    from quantize.prompts import parity_messages

    qwen = build_tiny_model("qwen2", tmp_path / "qwen")
    qwen_gguf = export_model(qwen, None, tmp_path / "qwen.gguf")
    model, tokenizer = load_hf_model(resolve_base(llama["base"]))
    with pytest.raises(ModelFileError, match="tokenizer mismatch"):
        run_parity(model, tokenizer, qwen_gguf, parity_messages(1, budget=64))
