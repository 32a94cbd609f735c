"""dom → prompt → engine → action: the one path every suggestion takes (server, CLI, eval, benches).

`Suggester.prepare` prunes the page and builds the prompt and grammar (a `ModelRequest`); `Suggester.run` streams the
answer from an engine and turns it into a `Suggestion`. Splitting the two lets the server prune on
the event loop's executor while the single inference worker only runs the model.
"""

from __future__ import annotations

import threading
from functools import partial
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Optional, Protocol

from backend.binding import (as_choice, bound_nodes, match, named_phrases, names_missing, normalized,
                             objective_named, unquoted_names)
from backend.constants import ActionKind, ErrorCode
from backend.dom import DEFAULT_BUDGET, PrunedPage, prune
from backend.dom.adaptive import SMALL_BUDGET, prune_adaptive
from backend.generation import ModelRequest, Timings, Token
from backend.errors import PageError, ScribeAgentError
from backend.format import (NODE, TARGET, HistoryItem, Step, answer_prefix, build_messages, done_description,
                            parse_answer, parse_head)
from backend.model.grammar import (MAX_ANSWER_TOKENS, head_forced, head_grammar, named_head_grammar, node_grammar,
                                   offered_actions, quotable_names, text_nodes)
from backend.step_guard import confirmation_needed
from backend.submit_guard import done_text, empty_text_fields, premature_click, unticked_boxes
from backend.typed_value import bound_text
from backend.step_view import target_kind
from backend.model.tokens import TokenCounter


class AnswerEngine(Protocol):
    """What the pipeline needs from a model: its chat template and a token stream."""

    def render(self, messages: Sequence[dict[str, str]], answer_prefix: str = "") -> str: ...

    def stream(
        self, request: ModelRequest, *, max_tokens: int, cancel: threading.Event, timings: Timings,
        progress: Optional[Callable[[int, int], None]] = None,
    ) -> Iterator[Token]: ...


@dataclass(frozen=True)
class Suggestion:
    """The next step, how sure the model is, and what it cost."""

    step: Step
    confidence: float
    page: PrunedPage
    timings: Timings
    answer: str
    #: Why the person should confirm this step before it is done (`backend.step_guard`), or None.
    confirm: Optional[str] = None

    @property
    def target_name(self) -> str:
        """The target's accessible name, as the page reads it (not the model's words)."""
        return self.page.names.get(self.step.node or "", "")

    @property
    def history_description(self) -> str:
        """What the extension writes into the history once this step is done (`done_description`)."""
        return done_description(self.step.action, self.step.text, self.target_name,
                                choice=(self.step.node or "") in self.page.options) or self.step.description

    def to_message(self) -> dict[str, object]:
        """The protocol's `step` frame body (without type/session/id)."""
        return {
            **self.step.to_dict(),
            "history_description": self.history_description,
            "target_name": self.target_name,
            "target_kind": target_kind(self.step.target or ""),
            "confirm": self.confirm,
            "confidence": round(self.confidence, 4),
            "candidates": len(self.page.candidates),
            "dropped": self.page.dropped,
            "timings": self.timings.as_dict(),
        }


class AnswerError(ScribeAgentError):
    """The model produced no usable answer (should not happen under the grammar)."""

    code = ErrorCode.BAD_ANSWER


