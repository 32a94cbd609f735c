"""Render one screen of a synthetic workflow as a realistic HTML page.

Around the widgets a page gets what real pages have and a model must learn to ignore: a header or
app sidebar, a footer with links and a newsletter box, maybe a cookie banner, hidden copies of the
primary button (mobile menu / closed modal), a disabled copy, a near-identical label, the same
text as a link and a button, hidden inputs, scripts and styles, and nesting wrappers. Layout
choices come from `layout` (a seed) so the successive pages of one workflow share a layout while
the state (typed values, ticked boxes, open panels) changes.

State is written only with attributes a browser understands (`value`, `checked`, `selected`,
`hidden`, `open`, `aria-expanded`, inline `display:none`), so the same page can later be rendered
in Chromium and serialized by the extension. Clickable `div`/`span` elements without a role carry
`sa-click`, the mark the extension's serializer gives elements with a click handler; the page's
stylesheet gives them `cursor:pointer`, the computed style the serializer reads.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from training.synth import pools as P
from training.synth.markup import ClassStyle, El, el, render
from training.synth.widgets import (Button, Check, Choice, Family, Field, Items, Link, Reveal, Screen, Spinner)

#: Keys of a widget's controls besides its options/items: the main control, pagination, "+".
MAIN, NEXT, INC = "", "\x00next", "\x00inc"

Controls = dict[str, El]

_HIDING = (
    {"hidden": None},
    {"style": "display:none"},
    {"aria-hidden": "true"},
    {"style": "visibility: hidden"},
)

#: First word of a primary label -> near-identical labels a real toolbar puts beside it.
NEAR_LABELS: dict[str, tuple[str, ...]] = {
    "Save": ("Save draft", "Save as template", "Save and close"),
    "Send": ("Send later", "Send test"),
    "Search": ("Search all", "Advanced search"),
    "Continue": ("Continue as guest", "Continue later"),
    "Submit": ("Submit later", "Submit and add another"),
    "Create": ("Create from template", "Create and invite"),
    "Add": ("Add another", "Add all"),
    "Apply": ("Apply to all", "Apply later"),
    "Confirm": ("Confirm later",),
    "Sign": ("Sign in with SSO", "Sign in with a passkey"),
    "Next": ("Next page", "Skip"),
    "Post": ("Post later", "Post anonymously"),
    "Place": ("Place order later",),
    "Book": ("Book later", "Book for someone else"),
}

_BLURBS = ("Free delivery", "4.5 ★ (1,204)", "Updated 3 days ago", "Sponsored", "In stock", "Remote · Full time")
_POSTS = ("Just finished my first half marathon!", "Anyone else trying the new update?", "Our team offsite was a blast.",
          "Looking for book recommendations.", "Throwback to last summer in Porto.", "We're hiring, DM me.")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


@dataclass
class ScreenState:
    """What a screen shows, by flat widget index: values typed so far, ticked boxes, chosen
    options, open panels, the list page shown, and the list contents drawn once."""

    values: dict[int, str] = field(default_factory=dict)
    checked: set[int] = field(default_factory=set)
    chosen: dict[int, list[str]] = field(default_factory=dict)
    opened: set[int] = field(default_factory=set)
    page: dict[int, int] = field(default_factory=dict)
    items: dict[int, list[str]] = field(default_factory=dict)
    options: dict[int, list[str]] = field(default_factory=dict)
    columns: dict[int, list[list[str]]] = field(default_factory=dict)


@dataclass
class Site:
    brand: str
    domain: str
    style: ClassStyle
    layout: str  # seed of every layout choice of the workflow


def _wrap(node: El, r: random.Random, style: ClassStyle, depth: int) -> El:
    for _ in range(depth):
        node = el("div", node, class_=style("wrap"))
    return node


def _shown(node: El, visible: bool) -> El:
    if not visible:
        node.attrs["hidden"] = None
    return node


def clickable(tag: str, *children: El | str, **attrs: str | None) -> El:
    """A div/span made clickable by a script: no role, only the serializer's `sa-click` mark."""
    return el(tag, *children, sa_click=None, **attrs)


