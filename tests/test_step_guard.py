"""What the panel is told about a step: its target's kind, and whether it needs the person's check."""

from __future__ import annotations

import pytest

from backend.constants import ActionKind
from backend.step_guard import confirmation_needed
from backend.step_view import target_kind


@pytest.mark.parametrize(("name", "objective"), [
    ("Delete account", "Change my display name to Ada"),  # page text that steers the model
    ("Send", "Reply to Bob saying thanks"),  # irreversible even when it is the natural last step
    ("Pay now", "Book a table for two"), ("Publish post", "Write a draft about cats"),
    ("Remove all members", "Invite ada@example.com"), ("Close account", "update my profile"),
    ("Transfers", "check my balance"),
])
def test_destructive_targets_the_objective_does_not_ask_for_need_a_check(name: str, objective: str) -> None:
    reason = confirmation_needed(ActionKind.CLICK, name, objective)
    assert reason is not None and f"'{name}'" in reason


@pytest.mark.parametrize(("action", "name", "objective"), [
    (ActionKind.CLICK, "Delete", "Delete the email from Bob"),  # asked for
    (ActionKind.CLICK, "Send", "reply to Bob and send it"),
    (ActionKind.CLICK, "Save changes", "Delete my old address and save"),  # the target itself is harmless
    (ActionKind.TYPE, "Payment reference", "Book a table"),  # typing changes nothing by itself
    (ActionKind.CLICK, "Sender", "Book a table"),  # a word that only starts like one
])
def test_harmless_or_requested_steps_pass(action: ActionKind, name: str, objective: str) -> None:
    assert confirmation_needed(action, name, objective) is None


def test_a_key_press_is_checked_like_a_click() -> None:
    assert confirmation_needed(ActionKind.KEY, "Delete account", "rename me") is not None


@pytest.mark.parametrize(("tag", "kind"), [
    ('<a href="/x" node="1">', "link"), ('<button node="2">', "button"), ('<input node="3">', "field"),
    ('<input type="checkbox" node="4">', "checkbox"), ('<input type="radio" node="5">', "radio button"),
    ('<input type="submit" value="Go" node="6">', "button"), ('<select id="o" node="7">', "list"),
    ('<textarea node="8">', "field"), ('<div role="tab" node="9">', "tab"), ('<a role="button" node="10">', "button"),
    ('<div contenteditable="true" node="11">', "field"), ('<div sa-click node="12">', "element"),
    ('<a0:a node="13">', "link"), ("", "element"), ('<li role="menuitem checkbox" node="14">', "menu item"),
])
def test_target_kinds_read_as_people_say_them(tag: str, kind: str) -> None:
    assert target_kind(tag) == kind
