"""Who chooses the next step: the backend's pipeline (`ModelAgent`) or the random floor.

An agent sees what the side panel would send the backend — objective, URL, serialized page and
the history of steps done — and answers with a `Step`. Failures it cannot get past (no
candidates, an unusable answer) are raised as `ScribeAgentError`s, whose `code` the run counts.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Protocol

from backend.constants import ActionKind, ErrorCode
from backend.dom import DEFAULT_BUDGET
from backend.dom.adaptive import prune_adaptive
from backend.errors import PageError, ScribeAgentError
from backend.format import Step
from backend.model.tokens import TokenCounter

if TYPE_CHECKING:
    from backend.config import Settings


@dataclass(frozen=True)
class Observation:
    """One observe frame's content; `history` items are what the panel sends:
    `{"description", "action", "text"}` per step performed."""

    objective: str
    url: str
    html: str
    history: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class Decision:
    """The step to perform, and what the episode log records about choosing it."""

    step: Step
    details: dict[str, Any] = field(default_factory=dict)
    #: How the history remembers the step once done (the step frame's `history_description`);
    #: None: its description.
    history_description: Optional[str] = None


class Agent(Protocol):
    #: What the results call this agent (the model's name, "random").
    label: str

    def begin(self, episode: str) -> None:
        """A new episode starts; `episode` names it uniquely within a run (task, seed, index)."""

    def decide(self, observation: Observation) -> Decision:
        """The next step on the observed page."""


class ModelError(ScribeAgentError):
    """The engine refused the request (e.g. the prompt does not fit its context), as the server's
    `model_error` frame reports it."""

    code = ErrorCode.MODEL_ERROR


class ModelAgent:
    """The backend's `Suggester` in process: the prompt, grammar and engine the server uses."""

    def __init__(self, suggester: Any, label: str) -> None:
        self.suggester = suggester
        self.label = label

    @classmethod
    def load(cls, settings: "Settings") -> "ModelAgent":
        """The model `scribeagent serve` would serve with `settings` (the embedded base with the
        shipped fine-tune unless told otherwise, see `Settings.served_lora`)."""
        from backend.serve.suggester_loader import load_suggester

        suggester = load_suggester(settings)
        info = suggester.engine.info
        return cls(suggester, info.name + (f" + {Path(info.lora).name}" if info.lora else ""))

    def begin(self, episode: str) -> None:
        """Nothing to reset: greedy decoding gives the same answer to the same prompt."""

    def decide(self, observation: Observation) -> Decision:
        try:
            suggestion = self.suggester.suggest(objective=observation.objective, url=observation.url,
                                                html=observation.html, history=list(observation.history))
        except ValueError as exc:  # what the server answers with a model_error frame
            raise ModelError(str(exc)) from exc
        timings = suggestion.timings
        return Decision(suggestion.step, {
            "confidence": round(suggestion.confidence, 4), "candidates": len(suggestion.page.candidates),
            "prompt_tokens": timings.prompt_tokens, "generated_tokens": timings.generated_tokens,
            "model_ms": round(timings.total_ms, 1),
        }, suggestion.history_description)


class RandomAgent:
    """The floor: a click on a uniformly random candidate of the page as the model would see it
    (pruned with the same budget and objective), from a generator seeded per episode."""

    label = "random"

    def __init__(self, seed: int, counter: TokenCounter | None = None) -> None:
        self.seed = seed
        self.counter = counter
        self._rng = random.Random(seed)

    def begin(self, episode: str) -> None:
        self._rng = random.Random(f"{self.seed}/{episode}")

    def decide(self, observation: Observation) -> Decision:
        page = prune_adaptive(observation.html, objective=observation.objective, history=observation.history,
                              budget=DEFAULT_BUDGET, counter=self.counter)
        if not page.candidates:
            raise PageError("the page has no visible element to click or type into", ErrorCode.NO_CANDIDATES)
        node = self._rng.choice(page.candidates)
        step = Step(description=f"Click {page.names.get(node) or 'node ' + node}", action=ActionKind.CLICK,
                    node=node, target=page.targets.get(node))
        return Decision(step, {"candidates": len(page.candidates)})