def _button(label: str, r: random.Random, style: ClassStyle, primary: bool, variant: int) -> El:
    cls = style("button" if primary else "button2", "primary" if primary else None)
    if variant == 0:
        return el("button", label, type="submit" if primary else "button", class_=cls)
    if variant == 1:
        return el("input", type="submit", value=label, class_=cls)
    if variant == 2:
        return el("a", el("span", label), href="#", role="button", class_=cls)
    if variant == 3:
        return el("div", label, role="button", tabindex="0", class_=cls)
    return clickable(r.choice(("div", "span")), label, class_=cls)


def _icon_button(label: str, icon: str, r: random.Random, style: ClassStyle) -> El:
    glyph = el("i", icon, class_=f"icon icon-{slug(label)}", aria_hidden="true")
    if r.random() < 0.7:
        return el("button", glyph, type="button", aria_label=label, title=label, class_=style("icon"))
    return clickable("span", glyph, aria_label=label, class_=style("icon"))


def _field(w: Field, j: int, st: ScreenState, r: random.Random, style: ClassStyle) -> tuple[El, Controls]:
    """(wrapper, controls) for a field; label placement and id style are layout choices."""
    placement = r.choice(("for", "wrap", "placeholder", "aria"))
    fid = r.choice((slug(w.label), f"f{r.randint(100, 999)}-{slug(w.label)[:6]}", f":r{r.randint(1, 99)}:"))
    value = st.values.get(j)
    controls: Controls = {}
    extra: El | None = None
    if w.kind == "select":
        opts = [el("option", "Select…", value="")]
        for o in st.options.get(j, []):
            opts.append(el("option", o, value=slug(o), selected=None if o == value else False))
        control = el("select", *opts, id=fid, name=slug(w.label), class_=style("input"))
    elif w.kind == "textarea":
        control = el("textarea", value or "", id=fid, name=slug(w.label), rows="5", class_=style("input"))
    else:
        control = el("input", type=w.kind, id=fid, name=slug(w.label), value=value or False,
                     autocomplete=r.choice(("off", "on", False)), class_=style("input"),
                     min="0" if w.kind == "number" else False)
    if w.suggest:
        listbox_id = f"{fid}-listbox"
        control.attrs.update({"role": "combobox", "aria-autocomplete": "list", "aria-controls": listbox_id,
                              "aria-expanded": "true" if j in st.opened else "false", "autocomplete": "off"})
        options = []
        for s in st.options.get(j, []):
            li = el("li", s, role="option", id=f"{listbox_id}-{slug(s)[:12]}", class_=style("option"))
            controls[s] = li
            options.append(li)
        extra = _shown(el("ul", *options, role="listbox", id=listbox_id, class_=style("suggestions")), j in st.opened)
    controls[MAIN] = control
    if placement == "placeholder" and w.kind not in ("select", "date"):
        control.attrs["placeholder"] = w.label
        return el("div", control, extra, class_=style("field")), controls
    if placement == "aria":
        control.attrs["aria-label"] = w.label
        return el("div", el("span", w.label, class_=style("label")), control, extra, class_=style("field")), controls
    if placement == "wrap" and not w.suggest:
        return el("label", el("span", w.label, class_=style("label")), control, class_=style("field")), controls
    return el("div", el("label", w.label, for_=fid, class_=style("label")), control, extra, class_=style("field")), controls


def _check(w: Check, j: int, st: ScreenState, r: random.Random, style: ClassStyle) -> tuple[El, Controls]:
    on = j in st.checked
    if w.switch:
        sw = el("button", el("span", w.label), type="button", role="switch", aria_checked="true" if on else "false",
                class_=style("switch", "on" if on else None))
        return el("div", sw, class_=style("check")), {MAIN: sw}
    cid = f"cb-{slug(w.label)[:12]}"
    box = el("input", type="checkbox", id=cid, name=slug(w.label)[:16], checked=None if on else False)
    return el("div", box, el("label", w.label, for_=cid), class_=style("check")), {MAIN: box}


