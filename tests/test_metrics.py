"""Mind2Web metrics against cases computed by hand."""

from __future__ import annotations

import pytest

from backend.constants import ActionKind
from training.metrics import StepRecord, mind2web_metrics, operation_string, token_f1

C, T = ActionKind.CLICK, ActionKind.TYPE


def test_token_f1_by_hand():
    assert token_f1("TYPE new york", "TYPE new york") == 1.0
    # pred 4 tokens, gold 3, overlap 3: P=3/4 R=1 F1=2*.75/1.75=6/7
    assert token_f1("TYPE new york city", "TYPE new york") == pytest.approx(6 / 7)
    assert token_f1("CLICK", "TYPE paris") == 0.0
    assert token_f1("", "") == 1.0


def test_operation_string():
    assert operation_string(C, "ignored") == "CLICK"
    assert operation_string(T, "New York") == "TYPE New York"
    assert operation_string(ActionKind.KEY, "Enter") == "KEY Enter"


def test_macro_metrics_by_hand():
    records = [
        # task A: 2 steps, both perfect -> elem 1, f1 1, step 1, task success
        StepRecord("A", "1", C, None, "1", C, None),
        StepRecord("A", "2", T, "paris", "2", T, "paris"),
        # task B: 4 steps
        StepRecord("B", "5", T, "new york", "5", T, "new york city"),  # elem 1, f1 6/7, step 0
        StepRecord("B", "6", C, None, "7", C, None),  # elem 0, f1 1, step 0
        StepRecord("B", "8", C, None, "8", C, None),  # elem 1, f1 1, step 1
        StepRecord("B", "9", C, None),  # no prediction: 0, 0, 0
    ]
    m = mind2web_metrics(records)
    b_elem, b_f1, b_step = 2 / 4, (6 / 7 + 1 + 1 + 0) / 4, 1 / 4
    assert m["element_accuracy"] == pytest.approx((1 + b_elem) / 2)
    assert m["operation_f1"] == pytest.approx((1 + b_f1) / 2)
    assert m["step_success_rate"] == pytest.approx((1 + b_step) / 2)
    assert m["task_success_rate"] == pytest.approx(1 / 2)
    assert m["micro_step_success_rate"] == pytest.approx(3 / 6)
    assert (m["tasks"], m["steps"]) == (2, 6)


def test_macro_differs_from_micro():
    # one long failed task and one short perfect task: macro step SR 0.5, micro 1/5
    records = [StepRecord("long", str(i), C, None, "x", C, None) for i in range(4)]
    records.append(StepRecord("short", "1", C, None, "1", C, None))
    m = mind2web_metrics(records)
    assert m["step_success_rate"] == pytest.approx(0.5)
    assert m["micro_step_success_rate"] == pytest.approx(0.2)


def test_no_records_is_an_error():
    with pytest.raises(ValueError):
        mind2web_metrics([])