class Suggester:
    """Turns observations into next steps with one engine and an adaptive page budget."""

    def __init__(self, engine: AnswerEngine, counter: TokenCounter, *, budget: int = DEFAULT_BUDGET,
                 small_budget: int = SMALL_BUDGET, max_new_tokens: int = MAX_ANSWER_TOKENS,
                 bind: bool = True, hold_submit: bool = True) -> None:
        self.engine = engine
        self.counter = counter
        self.budget = budget
        #: 0 (or not below `budget`): every page at `budget`.
        self.small_budget = small_budget
        self.max_new_tokens = max_new_tokens
        #: Choose the node among the candidates the description names (`backend.binding`).
        self.bind = bind
        #: Ask for a `type` step instead of a click that would send a form too early
        #: (`backend.submit_guard`).
        self.hold_submit = hold_submit

    def prepare(
        self,
        *,
        objective: str,
        url: str,
        html: str | bytes,
        history: Sequence[HistoryItem] = (),
        budget: Optional[int] = None,
    ) -> ModelRequest:
        page = self.prune(html, objective=objective, history=history, budget=budget)
        if not page.candidates:
            raise PageError("the page has no visible element to click or type into", ErrorCode.NO_CANDIDATES)
        number = len(history) + 1
        messages = build_messages(objective, url, page.html, history)
        prompt = self.engine.render(messages, answer_prefix(number))
        forced = partial(head_forced, actions=offered_actions(page.targets))
        return ModelRequest(objective, url, page, number, prompt, head_grammar(page.targets), forced, tuple(history))

    def prune(self, html: str | bytes, *, objective: str, history: Sequence[HistoryItem] = (),
              budget: Optional[int] = None) -> PrunedPage:
        """The page as the model will see it: at an adaptive budget (`backend.dom.adaptive`), or
        at the `budget` the caller gives."""
        if budget is not None:
            return prune(html, budget=budget, objective=objective, history=history, counter=self.counter)
        return prune_adaptive(html, objective=objective, history=history, budget=self.budget,
                              small_budget=self.small_budget, counter=self.counter)

    def run(
        self,
        request: ModelRequest,
        *,
        cancel: Optional[threading.Event] = None,
        on_token: Optional[Callable[[str], None]] = None,
        on_progress: Optional[Callable[[int, int], None]] = None,
        on_restart: Optional[Callable[[], None]] = None,
    ) -> Suggestion:
        """Generate the answer; `on_token` sees every piece of text as it is produced, and
        `on_progress(done, total)` the prompt tokens prefilled so far (a long page takes seconds).

        The model writes the description and action first; then the node is chosen under a
        grammar that allows the candidates the description names (all of them if it names none,
        or when binding is off). An engine that ignores grammars and writes the node itself
        (the scripted one) is taken at its word. With binding on, an answer that quotes an
        element the page does not have is answered again under a grammar that can only quote the
        page's names (those the objective asks for first, if any: `_quotable`). A click that would
        send a form before the objective's values are in it (`backend.submit_guard`) is answered again under a grammar
        that only offers a `type` step, into one of the empty fields — or, with the fields filled,
        only a click on a checkbox still to tick; `on_restart` hears, each time, that the text
        streamed so far is withdrawn. With binding on, a `type` step types the value the objective gives its
        field when that is readable, into the first empty field that has one
        (`backend.typed_value`); the step carries it, the streamed answer is the model's own.
        """
        cancel = cancel or threading.Event()
        timings = Timings()
        node_probs: list[float] = []
        body, bound = self._answer(request, self.max_new_tokens, cancel, timings, on_token, node_probs, on_progress)
        result = self._parsed(request, body)
        if bound and self.bind and self._names_missing(request, result):
            retry = replace(request, grammar=named_head_grammar(request.page.targets, self._quotable(request)),
                            forced=partial(head_forced, actions=(ActionKind.CLICK, ActionKind.TYPE)))
            body, node_probs = self._again(retry, cancel, timings, on_token, on_restart)
            result = self._parsed(retry, body)
        due = self._due_first(request, result) if bound else None
        if due:
            action, nodes = due
            retry = replace(request, grammar=head_grammar(request.page.targets, (action,)),
                            forced=partial(head_forced, actions=(action,)))
            body, node_probs = self._again(retry, cancel, timings, on_token, on_restart, nodes)
            result = _described(self._parsed(retry, body), request.page)
        if self.bind:
            result = bound_text(result, objective=request.objective, page=request.page, history=request.history)
        tail = TARGET + (result.target or "")
        if on_token:
            on_token(tail)
        confidence = 1.0
        for p in node_probs:
            confidence *= p
        name = request.page.names.get(result.node or "", "")
        confirm = confirmation_needed(result.action, name or result.description, request.objective)
        return Suggestion(result, confidence, request.page, timings, answer_prefix(request.number) + body + tail,
                          confirm)

    def _answer(self, request: ModelRequest, max_tokens: int, cancel: threading.Event, timings: Timings,
                on_token: Optional[Callable[[str], None]], node_probs: list[float],
                on_progress: Optional[Callable[[int, int], None]], only: Sequence[str] = ()) -> tuple[str, bool]:
        """The answer after its number line through the node's line: the head under the request's
        grammar, then the node among the candidates it may point at (`only`: a guard's retry narrows them);
        and whether the node was chosen here (False: the engine wrote it, ignoring grammars)."""
        if on_token:
            on_token(answer_prefix(request.number))
        body = self._generate(request, max_tokens, cancel, timings, on_token, node_probs, "", on_progress)
        if body.endswith(NODE.rstrip()):
            nodes = self._node_choices(request, answer_prefix(request.number) + body, only)
            later = Timings()
            rest = replace(request, prompt=request.prompt + body, grammar=node_grammar(nodes), forced=None)
            body = self._generate(rest, max(len(n) for n in nodes) + 2, cancel, later, on_token, node_probs, body,
                                  None)
            timings.extend(later)
            return body, True
        return body, False

    def _again(self, retry: ModelRequest, cancel: threading.Event, timings: Timings,
               on_token: Optional[Callable[[str], None]], on_restart: Optional[Callable[[], None]],
               only: Sequence[str] = ()) -> tuple[str, list[float]]:
        """The answer to `retry` (the request under a narrower grammar) and its node tokens'
        probabilities, its time added to `timings`; `on_restart` first hears that the text streamed
        so far is withdrawn."""
        if on_restart:
            on_restart()
        later = Timings()
        node_probs: list[float] = []
        body, _ = self._answer(retry, self.max_new_tokens, cancel, later, on_token, node_probs, None, only)
        timings.extend(later)
        return body, node_probs

    def _names_missing(self, request: ModelRequest, step: Step) -> bool:
        """True when a click or typing step quotes an element this page does not have, and some
        candidate has a name the model could quote instead (`backend.binding.names_missing`); a
        typing step only when every field is named (the model calls an unnamed one "the 'Text'
        field")."""
        targets, names = request.page.targets, request.page.names
        if step.action is ActionKind.KEY or not quotable_names(names, targets):
            return False
        if step.action is ActionKind.TYPE:
            fields = text_nodes(targets)
            # "into the 'Text' field": a field without a name may be the one it means
            return all(names.get(node) for node in fields) and names_missing(step.description, step.text, names, fields)
        return names_missing(step.description, step.text, names, list(targets))

    def _quotable(self, request: ModelRequest) -> dict[str, str]:
        """The names a retried description may quote: those the objective asks for first among
        what the history has not done yet — people write steps in the order they are to be done
        ("on Nov 18, 5:30 PM") — when the page has any with a name the grammar can quote; else
        every name, the choice left to the model."""
        page = request.page
        spoken = objective_named(page.names, request.objective, done_text(request.history))
        first = min(spoken.values(), default=0)
        asked = {node: page.names[node] for node, at in spoken.items() if at == first}
        return asked if quotable_names(asked, page.targets) else page.names

    def _parsed(self, request: ModelRequest, body: str) -> Step:
        """The step `body` spells, with its target's opening tag (and a select's click as a choice)."""
        result = parse_answer(answer_prefix(request.number) + body + TARGET + _target_after(body, request.page))
        if not isinstance(result, Step):
            raise AnswerError(f"the model's answer did not parse ({result.reason}): {body!r}")
        return as_choice(result, request.page.options) if self.bind else result

    def _due_first(self, request: ModelRequest, step: Step) -> tuple[ActionKind, list[str]] | None:
        """What to do instead of `step` when it is a premature click (`backend.submit_guard`):
        type into one of the empty fields, or else tick one of the boxes still due; None when
        the click may go ahead."""
        if not self.hold_submit or step.action is not ActionKind.CLICK:
            return None
        page = request.page
        name, tag = page.names.get(step.node or "", ""), page.targets.get(step.node or "", "")
        empty = empty_text_fields(page.targets, page.names, page.values, text_nodes(page.targets), request.history)
        if premature_click(objective=request.objective, history=request.history, page_html=page.html,
                           name=name, opening_tag=tag, empty_fields=empty):
            return ActionKind.TYPE, list(empty)
        boxes = unticked_boxes(objective=request.objective, history=request.history, name=name, opening_tag=tag,
                               targets=page.targets, names=page.names)
        return (ActionKind.CLICK, list(boxes)) if boxes else None

    def _generate(self, request: ModelRequest, max_tokens: int, cancel: threading.Event, timings: Timings,
                  on_token: Optional[Callable[[str], None]], node_probs: list[float], before: str,
                  on_progress: Optional[Callable[[int, int], None]]) -> str:
        """`before` plus what the engine writes for `request`; collects the node tokens' probabilities."""
        pieces = [before]
        for token in self.engine.stream(request, max_tokens=max_tokens, cancel=cancel, timings=timings,
                                        progress=on_progress):
            if _is_node_token("".join(pieces), token.text):
                node_probs.append(token.prob)
            pieces.append(token.text)
            if on_token and token.text:
                on_token(token.text)
        return "".join(pieces)

    def _node_choices(self, request: ModelRequest, written: str, only: Sequence[str] = ()) -> list[str]:
        """The nodes the answer written so far may point at (see `backend.binding`); `only`,
        when given, are the only ones the step may point at (a guard's retry)."""
        step = parse_head(written)
        if not isinstance(step, Step):
            raise AnswerError(f"the model's answer did not parse ({step.reason}): {written!r}")
        targets = request.page.targets
        allowed = list(only) or (text_nodes(targets) if step.action is ActionKind.TYPE else list(targets))
        if not self.bind:
            return allowed
        return bound_nodes(step.description, step.text, request.page.names, allowed)

    def suggest(self, *, objective: str, url: str, html: str | bytes, history: Sequence[HistoryItem] = (),
                cancel: Optional[threading.Event] = None, on_token: Optional[Callable[[str], None]] = None,
                on_restart: Optional[Callable[[], None]] = None) -> Suggestion:
        """prepare + run, for in-process callers (CLI, evaluation, benchmarks)."""
        request = self.prepare(objective=objective, url=url, html=html, history=history)
        return self.run(request, cancel=cancel, on_token=on_token, on_restart=on_restart)


def _is_node_token(before: str, piece: str) -> bool:
    """True if `piece` spells part of the `Node:` value: its digits or the newline that ends it.

    These are the tokens where the model chooses the element; the forced `Node:` label around
    them says nothing about its certainty.
    """
    at = before.rfind(NODE.rstrip())
    if at < 0 or "\n" in before[at:]:
        return False
    return any(c.isdigit() or c == "\n" for c in piece)


def _described(step: Step, page: PrunedPage) -> Step:
    """A guard's retried step, described by what it does when the model's words name another
    element: told it may only tick the consent box, the model may still write "Click 'Submit'"."""
    name = page.names.get(step.node or "", "")
    phrases = named_phrases(step.description, step.text) or unquoted_names(step.description, step.text,
                                                                           {"": name}, [""])
    if not name or any(match(phrase, normalized(name)) for phrase in phrases):
        return step
    said = done_description(step.action, step.text, name, choice=(step.node or "") in page.options)
    return replace(step, description=said or step.description)


def _target_after(body: str, page: PrunedPage) -> str:
    """The opening tag of the node the answer chose (the grammar stops right after the node line)."""
    at = body.rfind(NODE)
    node = body[at + len(NODE):].strip() if at >= 0 else ""
    return page.targets.get(node, "")