def _choice(w: Choice, j: int, st: ScreenState, r: random.Random, style: ClassStyle) -> tuple[El, Controls]:
    """A group of options; the controls map each option to the element a step clicks."""
    options = st.options.get(j, [])
    chosen = st.chosen.get(j, [])
    controls: Controls = {}
    gid = slug(w.legend)[:16]
    if w.style in ("checkbox", "radio"):
        rows = []
        for o in options:
            oid = f"{gid}-{slug(o)[:12]}"
            box = el("input", type=w.style, id=oid, name=gid, value=slug(o), checked=None if o in chosen else False)
            controls[o] = box
            if r.random() < 0.5:
                rows.append(el("div", box, el("label", o, for_=oid), class_=style("option")))
            else:
                rows.append(el("label", box, el("span", o), class_=style("option")))
        return el("fieldset", el("legend", w.legend), *rows, class_=style("group")), controls
    if w.style in ("cards", "chips"):
        tag = "div" if w.style == "cards" else "span"
        parts = []
        for o in options:
            node = clickable(tag, o, class_=style(w.style[:-1], "selected" if o in chosen else None))
            controls[o] = node
            parts.append(el("div", node, el("p", r.choice(_BLURBS)), class_=style("card")) if w.style == "cards" else node)
        return el("div", el("h2" if w.style == "cards" else "span", w.legend), *parts, class_=style(w.style)), controls
    lid = f"{gid}-list"
    opts = []
    for o in options:
        opt = el("li" if w.style == "listbox" else "div", o, role="option", id=f"{lid}-{slug(o)[:12]}",
                 aria_selected="true" if o in chosen else "false", class_=style("option"))
        controls[o] = opt
        opts.append(opt)
    if w.style == "scroll":
        box = el("div", *opts, role="listbox", aria_label=w.legend, tabindex="0",
                 style="max-height:12rem;overflow-y:auto", class_=style("scroll"))
        return el("div", el("h2", w.legend), box, class_=style("group")), controls
    open_ = j in st.opened
    trigger = el("button", chosen[0] if chosen else r.choice(("Select…", "Choose an option", "None")),
                 type="button", aria_haspopup="listbox", aria_expanded="true" if open_ else "false",
                 aria_controls=lid, aria_label=w.legend, class_=style("select"))
    controls[MAIN] = trigger
    lst = _shown(el("ul", *opts, role="listbox", id=lid, aria_label=w.legend, class_=style("listbox")), open_)
    return el("div", el("span", w.legend, class_=style("label")), trigger, lst, class_=style("field")), controls


def _spinner(w: Spinner, j: int, st: ScreenState, r: random.Random, style: ClassStyle) -> tuple[El, Controls]:
    value = st.values.get(j, str(w.start))
    sid = f"qty-{slug(w.label)[:10]}"
    minus = el("button", "−", type="button", aria_label=f"Decrease {w.label.lower()}", class_=style("step"))
    plus = el("button", "+", type="button", aria_label=f"Increase {w.label.lower()}", class_=style("step"))
    box = el("input", type="number", id=sid, name=slug(w.label), value=value, min="1", max="9", class_=style("input"))
    return (el("div", el("label", w.label, for_=sid), minus, box, plus, class_=style("spinner")),
            {MAIN: box, INC: plus})


def _pager(page: int, r: random.Random, style: ClassStyle) -> tuple[El, El]:
    """Pagination; returns the nav and the control that leads to page 2."""
    prev = el("button", "Previous", type="button", disabled=None if page == 1 else False, class_=style("page"))
    nums = [el("a", str(n), href=f"?page={n}", aria_current="page" if n == page else False,
               aria_label=f"Page {n}" if r.random() < 0.3 else False, class_=style("page")) for n in (1, 2, 3)]
    nxt = el("a", "Next", href=f"?page={page + 1}", rel="next", class_=style("page"))
    to_two = nxt if r.random() < 0.6 else nums[1]
    return el("nav", prev, *nums, nxt, aria_label="Pagination", class_=style("pagination")), to_two


