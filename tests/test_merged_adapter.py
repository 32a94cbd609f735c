"""The shipped adapter merged into a cached copy of the embedded base: exact tensors, the same
answers as the adapter applied at run time, a cache that follows the files, a fallback that
loses nothing."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pytest

from backend.errors import ModelFileError, PageError
from backend.model import merged_adapter
from backend.model.default_model import served_default_model, shipped_adapter
from backend.model.engine import LlamaEngine, load_engine
from backend.model.merged_adapter import merged_model
from backend.model.tokens import LlamaVocab
from backend.pipeline import Suggester

pytestmark = pytest.mark.slow  # loads a real model, a browser or torch (see README: fast lane)


@pytest.fixture(scope="module")
def adapter() -> Path:
    shipped = shipped_adapter()
    assert shipped is not None
    return shipped.path


def test_merged_tensors_are_the_base_plus_the_scaled_product(model_cache: Path, adapter: Path, tmp_path: Path) -> None:
    from gguf import GGUFReader  # an independent reader of both files

    base = served_default_model(model_cache)
    merged = merged_model(base, adapter, tmp_path, scale=0.5)
    lora, before, after = GGUFReader(adapter), GGUFReader(base), GGUFReader(merged)
    alpha = float(lora.fields["adapter.lora.alpha"].parts[-1][0])
    a_by_name = {t.name: t for t in lora.tensors}
    old = {t.name: t for t in before.tensors}
    checked = 0
    for t in after.tensors:
        if t.name + ".lora_a" not in a_by_name:
            assert np.array_equal(t.data, old[t.name].data), t.name  # untouched
            continue
        a, b = np.array(a_by_name[t.name + ".lora_a"].data), np.array(a_by_name[t.name + ".lora_b"].data)
        expected = old[t.name].data.astype(np.float32) + 0.5 * alpha / a.shape[0] * (b @ a)
        assert t.data.dtype == np.float16
        np.testing.assert_allclose(t.data.astype(np.float32), expected, rtol=2e-3, atol=2e-4)
        checked += 1
    assert checked == len(lora.tensors) // 2 == 210


def test_the_merged_model_answers_as_the_adapter_at_run_time(model_cache: Path, adapter: Path,
                                                             shared_pages: Path) -> None:
    merged = load_engine(lora=adapter, n_threads=2, cache_dir=model_cache)
    run_time = load_engine(lora=adapter, merge=False, n_threads=2, cache_dir=model_cache)
    try:
        assert merged.info.lora_merged and merged.info.lora == str(adapter) and "+" in Path(merged.info.path).name
        assert not run_time.info.lora_merged and run_time.info.lora == str(adapter)
        compared = 0
        for page in sorted(shared_pages.glob("*.html"))[::6]:
            answers = []
            for engine in (merged, run_time):
                suggester = Suggester(engine, LlamaVocab(engine.info.path), budget=500, small_budget=0)
                try:
                    answers.append(suggester.suggest(objective="Search for 'python'", url="https://x.example/",
                                                     html=page.read_bytes()).answer)
                except PageError:
                    break
            if len(answers) == 2:
                assert answers[0] == answers[1], page.name
                compared += 1
        assert compared >= 6
    finally:
        merged.close()
        run_time.close()


def test_the_merge_is_cached_and_redone_when_the_adapter_changes(model_cache: Path, adapter: Path,
                                                                 tmp_path: Path) -> None:
    base = served_default_model(model_cache)
    copy = tmp_path / "mine.lora.gguf"
    copy.write_bytes(adapter.read_bytes())
    first = merged_model(base, copy, tmp_path)
    made = first.stat().st_mtime_ns
    assert merged_model(base, copy, tmp_path) == first and first.stat().st_mtime_ns == made  # reused
    os.utime(copy, (1_000_000_000, 1_000_000_000))  # a new adapter file under the same name
    assert merged_model(base, copy, tmp_path) == first and first.stat().st_mtime_ns != made
    assert merged_model(base, copy, tmp_path, scale=0.5).stat().st_mtime_ns != made


def test_a_merge_that_changes_the_answer_falls_back_to_the_adapter_at_run_time(
        model_cache: Path, adapter: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    real_probe = merged_adapter.probe_answer
    monkeypatch.setattr(merged_adapter, "probe_answer", lambda model, lora, scale: real_probe(model, lora, scale) + (
        "" if lora else " (changed)"))
    copy = model_cache / "other.lora.gguf"  # its own cache entry
    copy.write_bytes(adapter.read_bytes())
    with caplog.at_level(logging.WARNING, "backend.model.engine"):
        engine = load_engine(lora=copy, n_threads=1, cache_dir=model_cache)
    try:
        assert not engine.info.lora_merged and engine.info.lora == str(copy)
        assert "changed the model's answer" in caplog.text
        assert not list((model_cache / "models").glob("*+other.lora.gguf*"))  # nothing half-made is left
    finally:
        engine.close()


def test_only_a_float_base_is_merged(adapter: Path, tmp_path: Path) -> None:
    from backend.model.model_files import bundled_model_path

    quantized = bundled_model_path()  # Q4_1
    with pytest.raises(ModelFileError, match="only a float base can be merged"):
        merged_model(quantized, adapter, tmp_path)
    assert not list((tmp_path / "models").glob("*.gguf"))


def test_another_base_gets_the_adapter_at_run_time(model_cache: Path, adapter: Path, tmp_path: Path) -> None:
    other = tmp_path / "base.F16.gguf"
    other.write_bytes(served_default_model(model_cache).read_bytes())
    engine: LlamaEngine = load_engine(other, lora=adapter, n_threads=1, cache_dir=model_cache)
    try:
        assert not engine.info.lora_merged and engine.info.path == str(other)
    finally:
        engine.close()
