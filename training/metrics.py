"""Mind2Web's step metrics, macro-averaged over tasks.

Per step (Deng et al., 2023): *element accuracy* — the predicted node is the gold node; *operation
F1* — token-level F1 between the predicted and gold operation strings ("CLICK", "TYPE new york");
*step success* — right element and exactly the right operation. Per task: *task success* — every
step succeeded. Element accuracy, operation F1 and step success rate are averaged within each task
first and then across tasks, so long tasks do not dominate.

A step with no usable prediction (model error, unparseable answer) scores 0 on everything.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import fmean
from typing import Optional

from backend.constants import ActionKind


@dataclass(frozen=True)
class StepRecord:
    """One evaluated step: gold element and operation, and what the system predicted (None: nothing)."""

    task: str
    gold_node: str
    gold_action: ActionKind
    gold_text: Optional[str]
    pred_node: Optional[str] = None
    pred_action: Optional[ActionKind] = None
    pred_text: Optional[str] = None


def operation_string(action: ActionKind, text: Optional[str]) -> str:
    """Mind2Web's operation spelling: the verb, then the value for typing (and our key name)."""
    verb = action.value.upper()
    return verb if action is ActionKind.CLICK else f"{verb} {text or ''}".strip()


def token_f1(pred: str, gold: str) -> float:
    """Bag-of-tokens F1 (lower-cased, whitespace split), as Mind2Web scores operations."""
    p, g = pred.lower().split(), gold.lower().split()
    if not p or not g:
        return float(p == g)
    overlap = sum((Counter(p) & Counter(g)).values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(p), overlap / len(g)
    return 2 * precision * recall / (precision + recall)


def score_step(rec: StepRecord) -> tuple[float, float, float]:
    """(element correct, operation F1, step success) for one step."""
    if rec.pred_node is None or rec.pred_action is None:
        return 0.0, 0.0, 0.0
    element = float(rec.pred_node == rec.gold_node)
    pred_op = operation_string(rec.pred_action, rec.pred_text)
    gold_op = operation_string(rec.gold_action, rec.gold_text)
    op_f1 = token_f1(pred_op, gold_op)
    return element, op_f1, float(element == 1.0 and pred_op.lower() == gold_op.lower())


def mind2web_metrics(records: Iterable[StepRecord]) -> dict[str, float]:
    """Macro (per task, then across tasks) element accuracy, operation F1, step and task success."""
    by_task: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for rec in records:
        by_task[rec.task].append(score_step(rec))
    if not by_task:
        raise ValueError("no evaluated steps")
    per_task = [tuple(fmean(col) for col in zip(*scores)) for scores in by_task.values()]
    all_steps = [s for scores in by_task.values() for s in scores]
    return {
        "element_accuracy": fmean(t[0] for t in per_task),
        "operation_f1": fmean(t[1] for t in per_task),
        "step_success_rate": fmean(t[2] for t in per_task),
        "task_success_rate": fmean(float(all(s[2] == 1.0 for s in scores)) for scores in by_task.values()),
        "micro_step_success_rate": fmean(s[2] for s in all_steps),
        "tasks": len(by_task),
        "steps": len(all_steps),
    }