def _items(w: Items, j: int, st: ScreenState, r: random.Random, style: ClassStyle) -> tuple[El, Controls]:
    """A list of things; returns the container and, per item text, the element a step clicks."""
    values = st.items.get(j, [])
    cols = st.columns.get(j, [[] for _ in values])
    pager: El | None = None
    controls: Controls = {}
    if w.paged:
        half = len(values) // 2
        page = st.page.get(j, 1)
        sl = slice(0, half) if page == 1 else slice(half, None)
        values, cols = values[sl], cols[sl]
        pager, controls[NEXT] = _pager(page, r, style)
    heading = el("h2", w.heading) if w.heading else None

    def row_buttons(v: str) -> list[El]:
        buttons = []
        for label in sorted({w.row_button, *w.row_extra} - {None}, key=lambda x: r.random()):
            b = _button(label, r, style, False, 0 if r.random() < 0.8 else 4)  # type: ignore[arg-type]
            if r.random() < 0.3:
                b.attrs["aria-label"] = f"{label} {v}"
            if label == w.row_button:
                controls[v] = b
            buttons.append(b)
        return buttons

    if w.style == "table":
        head = el("tr", *(el("th", h, scope="col") for h in ["Name", *[c.replace("_", " ").title() for c in w.columns], ""]))
        rows = []
        for v, extra in zip(values, cols):
            if w.row_button is None:
                link = el("a", v, href=f"/{slug(v)}")
                controls[v] = link
                cells = [el("td", link)]
            else:
                cells = [el("td", v)]
            cells += [el("td", c) for c in extra]
            cells.append(el("td", *row_buttons(v)) if w.row_button else el("td"))
            rows.append(el("tr", *cells))
        table = el("table", el("thead", head), el("tbody", *rows), class_=style("table"))
        return el("section", heading, table, pager), controls
    if w.style == "grid":
        cells = []
        for v in values:
            b = el("button", v, type="button", class_=style("cell"),
                   aria_label=f"{v} {w.heading}" if w.heading and r.random() < 0.5 else False)
            controls[v] = b
            cells.append(el("div", b, role="gridcell"))
        return el("section", heading, el("div", *cells, role="grid", class_=style("grid"))), controls
    if w.style == "tabs":
        tabs = []
        for v in values:
            t = el("button", v, role="tab", type="button", aria_selected=str(v in st.chosen.get(j, [])).lower(),
                   class_=style("tab"))
            controls[v] = t
            tabs.append(t)
        return el("div", *tabs, role="tablist", class_=style("tabs")), controls
    if w.style == "menu":
        entries = []
        for v in values:
            item = el("li", v, role="menuitem", tabindex="-1", class_=style("menuitem"))
            controls[v] = item
            entries.append(item)
        return el("ul", *entries, role="menu", class_=style("menu")), controls
    if w.style == "mail":
        rows = []
        for v, extra in zip(values, cols):
            subject = clickable("span", v, class_=style("subject"))
            controls[v] = subject
            rows.append(el("div", el("input", type="checkbox", aria_label="Select conversation"),
                           el("span", extra[0] if extra else "", class_=style("sender")), subject,
                           el("span", r.choice(P.BODIES)[:40] + "…", class_=style("snippet")),
                           el("time", r.choice(P.TIMES)), role="row", class_=style("mailrow")))
        return el("div", heading, el("div", *rows, role="grid", aria_label="Messages"), pager), controls
    if w.style == "feed":
        posts = []
        for v, extra in zip(values, cols):
            posts.append(el("article", el("header", el("a", v, href=f"/@{slug(v)}"), el("time", f"{r.randint(1, 23)}h")),
                            el("p", extra[0] if extra else r.choice(_POSTS)),
                            el("footer", *row_buttons(v)), class_=style("post")))
        return el("section", heading, *posts, pager), controls
    entries = []
    for v, extra in zip(values, cols):
        a = el("a", v, href=f"/{slug(v)[:40]}", class_=style("link"))
        controls[v] = a
        if w.style == "cards":
            entries.append(el("div", el("h3", a), el("p", r.choice(_BLURBS)), class_=style("card")))
        else:
            entries.append(el("li", a, *(el("span", c) for c in extra), class_=style("item")))
    body = el("div", *entries) if w.style == "cards" else el("ul", *entries)
    return el("section", heading, body, pager), controls


