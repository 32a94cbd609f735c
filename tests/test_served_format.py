"""The embedded model served as Q8_0 where llama.cpp has AMX kernels: the right format per build, a
cached and verified copy, and F16 whenever the copy cannot be trusted."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from backend.errors import ModelFileError
from backend.model import served_format
from backend.model.default_model import served_default_model
from backend.model.engine import load_engine
from backend.model.model_files import read_gguf_metadata
from backend.model.served_format import quantized_copy

pytestmark = pytest.mark.slow  # loads a real model, a browser or torch (see README: fast lane)

Q8_0_FILE_TYPE = 7  # llama.cpp's LLAMA_FTYPE_MOSTLY_Q8_0


def test_auto_follows_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(served_format, "build_has_amx", lambda: True)
    assert served_format.served_format("auto") == "Q8_0"
    monkeypatch.setattr(served_format, "build_has_amx", lambda: False)
    assert served_format.served_format("auto") == "F16"
    assert served_format.served_format("q8_0") == "Q8_0" and served_format.served_format("f16") == "F16"
    with pytest.raises(ModelFileError, match="unknown model format 'q4_0'"):
        served_format.served_format("q4_0")


@pytest.fixture()
def f16_copy(model_cache: Path, tmp_path: Path) -> Path:
    """A private copy of the F16 embedded model: the tests below change its mtime."""
    source = tmp_path / "models" / "Model.F16.gguf"
    source.parent.mkdir()
    shutil.copyfile(served_default_model(model_cache), source)
    return source


def test_the_copy_is_q8_0_made_once_and_remade_when_the_source_changes(f16_copy: Path) -> None:
    copy = quantized_copy(f16_copy, "Q8_0")
    assert copy.name == "Model.F16.Q8_0.gguf"
    assert read_gguf_metadata(copy)["general.file_type"] == Q8_0_FILE_TYPE
    assert copy.stat().st_size < 0.6 * f16_copy.stat().st_size
    made = copy.stat().st_mtime_ns
    assert quantized_copy(f16_copy, "Q8_0") == copy and copy.stat().st_mtime_ns == made  # cached
    later = f16_copy.stat().st_mtime + 10
    os.utime(f16_copy, (later, later))
    assert quantized_copy(f16_copy, "Q8_0") == copy and copy.stat().st_mtime_ns != made  # remade
    assert quantized_copy(f16_copy, "F16") == f16_copy


def test_a_copy_that_answers_differently_is_not_kept(f16_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backend.model import merged_adapter

    real = merged_adapter.probe_answer
    monkeypatch.setattr(merged_adapter, "probe_answer", lambda model, lora, scale, tokens: real(model, lora, scale, tokens) + (
        " drift" if ".Q8_0." in Path(model).name else ""))
    with pytest.raises(ModelFileError, match="changed the model's answer"):
        quantized_copy(f16_copy, "Q8_0")
    assert list(f16_copy.parent.iterdir()) == [f16_copy]  # no copy, no stamp, no temp file


def test_the_server_loads_q8_0_and_falls_back_to_f16(model_cache: Path, monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    engine = load_engine(model_format="q8_0", n_threads=2, cache_dir=model_cache)
    try:
        assert engine.info.quantization == "Q8_0" and engine.info.path.endswith(".F16.Q8_0.gguf")
    finally:
        engine.close()

    def broken(source: Path, fmt: str) -> Path:
        raise ModelFileError("disk full")

    monkeypatch.setattr(served_format, "quantized_copy", broken)
    with caplog.at_level(logging.WARNING):
        engine = load_engine(model_format="q8_0", n_threads=2, cache_dir=model_cache)
    try:
        assert engine.info.quantization == "F16" and "as F16: disk full" in caplog.text
    finally:
        engine.close()
