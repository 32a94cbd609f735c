"""A done step goes into the history as what was done to which element, not as the model's words."""

from __future__ import annotations

from pathlib import Path

from backend.model.scripted_engine import ScriptedEngine
from backend.model.tokens import default_counter
from backend.pipeline import Suggester
from tests.server_process import write_rules

PAGE = """<form><p><label>Password</label><input type="password" id="password"></p>
<p><label>Verify password</label><input type="password" id="verify"></p>
<label for="city">City</label><select id="city"><option>Lisbon</option><option>Porto</option></select>
<button>Submit</button></form>"""


def suggest(tmp_path: Path, step: dict) -> dict:
    rules = write_rules(tmp_path / "rules.json", [{"step": step}], token_delay_ms=0)
    suggester = Suggester(ScriptedEngine.from_file(rules), default_counter())
    return suggester.suggest(objective="Enter MVE into both fields", url="", html=PAGE).to_message()


def test_a_summary_of_the_objective_is_not_what_the_history_keeps(tmp_path: Path) -> None:
    frame = suggest(tmp_path, {"description": "Enter 'MVE' into both text fields", "action": "type", "text": "MVE",
                               "find": "id=\"password\""})
    assert frame["description"] == "Enter 'MVE' into both text fields"  # the model's words, shown as said
    assert frame["history_description"] == "Type 'MVE' into 'Password'"  # one field is filled, not both


def test_a_choice_and_a_click_are_remembered_by_their_names(tmp_path: Path) -> None:
    chosen = suggest(tmp_path, {"description": "Choose the city", "action": "type", "text": "Porto", "find": "<select"})
    assert chosen["history_description"] == "Select 'Porto' in 'City'"
    clicked = suggest(tmp_path, {"description": "Finish", "action": "click", "find": "<button"})
    assert clicked["history_description"] == "Click 'Submit'"