class _ScreenRenderer:
    """Renders a screen's widget tree; a Reveal's panel holds its inner widgets' elements."""

    def __init__(self, screen: Screen, st: ScreenState, r: random.Random, style: ClassStyle) -> None:
        self.flat = screen.flat
        self.children: dict[int, list[int]] = {}
        for k, (_, parent) in enumerate(self.flat):
            if parent is not None:
                self.children.setdefault(parent, []).append(k)
        self.st, self.r, self.style = st, r, style
        self.controls: dict[int, Controls] = {}
        self.portals: list[El] = []  # dialogs, rendered at the end of <body> as most sites do

    def top(self) -> list[El]:
        return [self.widget(k) for k, (_, parent) in enumerate(self.flat) if parent is None]

    def widget(self, j: int, in_menu: bool = False) -> El:
        w, st, r, style = self.flat[j][0], self.st, self.r, self.style
        if isinstance(w, Reveal):
            return self.reveal(w, j, in_menu)
        if in_menu and isinstance(w, (Button, Link)):
            item = el("li", w.label, role="menuitem", tabindex="-1", class_=style("menuitem"))
            self.controls[j] = {MAIN: item}
            return item
        if isinstance(w, Field):
            node, controls = _field(w, j, st, r, style)
        elif isinstance(w, Check):
            node, controls = _check(w, j, st, r, style)
        elif isinstance(w, Choice):
            node, controls = _choice(w, j, st, r, style)
        elif isinstance(w, Spinner):
            node, controls = _spinner(w, j, st, r, style)
        elif isinstance(w, Button):
            b = (_icon_button(w.label, w.icon, r, style) if w.icon
                 else _button(w.label, r, style, w.primary, r.randrange(5) if w.primary else 0))
            node, controls = b, {MAIN: b}
        elif isinstance(w, Link):
            a = el("a", w.label, href=f"/{slug(w.label)}", class_=style("link"))
            node, controls = a, {MAIN: a}
        else:
            node, controls = _items(w, j, st, r, style)
        self.controls[j] = controls
        return node if in_menu else _wrap(node, r, style, r.randint(0, 2))

    def inner(self, j: int, in_menu: bool = False) -> list[El]:
        return [self.widget(k, in_menu) for k in self.children.get(j, [])]

    def reveal(self, w: Reveal, j: int, in_menu: bool) -> El:
        r, style, open_ = self.r, self.style, j in self.st.opened
        pid = f"{w.kind}-{slug(w.label)[:14]}"
        if w.kind == "tab":
            labels = sorted([w.label, *w.others], key=lambda x: r.random())
            active = w.label if open_ else (w.others[0] if w.others else w.label)
            tabs = []
            for t in labels:
                tab = el("button", t, type="button", role="tab", id=f"tab-{slug(t)}", aria_selected=str(t == active).lower(),
                         aria_controls=f"panel-{slug(t)}", tabindex="0" if t == active else "-1", class_=style("tab"))
                if t == w.label:
                    self.controls[j] = {MAIN: tab}
                tabs.append(tab)
            panels = [_shown(el("div", *self.inner(j), role="tabpanel", id=f"panel-{slug(w.label)}",
                                aria_labelledby=f"tab-{slug(w.label)}"), open_)]
            if active != w.label:
                panels.append(el("div", el("p", f"{active} settings and details."), role="tabpanel",
                                 id=f"panel-{slug(active)}", aria_labelledby=f"tab-{slug(active)}"))
            return el("div", el("div", *tabs, role="tablist", aria_label=w.title or "Sections"), *panels, class_=style("tabs"))
        if w.kind == "accordion":
            sections = []
            variant = r.randrange(3)
            for t in sorted([w.label, *w.others], key=lambda x: r.random()):
                mine = t == w.label
                expanded = mine and open_
                body = self.inner(j) if mine else [el("p", f"Everything about {t.lower()}.")]
                region = _shown(el("div", *body, id=f"{pid}-{slug(t)[:10]}", role="region", class_=style("panel")), expanded)
                if variant == 0:
                    head = el("button", t, type="button", aria_expanded=str(expanded).lower(),
                              aria_controls=f"{pid}-{slug(t)[:10]}", class_=style("accordion"))
                    section = el("div", el("h3", head), region, class_=style("section"))
                elif variant == 1:
                    head = clickable("div", t, class_=style("accordion", "open" if expanded else None))
                    section = el("div", head, region, class_=style("section"))
                else:
                    head = el("summary", t)
                    section = el("details", head, region, open=None if expanded else False, class_=style("section"))
                if mine:
                    self.controls[j] = {MAIN: head}
                sections.append(section)
            return el("div", *sections, class_=style("accordion"))
        if w.kind == "menu":
            entries = [el("li", o, role="menuitem", tabindex="-1", class_=style("menuitem")) for o in w.others]
            mine = [item for node in self.inner(j, in_menu=True)  # a list of items joins this menu's own list
                    for item in (node.children if node.attrs.get("role") == "menu" else [node])]
            at = r.randint(0, len(entries))
            menu = _shown(el("ul", *entries[:at], *mine, *entries[at:], role="menu", id=pid, class_=style("menu")), open_)
            if in_menu:
                head = el("li", w.label, role="menuitem", tabindex="-1", aria_haspopup="menu",
                          aria_expanded=str(open_).lower(), class_=style("menuitem"))
                self.controls[j] = {MAIN: head}
                return el("li", head, menu, role="none")
            if r.random() < 0.7:
                head = el("button", w.label, el("span", "▾", aria_hidden="true"), type="button", aria_haspopup="menu",
                          aria_expanded=str(open_).lower(), aria_controls=pid, class_=style("button2"))
            else:
                head = clickable("div", w.label, class_=style("dropdown"))
            self.controls[j] = {MAIN: head}
            return el("div", head, menu, class_=style("dropdown"))
        if w.kind == "calendar":
            shown_value = self.st.values.get(j)
            head = el("button", el("span", shown_value or "Select date"), type="button", aria_label=w.label,
                      aria_haspopup="dialog", aria_expanded=str(open_).lower(), class_=style("datepicker"))
            self.controls[j] = {MAIN: head}
            month = el("div", el("button", "‹", type="button", aria_label="Previous month"), el("h2", w.title),
                       el("button", "›", type="button", aria_label="Next month"), class_=style("month"))
            popup = _shown(el("div", month, *self.inner(j), role="dialog", aria_label=f"{w.label} calendar",
                              class_=style("calendar")), open_)
            return el("div", el("span", w.label, class_=style("label")), head, popup, class_=style("field"))
        # dialog: a button opens it; the dialog itself sits at the end of the page
        head = _button(w.label, r, style, False, r.choice((0, 0, 4)))
        self.controls[j] = {MAIN: head}
        title_id = f"{pid}-title"
        close = el("button", "×", type="button", aria_label="Close", class_=style("close"))
        dialog = _shown(el("div", el("div", el("h2", w.title or w.label, id=title_id), close, class_=style("dialog-head")),
                           *self.inner(j), role="dialog", aria_modal="true", aria_labelledby=title_id,
                           class_=style("dialog")), open_)
        self.portals.append(dialog)
        return head


