"""A deterministic engine driven by a rules file: for UI tests and demos, never for users.

It replaces only the model. Pruning, the prompt, the answer format, parsing, streaming and the
server stay the real ones, so tests of the extension exercise the real backend. Rules file
(JSON): a list of rules, or `{"token_delay_ms": N, "rules": [...]}`; see docs/protocol.md.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, ValidationError

from backend.constants import ActionKind
from backend.model.engine import EngineInfo
from backend.errors import ModelFileError, ScribeAgentError
from backend.format import TARGET, Step, render_answer
from backend.generation import Cancelled, ModelRequest, Timings, Token
from backend.model.grammar import takes_text


class _RuleStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    action: ActionKind = ActionKind.CLICK
    text: Optional[str] = None
    find: str


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Optional[str] = None
    objective: Optional[str] = None
    step: _RuleStep


class _RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token_delay_ms: float = 10.0
    rules: list[_Rule]


@dataclass
class ScriptedEngine:
    """Answers by the first rule whose url/objective match and whose `find` names a candidate."""

    rules: list[_Rule]
    token_delay_s: float
    info: EngineInfo

    @classmethod
    def from_file(cls, path: str | Path) -> "ScriptedEngine":
        p = Path(path)
        try:
            raw = json.loads(p.read_text(encoding="utf-8"))
            parsed = _RulesFile.model_validate({"rules": raw} if isinstance(raw, list) else raw)
        except (OSError, ValueError, ValidationError) as exc:
            raise ModelFileError(f"cannot use scripted rules {p}: {exc}") from exc
        info = EngineInfo(name=f"scripted:{p.name}", quantization="none", n_ctx=1 << 20, path=str(p))
        return cls(parsed.rules, parsed.token_delay_ms / 1000, info)

    def render(self, messages: Sequence[dict[str, str]], answer_prefix: str = "") -> str:
        return "\n".join(m["content"] for m in messages) + "\n" + answer_prefix

    def _answer(self, request: ModelRequest) -> str:
        for rule in self.rules:
            if rule.url and rule.url not in request.url:
                continue
            if rule.objective and rule.objective.lower() not in request.objective.lower():
                continue
            needle = rule.step.find.lower()
            for node in request.page.candidates:
                tag = request.page.targets.get(node, "")
                if rule.step.action is ActionKind.TYPE and not takes_text(tag):
                    continue  # the grammar would not allow typing here either
                if needle in tag.lower() or needle in request.page.names.get(node, "").lower():
                    step = Step(rule.step.description, rule.step.action, node, rule.step.text, tag)
                    full = render_answer(step, request.number)
                    # Same span the grammar covers: after the number line, through the node line.
                    return full.split("\n", 1)[1].rsplit(TARGET, 1)[0]
        raise ScribeAgentError("no scripted rule matches this page and objective")

    def stream(self, request: ModelRequest, *, max_tokens: int, cancel: threading.Event, timings: Timings,
               progress: Optional[Callable[[int, int], None]] = None) -> Iterator[Token]:
        start = time.perf_counter()
        body = self._answer(request)
        if progress:  # no prefill to speak of: the whole prompt at once, as a model's last chunk
            progress(len(request.prompt), len(request.prompt))
        pieces = re.findall(r"\s*\S+|\s+", body)
        for i, piece in enumerate(pieces[:max_tokens]):
            if cancel.is_set():
                raise Cancelled()
            if self.token_delay_s:
                time.sleep(self.token_delay_s)
            if i == 0:
                timings.ttft_ms = (time.perf_counter() - start) * 1000
            timings.generated_tokens = i + 1
            yield Token(piece, 1.0)
        timings.total_ms = (time.perf_counter() - start) * 1000
