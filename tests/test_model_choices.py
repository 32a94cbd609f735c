"""What Settings can switch to: the choices a server lists, their labels from GGUF metadata, and a
switch that keeps the old model serving when the new one fails to load."""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path
from typing import Optional

import gguf
import numpy as np
import pytest

from backend.config import Settings
from backend.constants import GGUF_KEY_BASE_MODEL, GGUF_KEY_FORMAT_VERSION
from backend.errors import ModelFileError, ScribeAgentError
from backend.model.default_model import shipped_adapter
from backend.model.model_files import bundled_model_path
from backend.serve.model_choices import list_choices, started_choice
from backend.serve.runtime import Runtime, Served
from backend.serve.security import ApiError


def write_gguf(path: Path, *, kind: str, name: Optional[str] = None, trained: bool = False,
               base: Optional[str] = None) -> Path:
    """A metadata-only GGUF (one tiny tensor): all a listing reads."""
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_type(kind)
    if name:
        writer.add_name(name)
    if trained:
        writer.add_uint32(GGUF_KEY_FORMAT_VERSION, 1)
    if base:
        writer.add_string(GGUF_KEY_BASE_MODEL, base)
    writer.add_tensor("t", np.zeros(4, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(data_dir=tmp_path / "data", config_dir=tmp_path / "config", cache_dir=tmp_path / "cache", **kw)


def folder(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "models"
    path.mkdir(parents=True)
    return path


def test_default_server_offers_the_fine_tune_then_the_bare_base(tmp_path: Path) -> None:
    shipped = shipped_adapter()
    assert shipped is not None
    choices = list_choices(settings(tmp_path))
    assert [c.id for c in choices.available] == ["default", "base"] and choices.skipped == []
    default, base = choices.available
    assert default.label == f"{shipped.name} {shipped.version}" and default.trained
    assert default.adapter == shipped.describe()
    assert base.label == "SmolLM2-135M-Instruct (base model, not trained for this task)" and not base.trained
    assert base.adapter is None
    # Each choice is the settings `scribeagent serve` would be started with.
    assert default.settings(settings(tmp_path)).served_lora() == shipped.path
    assert base.settings(settings(tmp_path)).served_lora() is None
    assert started_choice(settings(tmp_path, adapter=False)).id == "base"


def test_models_folder_files_are_labelled_from_their_metadata(tmp_path: Path) -> None:
    models = folder(tmp_path)
    write_gguf(models / "tiny.gguf", kind="model", name="Tiny Chat")
    write_gguf(models / "merged.gguf", kind="model", name="ScribeAgent merged", trained=True)
    write_gguf(models / "leg.gguf", kind="adapter", trained=True, base=bundled_model_path().name)
    write_gguf(models / "foreign.gguf", kind="adapter", trained=True, base="Qwen2.5-0.5B.gguf")
    (models / "junk.gguf").write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 64)
    (models / "notes.txt").write_text("not a model")
    choices = list_choices(settings(tmp_path))
    by_id = {c.id: c for c in choices.available}
    assert list(by_id) == ["default", "base", "file:leg.gguf", "file:merged.gguf", "file:tiny.gguf"]
    assert by_id["file:tiny.gguf"].label == "Tiny Chat (base model, not trained for this task)"
    assert by_id["file:merged.gguf"].label == "ScribeAgent merged" and by_id["file:merged.gguf"].trained
    leg = by_id["file:leg.gguf"]
    assert leg.label == "SmolLM2-135M-Instruct + leg" and leg.trained and leg.model is None
    assert leg.settings(settings(tmp_path)).served_lora() == models / "leg.gguf"  # on the embedded base
    skipped = {s.file: s.why for s in choices.skipped}
    assert set(skipped) == {"foreign.gguf", "junk.gguf"}
    assert "Qwen2.5-0.5B.gguf" in skipped["foreign.gguf"] and "--model BASE --lora foreign.gguf" in skipped["foreign.gguf"]
    assert skipped["junk.gguf"] == "not a readable GGUF file"
    # What /health shows carries no paths; the authenticated listing does.
    assert "model" not in leg.public("default") and leg.detailed("default")["lora"] == str(models / "leg.gguf")


def test_the_started_model_is_listed_once_and_named_honestly(tmp_path: Path) -> None:
    models = folder(tmp_path)
    mine = write_gguf(models / "mine.gguf", kind="model", name="Mine", trained=True)
    choices = list_choices(settings(tmp_path, model=mine))
    assert [c.id for c in choices.available] == ["started", "default", "base"]  # not again as file:mine.gguf
    assert choices.available[0].label == "Mine"  # a fine-tune of ours, though not the shipped one
    rules = tmp_path / "rules.json"
    assert [c.id for c in list_choices(settings(tmp_path, scripted=rules)).available] == ["scripted"]


class FakeEngine:
    def __init__(self, name: str) -> None:
        self.info = type("Info", (), {"name": name, "path": "", "lora": None})()


class FakeSuggester:
    def __init__(self, name: str) -> None:
        self.engine = FakeEngine(name)
        self.counter = None


def loaded_runtime(tmp_path: Path) -> Runtime:
    runtime = Runtime(settings(tmp_path))
    runtime.served = Served(FakeSuggester("old"), started_choice(runtime.settings), {})  # type: ignore[arg-type]
    runtime.loaded.set()
    return runtime


def test_a_switch_that_fails_keeps_the_old_model_serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = loaded_runtime(tmp_path)
    old = runtime.served

    def broken(choice: object, settings: object) -> Served:
        raise ModelFileError("llama.cpp could not load it")

    monkeypatch.setattr(runtime, "_load", broken)
    with pytest.raises(ModelFileError, match="could not load"):
        runtime.switch("base")
    assert runtime.served is old and runtime.current == "default" and runtime.switching is None
    with pytest.raises(ApiError) as unknown:
        runtime.switch("file:nothing.gguf")
    assert unknown.value.code.value == "not_found"


def test_a_switch_swaps_the_model_whole_and_refuses_a_second_at_once(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = loaded_runtime(tmp_path)
    seen: list[Optional[str]] = []

    def load(choice, settings) -> Served:  # type: ignore[no-untyped-def]
        seen.append(runtime.switching.id if runtime.switching else None)
        with pytest.raises(ScribeAgentError, match="already switching"):
            runtime.switch("default")  # a second request while this one loads
        return Served(FakeSuggester(choice.id), choice, {})  # type: ignore[arg-type]

    monkeypatch.setattr(runtime, "_load", load)
    old = weakref.ref(runtime.suggester)
    assert runtime.switch("base").id == "base"
    gc.collect()
    assert old() is None  # nothing keeps the previous model alive once its jobs are done
    assert seen == ["base"] and runtime.current == "base" and runtime.info.name == "base"
    assert runtime.label == "SmolLM2-135M-Instruct (base model, not trained for this task)" and runtime.adapter is None
    assert runtime.switch("base").id == "base" and seen == ["base"]  # already served: nothing loads


@pytest.mark.slow
def test_served_switch_over_http(tmp_path: Path, model_cache: Path) -> None:
    """The real server: list, switch to an adapter from the models folder and back, refusals."""
    import httpx

    from tests.server_process import ORIGIN, running_server

    shipped = shipped_adapter()
    assert shipped is not None
    models = tmp_path / "home" / "data" / "models"
    models.mkdir(parents=True)
    shutil.copyfile(shipped.path, models / "copy.gguf")
    with running_server(tmp_path / "home", "--threads", "2", cache_dir=model_cache) as srv:
        auth = {"Authorization": f"Bearer {srv.token}", "Origin": ORIGIN}
        assert httpx.get(f"{srv.url}/v1/models", headers={"Origin": ORIGIN}, timeout=10).status_code == 401
        listing = httpx.get(f"{srv.url}/v1/models", headers=auth, timeout=10).json()
        assert listing["current"] == "default" and [m["id"] for m in listing["models"]] == ["default", "base",
                                                                                           "file:copy.gguf"]
        assert [m["current"] for m in srv.health()["models"]] == [True, False, False]

        def select(choice: str) -> httpx.Response:
            return httpx.post(f"{srv.url}/v1/models/select", json={"id": choice}, headers=auth, timeout=120)

        answer = select("file:copy.gguf").json()
        assert answer["label"] == "SmolLM2-135M-Instruct + copy" and answer["adapter"]["path"] == str(models / "copy.gguf")
        health = srv.health()
        assert health["label"] == answer["label"] and health["lora"] == str(models / "copy.gguf")
        page = {"objective": "Click 'Sign in'", "html": "<button>Help</button><button>Sign in</button>"}
        step = httpx.post(f"{srv.url}/v1/suggest", json=page, headers=auth, timeout=120).json()
        assert step["type"] == "step" and step["target_name"] == "Sign in"
        assert select("base").json()["label"].endswith("(base model, not trained for this task)")
        assert srv.health()["lora"] is None
        missing = select("file:gone.gguf")
        assert missing.status_code == 404 and missing.json()["code"] == "not_found"
        assert select("default").json()["label"] == f"{shipped.name} {shipped.version}"


def test_metadata_is_read_like_ggufs_reader_and_a_cut_file_is_an_error(tmp_path: Path) -> None:
    """Our plain-read metadata reader (never memory-mapped: a file cut under a mapped reader is
    SIGBUS) agrees with gguf's own reader on every scalar and string, and refuses a cut file."""
    from backend.model.model_files import read_gguf_metadata

    shipped = shipped_adapter()
    assert shipped is not None
    writer = gguf.GGUFWriter(str(tmp_path / "tiny.gguf"), "llama")
    writer.add_name("Tiny")
    writer.add_array("tokenizer.ggml.tokens", ["<s>", "héllo", ""])  # skipped: arrays of strings…
    writer.add_array("scores", [0.5, 1.5])  # …and of numbers
    writer.add_string(GGUF_KEY_BASE_MODEL, "x.gguf")
    writer.add_float32("after.arrays", 2.5)
    writer.add_tensor("t", np.zeros(4, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    tiny = tmp_path / "tiny.gguf"
    for path in (shipped.path, tiny):
        fields = gguf.GGUFReader(path).fields.items()
        expected = {k: f.contents() for k, f in fields if not k.startswith("GGUF.") and f.types[0] != gguf.GGUFValueType.ARRAY}
        assert read_gguf_metadata(path) == expected
    assert read_gguf_metadata(tiny)["after.arrays"] == 2.5  # the arrays before it were skipped exactly
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(shipped.path.read_bytes()[:200])
    with pytest.raises(ModelFileError, match="unreadable GGUF metadata"):
        read_gguf_metadata(cut)