def primary_label(screen: Screen) -> str:
    for w in screen.widgets:
        if isinstance(w, (Button, Link)) and w.need == "req":
            return w.label
    return screen.heading


def _acted_labels(screen: Screen) -> set[str]:
    return {getattr(w, "label", "") for w, _ in screen.flat} | {o for w, _ in screen.flat if isinstance(w, Reveal) for o in w.others}


def _near_miss(screen: Screen, r: random.Random, style: ClassStyle) -> El | None:
    """A secondary button whose label nearly equals the primary one ("Save" / "Save draft")."""
    label = primary_label(screen)
    taken = _acted_labels(screen)
    options = [n for n in NEAR_LABELS.get(label.split(" ")[0], ()) if n not in taken]
    if not options or r.random() < 0.5:
        return None
    return el("button", r.choice(options), type="button", class_=style("button2"))


def _header(family: Family, site: Site, r: random.Random, echo: str | None) -> El:
    style = site.style
    nav = list(family.nav) + r.sample(P.NAV_EXTRAS, r.randint(1, 3))
    if echo and echo not in nav:  # the same text as a link here and a button in the page
        nav.insert(r.randint(0, len(nav)), echo)
    logo = el("a", el("img", src=f"/static/{slug(site.brand)}-logo.svg", alt=site.brand), href="/", aria_label=f"{site.brand} home")
    if family.app:
        side = el("nav", el("ul", *(el("li", el("a", n, href=f"/{slug(n)}", class_=style("link"))) for n in [*nav, "Settings"])),
                  aria_label="Main", class_=style("sidebar"))
        top = el("div", logo, el("input", type="search", placeholder="Search…", aria_label="Search", class_=style("input")),
                 el("button", el("span", site.brand[0]), type="button", aria_label="Account menu", class_=style("avatar")),
                 class_=style("topbar"))
        return el("div", top, side, class_=style("chrome"))
    links = el("ul", *(el("li", el("a", n, href=f"/{slug(n)}", class_=style("link"))) for n in nav))
    cta = el("div", el("a", "Log in", href="/login", class_=style("link")),
             el("a", r.choice(("Get started", "Sign up free", "Try it")), href="/signup", class_=style("button", "cta")))
    return el("header", logo, el("nav", links, aria_label="Primary", class_=style("nav")), cta, class_=style("header"))


