"""Synthetic workflows: a family, a random site and values → an objective and its steps.

Everything is drawn from `random.Random(f"{seed}:{index}")`, so workflow `index` of a seed is the
same on every machine and independent of how many others are generated.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote_plus

from backend.constants import ActionKind
from backend.workflows.model import Workflow
from training.synth import pools as P
from training.synth.families import FAMILIES, HELD_OUT
from training.synth.markup import ClassStyle, El, name_of
from training.synth.pages import INC, MAIN, NEXT, ScreenState, Site, render_screen, slug
from training.synth.values import ascii_slug, draw, draw_distinct, draw_items, iso_date, suggestions
from training.synth.widgets import TRANSIENT, Button, Check, Choice, Family, Field, Items, Reveal, Screen, Spinner, Widget

#: Description phrasings; one voice per workflow, as one person writes consistently. Every voice
#: quotes the target's exact accessible name ({x}), and a typed value ({v}) before it, so a
#: decoder can bind the description to the element by name.
VOICES: tuple[dict[str, str], ...] = (
    {"type": "Type '{v}' into '{x}'", "select": "Select '{v}' in '{x}'", "click": "Click '{x}'",
     "check": "Check '{x}'", "key": "Press {v} in '{x}'", "row": "Click '{x}' for '{row}'", "pick": "Select '{x}'"},
    {"type": 'Enter "{v}" in the "{x}" field', "select": 'Choose "{v}" from "{x}"', "click": 'Click the "{x}" {what}',
     "check": 'Tick the "{x}" box', "key": 'Hit {v} in "{x}"', "row": 'Click "{x}" in the "{row}" row', "pick": 'Choose "{x}"'},
    {"type": "Write '{v}' in '{x}'", "select": "Pick '{v}' for '{x}'", "click": "Click on '{x}'",
     "check": "Tick '{x}'", "key": "Press the {v} key in '{x}'", "row": "Click '{x}' next to '{row}'", "pick": "Pick '{x}'"},
)
OPENERS = ("", "", "", "Please ", "I need to ", "Help me ", "Can you ", "Go ahead and ", "pls ", "I want to ",
           "Could you ", "quick one: ")
#: How a person quotes the values in an objective: not at all, or with one kind of quote.
QUOTES = ("", "", "'", '"')
#: What a role or tag is called in a description ('Click the "Security" tab').
WHAT = {"tab": "tab", "menuitem": "menu item", "option": "option", "a": "link", "switch": "switch"}

#: How people name the last click of a task in the objective itself ("… and hit Send"): the
#: button named there is the *last* step, not the first, so a model must still fill the form first.
CLOSERS = (" and click {x}", " and then click '{x}'", ", then press {x}", " and hit {x}", ". Then click the {x} button",
           " and finish with {x}", ", and press {x} when done", ", then '{x}'")
#: Share of workflows ending in a button whose objective names that button.
CLOSER_SHARE = 0.5

MIN_STEPS, MAX_STEPS = 2, 12


@dataclass(frozen=True)
class _Act:
    screen: int
    widget: int  # index in the screen's `flat` widgets
    kind: str  # type | select | click | check | key | row | pick (the description voice)
    key: str = MAIN  # which of the widget's controls (an option, an item, NEXT, INC)
    text: str | None = None  # typed text / key name


def family_split() -> tuple[list[Family], list[Family]]:
    """(train families, held-out families), in table order."""
    return [f for f in FAMILIES if f.name not in HELD_OUT], [f for f in FAMILIES if f.name in HELD_OUT]


def _brand(r: random.Random) -> tuple[str, str]:
    head, tail = r.choice(P.BRAND_HEADS), r.choice(P.BRAND_TAILS)
    return f"{head}{tail}", f"{ascii_slug(head + tail)}.{r.choice(P.TLDS)}"


def _typo(word: str, r: random.Random) -> str:
    i = r.randrange(1, len(word) - 1)
    return r.choice((word[:i] + word[i + 1:], word[:i] + word[i + 1] + word[i] + word[i + 2:], word[:i] + word[i] + word[i:]))


def _restyle(template: str, r: random.Random) -> str:
    """The template's own words as people type them: sometimes all lower case, sometimes a typo.
    Slots are left alone, so every value to type still appears exactly."""
    parts = re.split(r"(\{\w+\})", re.sub(r"['\"](\{\w+\})['\"]", r"\1", template))
    lower, typo = r.random() < 0.25, r.random() < 0.2
    for i in range(0, len(parts), 2):
        if lower:
            parts[i] = parts[i].lower()
    if typo:
        spots = [(i, m) for i in range(0, len(parts), 2) for m in re.finditer(r"[A-Za-z]{5,}", parts[i])]
        if spots:
            i, m = r.choice(spots)
            parts[i] = parts[i][:m.start()] + _typo(m.group(), r) + parts[i][m.end():]
    return "".join(parts)


def _objective(family: Family, r: random.Random, ctx: dict[str, str], phrases: list[str]) -> str:
    template = _restyle(r.choice(family.objectives) + "".join(phrases), r)
    opener = r.choice(OPENERS)
    if opener:
        template = opener + (template if template.startswith("{") else template[0].lower() + template[1:])
    quote = r.choice(QUOTES)
    shown = {k: f"{quote}{v}{quote}" if quote and k != "brand" and not v.isdigit() and r.random() < 0.7 else v
             for k, v in ctx.items()}
    return template.format(**shown)


def _closer(family: Family, acts: list[_Act], r: random.Random) -> str:
    """Sometimes the objective names its final button; drawn from its own generator, so the rest
    of the workflow (values, layout, pages) is the same with or without it."""
    last = acts[-1]
    widget = family.screens[last.screen].flat[last.widget][0]
    if len(acts) < 2 or last.kind != "click" or not isinstance(widget, Button) or r.random() >= CLOSER_SHARE:
        return ""
    return r.choice(CLOSERS).format(x=widget.label)


def _fresh(pool: str, r: random.Random, ctx: dict[str, str]) -> str:
    """A value no other slot holds (a flight from Berlin to Berlin reads as a bug, not a task)."""
    value = draw(pool, r, ctx)
    for _ in range(10):
        if value not in ctx.values():
            break
        value = draw(pool, r, ctx)
    return value


def _join(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def _plan_widget(w: Widget, s: int, j: int, st: ScreenState, r: random.Random, ctx: dict[str, str], used: bool) -> list[_Act]:
    """Draw what widget `j` shows and, when the workflow uses it, the acts on it."""
    if isinstance(w, Field):
        value = ctx.get(w.name) or _fresh(w.pool, r, ctx)
        if used:
            ctx[w.name] = value
        if w.kind == "select":
            st.options[j] = draw_distinct(w.pool, r.randint(3, 6), r, ctx, value if used else None)
        if w.suggest:
            st.options[j] = suggestions(w.pool, value, r, ctx)
        if not used:
            return []
        if w.kind == "select":
            return [_Act(s, j, "select", text=value)]
        if w.suggest:
            return [_Act(s, j, "type", text=value[:r.randint(3, 5)]), _Act(s, j, "pick", key=value)]
        acts = [_Act(s, j, "type", text=iso_date(value) if w.kind == "date" else value)]
        return acts + ([_Act(s, j, "key", text=w.key)] if w.key else [])
    if isinstance(w, Choice):
        options = draw_distinct(w.pool, r.randint(*w.count) if w.style != "scroll" else r.randint(12, 20), r, ctx, None)
        chosen = r.sample(options, min(len(options), r.randint(*w.pick)))
        st.options[j] = options
        if not used:
            return []
        ctx[w.slot] = _join(chosen)
        kind = {"checkbox": "check", "chips": "click"}.get(w.style, "pick")
        opening = [_Act(s, j, "click")] if w.style == "listbox" else []
        return opening + [_Act(s, j, kind, key=o) for o in sorted(chosen, key=options.index)]
    if isinstance(w, Spinner):
        value = w.start + r.randint(1, 3)
        if not used:
            return []
        ctx[w.slot] = str(value)
        if r.random() < 0.5:
            return [_Act(s, j, "type", text=str(value))]
        return [_Act(s, j, "click", key=INC) for _ in range(value - w.start)]
    if isinstance(w, Items):
        chosen = ctx.setdefault(w.slot, draw(w.pool, r, ctx)) if used else None
        items = draw_items(w.pool, r.randint(*w.count) * (2 if w.paged else 1), r, ctx, chosen)
        if w.paged and chosen is not None and items.index(chosen) < len(items) // 2:
            k = r.randrange(len(items) // 2, len(items))
            i = items.index(chosen)
            items[i], items[k] = items[k], items[i]
        st.items[j] = items
        st.columns[j] = [[draw(c, r, ctx) for c in w.columns] for _ in items]
        if not used:
            return []
        kind = "row" if w.row_button else "pick" if w.style == "menu" else "click"
        return ([_Act(s, j, "click", key=NEXT)] if w.paged else []) + [_Act(s, j, kind, key=chosen)]
    if not used:
        return []
    return [_Act(s, j, "check" if isinstance(w, Check) else "click")]


def _plan(family: Family, r: random.Random, ctx: dict[str, str]) -> tuple[list[_Act], list[ScreenState], list[str]]:
    """Choose which widgets the workflow uses and draw every value and list content."""
    acts: list[_Act] = []
    states = [ScreenState() for _ in family.screens]
    phrases: list[str] = []
    for s, screen in enumerate(family.screens):
        used_at: dict[int, bool] = {}
        for j, (w, parent) in enumerate(screen.flat):
            used = (parent is None or used_at[parent]) and (w.need == "req" or (w.need == "opt" and r.random() < 0.5))
            used_at[j] = used
            acts += _plan_widget(w, s, j, states[s], r, ctx, used)
            if used and w.need == "opt" and w.phrase:
                phrases.append(w.phrase)
    return acts, states, phrases


def _what(target: El) -> str:
    return WHAT.get(str(target.attrs.get("role") or ""), WHAT.get(target.tag, "button"))


def _describe(voice: dict[str, str], act: _Act, w: Widget, target: El) -> str:
    """The step's description: the target named exactly as the page names it."""
    if isinstance(w, (Field, Check)) and act.key == MAIN:
        name = w.label
    elif isinstance(w, Choice) and act.key != MAIN:
        name = act.key
    elif isinstance(w, Spinner) and act.kind == "type":
        name = w.label
    else:
        name = name_of(target)
    if act.kind == "row" and name != w.row_button:  # type: ignore[union-attr]
        return voice["click"].format(x=name, what=_what(target))
    return voice[act.kind].format(x=name, v=act.text, row=act.key, what=_what(target))


