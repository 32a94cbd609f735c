"""All server settings in one pydantic-settings class (env vars `SCRIBEAGENT_*`, then CLI flags)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, Optional

from platformdirs import user_cache_dir, user_config_dir, user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.dom import DEFAULT_BUDGET
from backend.dom.adaptive import SMALL_BUDGET
from backend.extension_id import EXTENSION_ID
from backend.model.grammar import MAX_ANSWER_TOKENS

APP_NAME = "scribeagent"


class Settings(BaseSettings):
    """Everything `scribeagent serve` can be told. Defaults are the safe ones."""

    model_config = SettingsConfigDict(env_prefix="SCRIBEAGENT_", extra="ignore")

    host: str = Field("127.0.0.1", description="Interface to bind; anything but loopback is refused unless allow_remote.")
    port: int = Field(8765, ge=1, le=65535)
    model: Optional[Path] = Field(None, description="GGUF model; None = embedded SmolLM2 (served as F16).")
    lora: Optional[Path] = Field(None, description="GGUF LoRA adapter applied on top of the model.")
    lora_scale: float = 1.0
    adapter: bool = Field(True, description="Apply the shipped fine-tune (models/) to the embedded model; "
                          "false serves the bare base.")
    merge_adapter: bool = Field(True, description="Merge an adapter on the embedded model into a cached, verified "
                                "copy of its weights (prefills as fast as the bare base, bench/bench_adapter.py); "
                                "false applies it at run time.")
    model_format: Literal["auto", "f16", "q8_0"] = Field(
        "auto", description="Format the embedded model is served in: auto = Q8_0 where llama.cpp was built with its "
        "AMX kernels (prefills 1.8x faster there, bench/bench_formats.py), F16 elsewhere.")
    models_dir: Optional[Path] = Field(None, description="Folder of GGUF models and adapters the panel's Settings "
                                       "can switch to; None = <data dir>/models.")
    scripted: Optional[Path] = Field(None, description="Rules file for the deterministic scripted engine.")
    n_ctx: int = Field(4096, ge=512, description="Context size in tokens.")
    n_threads: Optional[int] = Field(None, ge=1, description="CPU threads; None = all cores.")
    gpu_layers: int = Field(0, ge=-1, description="Layers to offload to a GPU build of llama.cpp (-1 = all).")
    budget: int = Field(DEFAULT_BUDGET, ge=0, description="Token budget for the pruned page (0 = none).")
    small_budget: int = Field(SMALL_BUDGET, ge=0, description="Token budget for a page whose objective names one "
                              "of its elements (backend/dom/adaptive.py); 0 = every page at the full budget.")
    max_new_tokens: int = Field(MAX_ANSWER_TOKENS, ge=16,
                                description="Cap on generated tokens; the default always fits an answer.")
    max_message_bytes: int = Field(16 * 1024 * 1024, ge=1024, description="Cap on one request or WebSocket message.")
    extension_ids: list[str] = Field(default_factory=list, description="Extra extension ids allowed besides ours.")
    config_dir: Path = Field(default_factory=lambda: Path(user_config_dir(APP_NAME)))
    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir(APP_NAME)))
    cache_dir: Path = Field(default_factory=lambda: Path(user_cache_dir(APP_NAME)))

    @field_validator("extension_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept `SCRIBEAGENT_EXTENSION_IDS=a,b` as well as a JSON list."""
        if isinstance(value, str) and not value.strip().startswith("["):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @property
    def allowed_origins(self) -> frozenset[str]:
        ids = [EXTENSION_ID, *self.extension_ids]
        return frozenset(f"chrome-extension://{i}" for i in ids)

    def served_lora(self) -> Optional[Path]:
        """The LoRA to apply: the one asked for, else the shipped fine-tune on the embedded base."""
        if self.lora or self.model:
            return self.lora
        if not self.adapter:
            return None
        from backend.model.default_model import shipped_adapter

        shipped = shipped_adapter()
        return shipped.path if shipped else None

    @property
    def models_folder(self) -> Path:
        return self.models_dir or self.data_dir / "models"

    @property
    def threads(self) -> int:
        return self.n_threads or max(1, os.cpu_count() or 1)


def default(name: str) -> object:
    """A setting's default, for the places that need it without building Settings (CLI help,
    library defaults): each default is written once, in the field above."""
    return Settings.model_fields[name].default


def help_for(name: str) -> str:
    """CLI help for a setting: its description and default, as the field states them."""
    field = Settings.model_fields[name]
    return f"{field.description} Default {field.default}." if field.default is not None else str(field.description)
