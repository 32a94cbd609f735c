"""Synthetic workflows: a family, a random site and values → an objective and its steps.

Everything is drawn from `random.Random(f"{seed}:{index}")`, so workflow `index` of a seed is the
same on every machine and independent of how many others are generated.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote_plus

from backend.constants import ActionKind
from backend.workflow_model import Workflow
from training.synth import pools as P
from training.synth.families import FAMILIES, HELD_OUT
from training.synth.markup import ClassStyle, El
from training.synth.pages import ScreenState, Site, render_screen, slug
from training.synth.values import ascii_slug, draw, draw_distinct
from training.synth.widgets import Button, Check, Family, Field, Items, Link

#: Description phrasings; one voice per workflow, as one person writes consistently.
VOICES: tuple[dict[str, str], ...] = (
    {"type": "Type '{v}' into '{x}'", "select": "Select '{v}' in '{x}'", "click": "Click '{x}'",
     "check": "Check '{x}'", "key": "Press {v}", "row": "Click '{x}' for '{row}'"},
    {"type": 'Enter "{v}" in the {x} field', "select": 'Choose "{v}" from {x}', "click": 'Click the "{x}" {what}',
     "check": 'Tick the "{x}" box', "key": "Hit {v}", "row": 'Click "{x}" in the {row} row'},
    {"type": "Fill {x} with '{v}'", "select": "Pick '{v}' for {x}", "click": "Click on {x}",
     "check": "Select the {x} checkbox", "key": "Press the {v} key", "row": "Click {x} next to {row}"},
)
OPENERS = ("", "", "Please ", "I need to ", "Help me ", "Can you ", "Go ahead and ")

MIN_STEPS, MAX_STEPS = 2, 12


@dataclass(frozen=True)
class _Act:
    screen: int
    widget: int
    kind: str  # type | select | click | check | key | row


def family_split() -> tuple[list[Family], list[Family]]:
    """(train families, held-out families), in table order."""
    return [f for f in FAMILIES if f.name not in HELD_OUT], [f for f in FAMILIES if f.name in HELD_OUT]


def _brand(r: random.Random) -> tuple[str, str]:
    head, tail = r.choice(P.BRAND_HEADS), r.choice(P.BRAND_TAILS)
    return f"{head}{tail}", f"{ascii_slug(head + tail)}.{r.choice(P.TLDS)}"


def _objective(family: Family, r: random.Random, ctx: dict[str, str], phrases: list[str]) -> str:
    text = r.choice(family.objectives).format(**ctx) + "".join(p.format(**ctx) for p in phrases)
    opener = r.choice(OPENERS)
    if opener:
        text = opener + text[0].lower() + text[1:]
    return text


def _fresh(pool: str, r: random.Random, ctx: dict[str, str]) -> str:
    """A value no other slot holds (a flight from Berlin to Berlin reads as a bug, not a task)."""
    value = draw(pool, r, ctx)
    for _ in range(10):
        if value not in ctx.values():
            break
        value = draw(pool, r, ctx)
    return value


def _plan(family: Family, r: random.Random, ctx: dict[str, str]) -> tuple[list[_Act], list[ScreenState], list[str]]:
    """Choose which widgets the workflow uses and draw every value and list content."""
    acts: list[_Act] = []
    states = [ScreenState() for _ in family.screens]
    phrases: list[str] = []
    for s, screen in enumerate(family.screens):
        st = states[s]
        for j, w in enumerate(screen.widgets):
            used = w.need == "req" or (w.need == "opt" and r.random() < 0.5)
            if isinstance(w, Field):
                value = ctx.get(w.name) or _fresh(w.pool, r, ctx)
                if used:
                    ctx[w.name] = value
                if w.kind == "select":
                    st.options[j] = draw_distinct(w.pool, r.randint(3, 6), r, ctx, value if used else None)
                if used:
                    acts.append(_Act(s, j, "select" if w.kind == "select" else "type"))
                    if w.key:
                        acts.append(_Act(s, j, "key"))
            elif isinstance(w, Items):
                chosen = ctx.setdefault(w.slot, draw(w.pool, r, ctx)) if used else None
                st.items[j] = draw_distinct(w.pool, r.randint(*w.count), r, ctx, chosen)
                st.columns[j] = [[draw(c, r, ctx) for c in w.columns] for _ in st.items[j]]
                if used:
                    acts.append(_Act(s, j, "row" if w.row_button else "click"))
            elif used:
                acts.append(_Act(s, j, "check" if isinstance(w, Check) else "click"))
            if used and w.need == "opt" and w.phrase:
                phrases.append(w.phrase)
    return acts, states, phrases


def synth_workflow(seed: int, index: int, family: Family) -> Workflow:
    """Workflow `index` of `seed` in `family`; validated, so every target node is in its page."""
    r = random.Random(f"{seed}:{index}")
    brand, domain = _brand(r)
    ctx: dict[str, str] = {"brand": brand}
    acts, states, phrases = _plan(family, r, ctx)
    objective = _objective(family, r, ctx, phrases)
    voice = r.choice(VOICES)
    site = Site(brand, domain, ClassStyle(r.choice(ClassStyle.KINDS), r, slug(family.name)), f"{seed}:{index}:layout")
    steps = []
    query = ""
    for act in acts:
        screen = family.screens[act.screen]
        st = states[act.screen]
        w = screen.widgets[act.widget]
        html, controls = render_screen(family, screen, act.screen, st, site)
        control = controls[act.widget]
        text: str | None = None
        kind = ActionKind.CLICK
        if isinstance(w, Items):
            chosen = ctx[w.slot]
            target = control[chosen]  # type: ignore[index]
            description = voice[act.kind].format(x=w.row_button or chosen, row=chosen, what="link")
        elif isinstance(w, Field):
            value = ctx[w.name]
            if act.kind == "key":
                kind, text = ActionKind.KEY, w.key
                description = voice["key"].format(v=w.key)
                query = value
            else:
                kind, text = ActionKind.TYPE, value
                description = voice[act.kind].format(v=value, x=w.label)
                st.values[act.widget] = value
            target = control
        else:
            assert isinstance(w, (Button, Link, Check))
            target = control
            description = voice[act.kind].format(x=w.label, what="button" if isinstance(w, Button) else "link")
            if isinstance(w, Check):
                st.checked.add(act.widget)
        assert isinstance(target, El) and target.node is not None
        url = f"https://{domain}{screen.path}" + (f"?q={quote_plus(query)}" if query and act.screen > 0 else "")
        steps.append({"url": url, "html": html, "description": description,
                      "action": {"kind": kind.value, "text": text}, "target": {"node": str(target.node)}})
    return Workflow.model_validate({"id": f"synth-{seed}-{index:06d}-{family.name}", "objective": objective,
                                    "site": domain, "family": family.name, "steps": steps})


def synthesize(n: int, seed: int, families: list[Family] | None = None) -> Iterator[Workflow]:
    """`n` workflows cycling through `families` (all by default) in a seed-shuffled order."""
    fams = list(families if families is not None else FAMILIES)
    order = random.Random(seed).sample(fams, len(fams))
    for i in range(n):
        yield synth_workflow(seed, i, order[i % len(order)])
