"""Workflows → (prompt messages, answer) examples, as an Arrow dataset on disk.

Each step becomes one example: the page before the action, pruned to the token budget that fits
the context with the target kept (`prune(..., keep=(node,))`), the objective, the URL and all
previous steps, answered with the step in the shared format (`backend.format`). A step whose
target the pruner cannot keep, or whose prompt cannot fit at all, is dropped and counted by reason.

Built with `datasets` (`from_generator` → `map(num_proc=…)` → `save_to_disk`) so millions of steps
stream through worker processes and never need to fit in memory.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from backend.errors import DataError
from backend.format import Step, build_messages, render_answer
from backend.workflows.model import Workflow
from training.readers import ReadReport, read_many

#: Tokens kept free for the chat template's role markers around system/user/assistant turns.
TEMPLATE_RESERVE = 48


@dataclass(frozen=True)
class BuildConfig:
    """How examples are fitted. `tokenizer` None counts with the served model's GGUF vocabulary."""

    max_tokens: int = 2048
    #: Page budgets; a workflow gets one of them by a hash of its id (repeat one to weigh it), so
    #: a model learns short observations and long ones. Empty: whatever fits in max_tokens.
    budgets: tuple[int, ...] = ()
    tokenizer: str | None = None
    gguf_file: str | None = None
    num_proc: int = 1
    batch_size: int = 8


class HFCounter:
    """A transformers tokenizer behind the pruner's `TokenCounter` protocol (`.count(text)`)."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def count(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"]) if text else 0


@functools.lru_cache(maxsize=4)
def make_counter(tokenizer: str | None, gguf_file: str | None) -> Any:
    """One counter per worker process (cached; built lazily because counters do not pickle)."""
    if tokenizer is None:
        from backend.model.tokens import default_counter

        return default_counter()
    from transformers import AutoTokenizer

    kwargs = {"gguf_file": gguf_file} if gguf_file else {}
    return HFCounter(AutoTokenizer.from_pretrained(tokenizer, **kwargs))


def workflow_budget(workflow_id: str, budgets: Sequence[int]) -> int:
    """The page budget of one workflow's steps: stable for an id whatever else is built."""
    return budgets[int(hashlib.sha256(workflow_id.encode()).hexdigest(), 16) % len(budgets)]


def step_examples(wf: Workflow, config: BuildConfig, counter: Any) -> Iterator[dict[str, Any]]:
    """One row per step; rows with a non-empty `drop` are counted, then filtered out."""
    from backend.dom import prune

    history: list[Step] = []
    for i, ws in enumerate(wf.steps):
        node = ws.target.node
        row: dict[str, Any] = {"id": f"{wf.id}#{i + 1}", "workflow_id": wf.id, "family": wf.family or "",
                               "step": i + 1, "node": node or "", "messages": [], "answer": "",
                               "candidates": [], "drop": ""}
        probe = Step(ws.description, ws.action.kind, node or "0", ws.action.text, "<x>")
        overhead = (counter.count(build_messages(wf.objective, ws.url, "", history)[1]["content"])
                    + counter.count(build_messages("", "", "", ())[0]["content"])
                    + counter.count(render_answer(probe, i + 1)) + TEMPLATE_RESERVE)
        budget = config.max_tokens - overhead
        if config.budgets:
            budget = min(budget, workflow_budget(wf.id, config.budgets))
        if node is None:
            row["drop"] = "no_node"
        elif budget <= 0:
            row["drop"] = "no_room"
        else:
            page = prune(ws.html, budget=budget, objective=wf.objective, history=history, keep=(node,), counter=counter)
            if node not in page.candidates:
                row["drop"] = "target_pruned"
            else:
                answer = ws.as_step(page.targets[node])
                row.update(messages=build_messages(wf.objective, ws.url, page.html, history),
                           answer=render_answer(answer, i + 1), candidates=list(page.candidates))
        history.append(ws.as_step())
        yield row


def _examples_batch(batch: dict[str, list[str]], config: BuildConfig) -> dict[str, list[Any]]:
    counter = make_counter(config.tokenizer, config.gguf_file)
    rows = [row for text in batch["workflow"] for row in step_examples(Workflow.model_validate_json(text), config, counter)]
    return {key: [r[key] for r in rows] for key in EXAMPLE_COLUMNS}


EXAMPLE_COLUMNS = ("id", "workflow_id", "family", "step", "node", "messages", "answer", "candidates", "drop")


def _workflow_rows(paths: Sequence[str], stamp: str) -> Iterator[dict[str, str]]:
    """Validated workflows as JSON text; bad rows are reported on stderr (and skipped).

    `stamp` is unused here on purpose: `datasets` hashes the generator's arguments into its cache
    key, and the stamp (sizes and mtimes) makes an edited input file miss the cache.
    """
    report = ReadReport()
    for wf in read_many(paths, report):
        yield {"workflow": wf.model_dump_json()}
    report.print(sys.stderr)


def _stamp(paths: Sequence[str]) -> str:
    """Part of the generator's cache key: a changed input file must not reuse a stale cache."""
    parts = []
    for p in paths:
        path = Path(p)
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        for f in files:
            if not f.exists():
                raise DataError(f"workflow file not found: {f}")
            st = f.stat()
            parts.append(f"{f.resolve()}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


def build_dataset(paths: Sequence[str], out: str | Path, config: BuildConfig = BuildConfig()) -> dict[str, Any]:
    """Build and save the dataset; returns (and writes beside it) the counts, drops by reason."""
    from datasets import Dataset

    paths = [str(p) for p in paths]
    workflows = Dataset.from_generator(_workflow_rows, gen_kwargs={"paths": paths, "stamp": _stamp(paths)})
    if len(workflows) == 0:
        raise DataError("no valid workflows in the input")
    rows = workflows.map(_examples_batch, batched=True, batch_size=config.batch_size,
                         num_proc=config.num_proc if config.num_proc > 1 else None,
                         remove_columns=workflows.column_names, fn_kwargs={"config": config},
                         desc="building examples")
    drops = Counter(d for d in rows["drop"] if d)
    kept = rows.filter(lambda d: not d, input_columns="drop").remove_columns("drop")
    out = Path(out)
    kept.save_to_disk(str(out))
    stats = {"workflows": len(workflows), "steps": len(rows), "examples": len(kept),
             "dropped": sum(drops.values()), "dropped_by_reason": dict(drops), "config": asdict(config)}
    (out / "build_stats.json").write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    return stats
