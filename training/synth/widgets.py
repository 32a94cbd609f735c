"""The vocabulary families are written in: fields, checkboxes, choice groups, buttons, links, item
lists, and the controls that reveal hidden content (tabs, accordions, menus, dialogs, date pickers).

A widget is plain data (a row of a family table). `need` says whether a workflow acts on it:
"req" always, "opt" in about half the workflows (its `phrase` then joins the objective, so the
objective still says everything the steps do), "none" never (a distractor the model must ignore).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional, Union

Need = Literal["req", "opt", "none"]


@dataclass(frozen=True)
class Field:
    """A text input, textarea, native select, date or number input; the workflow types a value.

    With `suggest` the field is an autocomplete: the workflow types the first letters and then
    picks the matching suggestion from the list that appears under it.
    """

    label: str
    pool: str
    slot: str | None = None  # objective placeholder; defaults to the pool name
    kind: Literal["text", "email", "password", "search", "tel", "date", "number", "textarea", "select"] = "text"
    need: Need = "req"
    phrase: str = ""
    key: str | None = None  # a key pressed in the field right after typing (e.g. Enter)
    suggest: bool = False

    @property
    def name(self) -> str:
        return self.slot or self.pool


@dataclass(frozen=True)
class Check:
    """A single checkbox the workflow ticks (or a switch: `switch` renders role=switch)."""

    label: str
    need: Need = "opt"
    phrase: str = ""
    switch: bool = False


@dataclass(frozen=True)
class Choice:
    """A group of options under one legend; the objective names the ones to choose.

    checkbox: tick `pick` of them; radio / cards (clickable divs, no role): pick one; chips:
    toggle filter chips (spans with a click handler); listbox: a custom drop-down that is opened,
    then an option picked; scroll: a long role=listbox in a scrolling box.
    """

    legend: str
    pool: str
    slot: str
    style: Literal["checkbox", "radio", "cards", "chips", "listbox", "scroll"]
    pick: tuple[int, int] = (1, 1)
    count: tuple[int, int] = (3, 6)
    need: Need = "req"
    phrase: str = ""


@dataclass(frozen=True)
class Spinner:
    """A number input between − and + buttons; the workflow types the number or clicks + until it
    shows (the page's value changes step by step, so the history decides when to stop)."""

    label: str
    slot: str
    start: int = 1
    need: Need = "req"
    phrase: str = ""


@dataclass(frozen=True)
class Button:
    """A button; `icon` renders it with no text, named only by its aria-label (toolbars)."""

    label: str
    need: Need = "req"
    phrase: str = ""
    primary: bool = True
    icon: str = ""


@dataclass(frozen=True)
class Link:
    """A link inside the page content (navigation links come from the family's nav table)."""

    label: str
    need: Need = "req"
    phrase: str = ""


@dataclass(frozen=True)
class Items:
    """A list of similar things (results, rows, days, folders, emails, posts); the objective
    names one of them.

    With `row_button` the step clicks that button in the chosen row ("Edit" for 'Dana Costa'),
    which is only groundable through the row's text, as on real data tables; `row_extra` are the
    row's other buttons (decoys). With `paged` the chosen item is on page 2, behind pagination.
    """

    pool: str
    slot: str
    count: tuple[int, int] = (4, 8)
    style: Literal["list", "cards", "table", "grid", "tabs", "menu", "mail", "feed"] = "list"
    row_button: str | None = None
    row_extra: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    need: Need = "req"
    heading: str = ""
    paged: bool = False


@dataclass(frozen=True)
class Reveal:
    """A control whose content is hidden until it is clicked: a tab and its panel, an accordion
    section, a menu (menus nest), a dialog opened by a button, a date picker.

    `inner` renders inside the panel; `others` are sibling tabs / sections / menu entries that
    are never acted on. Menus, dialogs and pickers close again when something inside is clicked.
    """

    label: str
    kind: Literal["tab", "accordion", "menu", "dialog", "calendar"]
    inner: tuple["Widget", ...]
    others: tuple[str, ...] = ()
    need: Need = "req"
    phrase: str = ""
    title: str = ""  # dialog heading / calendar month


Widget = Union[Field, Check, Choice, Spinner, Button, Link, Items, Reveal]

#: Reveals whose panel closes once something inside it is clicked.
TRANSIENT = frozenset({"menu", "dialog", "calendar"})


@dataclass(frozen=True)
class Screen:
    """One page of a family: its path, heading and widgets, in the order a person uses them."""

    path: str
    heading: str
    widgets: tuple[Widget, ...]
    intro: str = ""
    progress: str = ""  # "Step 2 of 3" on multi-page forms

    @property
    def flat(self) -> tuple[tuple[Widget, Optional[int]], ...]:
        """Every widget in document order with the index of the Reveal it sits in (or None);
        a workflow's state and steps address widgets by their index here."""
        out: list[tuple[Widget, Optional[int]]] = []

        def walk(ws: tuple[Widget, ...], parent: Optional[int]) -> None:
            for w in ws:
                out.append((w, parent))
                if isinstance(w, Reveal):
                    walk(w.inner, len(out) - 1)

        walk(self.widgets, None)
        return tuple(out)


@dataclass(frozen=True)
class Family:
    """A kind of page flow; `objectives` are templates over slot names, `nav` the site's menu."""

    name: str
    site_kind: str
    screens: tuple[Screen, ...]
    objectives: tuple[str, ...]
    nav: tuple[str, ...] = ()
    app: bool = False  # app-like sites get a sidebar instead of a marketing header