def _footer(site: Site, r: random.Random) -> El:
    style = site.style
    links = r.sample(P.FOOTER_LINKS, r.randint(3, 7))
    news = el("form", el("label", "Newsletter", for_="nl-email"),
              el("input", type="email", id="nl-email", placeholder="you@example.com"),
              el("button", "Join", type="submit"), action="/newsletter")
    return el("footer", el("ul", *(el("li", el("a", t, href=f"/{slug(t)}")) for t in links)), news,
              el("p", f"© 2026 {site.brand}. All rights reserved."), class_=style("footer"))


def _cookie_banner(site: Site, r: random.Random) -> El:
    return el("div", el("p", r.choice(("We use cookies to improve your experience.", "This site uses cookies for analytics and ads."))),
              el("button", r.choice(("Accept all", "Accept", "OK, got it")), type="button"),
              el("button", r.choice(("Reject all", "Decline", "Only necessary")), type="button"),
              el("a", "Cookie settings", href="/cookies"),
              role="dialog", aria_label="Cookie consent", class_=site.style("banner"))


def render_screen(family: Family, screen: Screen, screen_index: int, st: ScreenState, site: Site) -> tuple[str, dict[int, Controls]]:
    """The page HTML and, per flat widget index, its controls (see MAIN, NEXT, INC)."""
    r = random.Random(f"{site.layout}:{screen_index}")
    style = site.style
    parts: list[El] = [el("h1", screen.heading)]
    if screen.progress:
        parts.append(el("p", screen.progress, aria_current="step", class_=style("progress")))
    if screen.intro or r.random() < 0.5:
        parts.append(el("p", screen.intro or r.choice(("All fields are required unless marked optional.",
                                                          "Need help? Our team replies within a day.",
                                                          f"Welcome back to {site.brand}."))))
    renderer = _ScreenRenderer(screen, st, r, style)
    body = renderer.top()
    near = _near_miss(screen, r, style)
    if near is not None:
        body.insert(r.randint(max(0, len(body) - 1), len(body)), near)
    has_fields = any(isinstance(w, (Field, Check, Choice, Spinner)) for w, _ in screen.flat)
    if has_fields:
        body.append(el("input", type="hidden", name="csrf_token", value=f"{r.getrandbits(64):016x}"))
        content = el("form", *body, method="post", action=screen.path, class_=style("form"), novalidate=None)
    else:
        content = el("div", *body, class_=style("content"))
    main = el("main", *parts, _wrap(content, r, style, r.randint(1, 3)), id=r.choice(("main", "content", False)))
    label = primary_label(screen)
    decoys: list[El] = []
    if r.random() < 0.6:  # a closed modal / mobile menu repeating the primary action
        hidden = el("div", el("button", label, type="button"), el("a", "Home", href="/"), class_=style("drawer"))
        hidden.attrs.update(r.choice(_HIDING))
        decoys.append(hidden)
    if r.random() < 0.4:  # a disabled copy, e.g. a sticky action bar before the form is valid
        decoys.append(el("div", el("button", label, type="button", disabled=None, aria_disabled="true"), class_=style("toolbar")))
    echo = label if label != screen.heading and r.random() < 0.25 else None
    banner = _cookie_banner(site, r) if r.random() < 0.5 else None
    banner_first = r.random() < 0.5
    decoys_first = r.random() < 0.5
    page = el(
        "html",
        el("head", el("meta", charset="utf-8"), el("title", f"{screen.heading} · {site.brand}"),
           el("link", rel="stylesheet", href=f"/static/app.{r.getrandbits(32):08x}.css"),
           el("style", "body{margin:0;font-family:system-ui}[sa-click]{cursor:pointer}"),
           el("script", "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}")),
        el("body",
           banner if banner_first else None,
           _header(family, site, r, echo),
           *(decoys if decoys_first else []),
           _wrap(main, r, style, r.randint(0, 2)),
           *([] if decoys_first else decoys),
           *renderer.portals,
           _footer(site, r),
           banner if not banner_first else None,
           el("script", "(function(){var s=document.createElement('script');s.async=1;})();"),
           class_=style("body")),
        lang="en",
    )
    return render(page), renderer.controls