def _advance(screen: Screen, st: ScreenState, act: _Act) -> None:
    """The screen's state after the act (what the next page of the workflow shows)."""
    w, parent = screen.flat[act.widget]
    j = act.widget
    if act.kind in ("type", "select"):
        st.values[j] = act.text or ""
        if isinstance(w, Field) and w.suggest:
            st.opened.add(j)
        return
    if isinstance(w, Reveal) or (isinstance(w, Choice) and act.key == MAIN):
        st.opened.add(j)
        return
    if act.key == NEXT:
        st.page[j] = 2
    elif act.key == INC:
        st.values[j] = str(int(st.values.get(j, str(w.start))) + 1)  # type: ignore[union-attr]
    elif isinstance(w, Field):  # a suggestion picked
        st.values[j] = act.key
        st.opened.discard(j)
    elif isinstance(w, Choice):
        many = w.style in ("checkbox", "chips")
        st.chosen[j] = [*st.chosen.get(j, []), act.key] if many else [act.key]
        st.opened.discard(j)
    elif isinstance(w, Check):
        st.checked.add(j)
    elif isinstance(w, Items):  # a tab or item picked stays marked (aria-selected)
        st.chosen[j] = [act.key]
    while parent is not None:  # a click inside a menu, dialog or picker closes it
        owner = screen.flat[parent][0]
        assert isinstance(owner, Reveal)
        if owner.kind in TRANSIENT:
            st.opened.discard(parent)
            if owner.kind == "calendar":
                st.values[parent] = f"{owner.title.split(' ')[0]} {act.key}, {owner.title.split(' ')[-1]}"
        parent = screen.flat[parent][1]


