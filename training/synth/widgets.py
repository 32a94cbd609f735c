"""The vocabulary families are written in: fields, checkboxes, buttons, links, item lists.

A widget is plain data (a row of a family table). `need` says whether a workflow acts on it:
"req" always, "opt" in about half the workflows (its `phrase` then joins the objective, so the
objective still says everything the steps do), "none" never (a distractor the model must ignore).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Union

Need = Literal["req", "opt", "none"]


@dataclass(frozen=True)
class Field:
    """A text input, textarea or select; the workflow types a value drawn from `pool`."""

    label: str
    pool: str
    slot: str | None = None  # objective placeholder; defaults to the pool name
    kind: Literal["text", "email", "password", "search", "tel", "date", "textarea", "select"] = "text"
    need: Need = "req"
    phrase: str = ""
    key: str | None = None  # a key pressed in the field right after typing (e.g. Enter)

    @property
    def name(self) -> str:
        return self.slot or self.pool


@dataclass(frozen=True)
class Check:
    """A checkbox the workflow ticks."""

    label: str
    need: Need = "opt"
    phrase: str = ""


@dataclass(frozen=True)
class Button:
    """A button; the last acted-on widget of a screen leads to the next screen."""

    label: str
    need: Need = "req"
    phrase: str = ""
    primary: bool = True


@dataclass(frozen=True)
class Link:
    """A link inside the page content (navigation links come from the family's nav table)."""

    label: str
    need: Need = "req"
    phrase: str = ""


@dataclass(frozen=True)
class Items:
    """A list of similar things (results, rows, days, folders); the objective names one of them.

    With `row_button` the step clicks that button in the chosen row ("Edit" for 'Dana Costa'),
    which is only groundable through the row's text, as on real data tables.
    """

    pool: str
    slot: str
    count: tuple[int, int] = (4, 8)
    style: Literal["list", "cards", "table", "grid", "tabs"] = "list"
    row_button: str | None = None
    columns: tuple[str, ...] = ()
    need: Need = "req"
    heading: str = ""


Widget = Union[Field, Check, Button, Link, Items]


@dataclass(frozen=True)
class Screen:
    """One page of a family: its path, heading and widgets, in the order a person uses them."""

    path: str
    heading: str
    widgets: tuple[Widget, ...]
    intro: str = ""


@dataclass(frozen=True)
class Family:
    """A kind of page flow; `objectives` are templates over slot names, `nav` the site's menu."""

    name: str
    site_kind: str
    screens: tuple[Screen, ...]
    objectives: tuple[str, ...]
    nav: tuple[str, ...] = ()
    app: bool = False  # app-like sites get a sidebar instead of a marketing header
