"""The shipped fine-tune is what the embedded base serves by default, and only then."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.config import Settings
from backend.model.default_model import ADAPTER_FILE, CARD_FILE, MODELS_DIR, shipped_adapter
from backend.errors import ModelFileError
from backend.model.model_files import check_gguf

pytestmark = pytest.mark.slow  # loads a real model, a browser or torch (see README: fast lane)


def test_the_checkout_ships_an_adapter_with_a_card() -> None:
    shipped = shipped_adapter()
    assert shipped is not None, f"{MODELS_DIR / ADAPTER_FILE} is missing"
    check_gguf(shipped.path, what="LoRA adapter")
    card = json.loads((MODELS_DIR / CARD_FILE).read_text())
    assert shipped.version == card["version"] and card["base"] and card["metrics"]


def test_the_embedded_model_gets_the_shipped_adapter_unless_told_otherwise(tmp_path: Path) -> None:
    shipped = shipped_adapter()
    assert shipped is not None
    assert Settings().served_lora() == shipped.path
    assert Settings(adapter=False).served_lora() is None
    other = tmp_path / "mine.gguf"
    assert Settings(lora=other).served_lora() == other
    assert Settings(model=tmp_path / "base.gguf").served_lora() is None  # an adapter belongs to its base


def test_an_adapter_without_a_readable_card_is_refused(tmp_path: Path) -> None:
    assert shipped_adapter(tmp_path) is None
    (tmp_path / ADAPTER_FILE).write_bytes(b"GGUF")
    with pytest.raises(ModelFileError, match="card"):
        shipped_adapter(tmp_path)
    (tmp_path / CARD_FILE).write_text('{"name": "x"}')
    with pytest.raises(ModelFileError, match="card"):
        shipped_adapter(tmp_path)