def synth_workflow(seed: int, index: int, family: Family) -> Workflow:
    """Workflow `index` of `seed` in `family`; validated, so every target node is in its page."""
    r = random.Random(f"{seed}:{index}")
    brand, domain = _brand(r)
    ctx: dict[str, str] = {"brand": brand}
    acts, states, phrases = _plan(family, r, ctx)
    objective = _objective(family, r, ctx, phrases) + _closer(family, acts, random.Random(f"{seed}:{index}:closer"))
    voice = r.choice(VOICES)
    site = Site(brand, domain, ClassStyle(r.choice(ClassStyle.KINDS), r, slug(family.name)), f"{seed}:{index}:layout")
    steps = []
    query = ""
    for act in acts:
        screen = family.screens[act.screen]
        st = states[act.screen]
        w = screen.flat[act.widget][0]
        html, controls = render_screen(family, screen, act.screen, st, site)
        target = controls[act.widget][act.key]
        assert target.node is not None
        kind = {"type": ActionKind.TYPE, "select": ActionKind.TYPE, "key": ActionKind.KEY}.get(act.kind, ActionKind.CLICK)
        if act.kind == "key":
            query = st.values.get(act.widget, "")
        url = f"https://{domain}{screen.path}" + (f"?q={quote_plus(query)}" if query and act.screen > 0 else "")
        steps.append({"url": url, "html": html, "description": _describe(voice, act, w, target),
                      "action": {"kind": kind.value, "text": act.text}, "target": {"node": str(target.node)}})
        _advance(screen, st, act)
    return Workflow.model_validate({"id": f"synth-{seed}-{index:06d}-{family.name}", "objective": objective,
                                    "site": domain, "family": family.name, "steps": steps})


def synthesize(n: int, seed: int, families: list[Family] | None = None) -> Iterator[Workflow]:
    """`n` workflows cycling through `families` (all by default) in a seed-shuffled order."""
    fams = list(families if families is not None else FAMILIES)
    order = random.Random(seed).sample(fams, len(fams))
    for i in range(n):
        yield synth_workflow(seed, i, order[i % len(order)])
