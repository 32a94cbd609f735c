"""Render one screen of a synthetic workflow as a realistic HTML page.

Around the widgets a page gets what real pages have and a model must learn to ignore: a header or
app sidebar, a footer with links and a newsletter box, maybe a cookie banner, hidden copies of the
primary button (mobile menu / closed modal), a disabled copy, hidden inputs, scripts and styles,
and nesting wrappers. Layout choices come from `layout` (a seed) so the successive pages of one
workflow share a layout while the values typed so far change.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from training.synth import pools as P
from training.synth.markup import ClassStyle, El, el, render
from training.synth.widgets import Button, Check, Family, Field, Items, Link, Screen, Widget

_HIDING = (
    {"hidden": None},
    {"style": "display:none"},
    {"aria-hidden": "true"},
    {"style": "visibility: hidden"},
)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


@dataclass
class ScreenState:
    """What a screen shows: typed values / ticked boxes so far, and the list contents drawn once."""

    values: dict[int, str] = field(default_factory=dict)
    checked: set[int] = field(default_factory=set)
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


def _button(label: str, r: random.Random, style: ClassStyle, primary: bool, variant: int) -> El:
    cls = style("button" if primary else "button2", "primary" if primary else None)
    if variant == 0:
        return el("button", label, type="submit" if primary else "button", class_=cls)
    if variant == 1:
        return el("input", type="submit", value=label, class_=cls)
    if variant == 2:
        return el("a", el("span", label), href="#", role="button", class_=cls)
    return el("div", label, role="button", tabindex="0", class_=cls)


def _field(w: Field, j: int, st: ScreenState, r: random.Random, style: ClassStyle) -> tuple[El, El]:
    """(wrapper, control) for a field; label placement and id style are layout choices."""
    placement = r.choice(("for", "wrap", "placeholder", "aria"))
    fid = r.choice((slug(w.label), f"f{r.randint(100, 999)}-{slug(w.label)[:6]}", f":r{r.randint(1, 99)}:"))
    value = st.values.get(j)
    if w.kind == "select":
        opts = [el("option", "Select…", value="")]
        for o in st.options.get(j, []):
            opts.append(el("option", o, value=slug(o), selected=None if o == value else False))
        control = el("select", *opts, id=fid, name=slug(w.label), class_=style("input"))
    elif w.kind == "textarea":
        control = el("textarea", value or "", id=fid, name=slug(w.label), rows="5", class_=style("input"))
    else:
        control = el("input", type=w.kind, id=fid, name=slug(w.label), value=value or False,
                     autocomplete=r.choice(("off", "on", False)), class_=style("input"))
    if placement == "placeholder" and w.kind not in ("select",):
        control.attrs["placeholder"] = w.label
        return el("div", control, class_=style("field")), control
    if placement == "aria":
        control.attrs["aria-label"] = w.label
        return el("div", el("span", w.label, class_=style("label")), control, class_=style("field")), control
    if placement == "wrap":
        return el("label", el("span", w.label, class_=style("label")), control, class_=style("field")), control
    return el("div", el("label", w.label, for_=fid, class_=style("label")), control, class_=style("field")), control


def _items(w: Items, j: int, st: ScreenState, r: random.Random, style: ClassStyle) -> tuple[El, dict[str, El]]:
    """A list of things; returns the container and, per item text, the element a step clicks."""
    values = st.items.get(j, [])
    cols = st.columns.get(j, [[] for _ in values])
    targets: dict[str, El] = {}
    heading = el("h2", w.heading) if w.heading else None
    if w.style == "table":
        head = el("tr", *(el("th", h, scope="col") for h in ["Name", *[c.replace("_", " ").title() for c in w.columns], ""]))
        rows = []
        for v, extra in zip(values, cols):
            cells = [el("td", el("a", v, href=f"/{slug(v)}") if w.row_button is None else v)]
            cells += [el("td", c) for c in extra]
            if w.row_button:
                b = _button(w.row_button, r, style, False, 0)
                if r.random() < 0.3:
                    b.attrs["aria-label"] = f"{w.row_button} {v}"
                cells.append(el("td", b))
                targets[v] = b
            else:
                cells.append(el("td"))
                targets[v] = cells[0].children[0]  # type: ignore[assignment]
            rows.append(el("tr", *cells))
        return el("section", heading, el("table", el("thead", head), el("tbody", *rows), class_=style("table"))), targets
    if w.style == "grid":
        cells = []
        for v in values:
            b = el("button", v, type="button", class_=style("cell"),
                   aria_label=f"{w.heading} {v}" if w.heading and r.random() < 0.5 else False)
            targets[v] = b
            cells.append(el("div", b, role="gridcell"))
        return el("section", heading, el("div", *cells, role="grid", class_=style("grid"))), targets
    if w.style == "tabs":
        tabs = []
        for v in values:
            t = el("button", v, role="tab", type="button", aria_selected="false", class_=style("tab"))
            targets[v] = t
            tabs.append(t)
        return el("div", *tabs, role="tablist", class_=style("tabs")), targets
    entries = []
    for v, extra in zip(values, cols):
        a = el("a", v, href=f"/{slug(v)[:40]}", class_=style("link"))
        targets[v] = a
        if w.style == "cards":
            blurb = r.choice(("Free delivery", "4.5 ★ (1,204)", "Updated 3 days ago", "Sponsored", "In stock", "Remote · Full time"))
            entries.append(el("div", el("h3", a), el("p", blurb), class_=style("card")))
        else:
            entries.append(el("li", a, *(el("span", c) for c in extra), class_=style("item")))
    body = el("div", *entries) if w.style == "cards" else el("ul", *entries)
    return el("section", heading, body), targets


def _widget(w: Widget, j: int, st: ScreenState, r: random.Random, style: ClassStyle) -> tuple[El, El | dict[str, El]]:
    if isinstance(w, Field):
        return _field(w, j, st, r, style)
    if isinstance(w, Check):
        cid = f"cb-{slug(w.label)[:12]}"
        box = el("input", type="checkbox", id=cid, name=slug(w.label)[:16], checked=None if j in st.checked else False)
        return el("div", box, el("label", w.label, for_=cid), class_=style("check")), box
    if isinstance(w, Button):
        b = _button(w.label, r, style, w.primary, r.randrange(4) if w.primary else 0)
        return b, b
    if isinstance(w, Link):
        a = el("a", w.label, href=f"/{slug(w.label)}", class_=style("link"))
        return a, a
    return _items(w, j, st, r, style)


def _header(family: Family, site: Site, r: random.Random) -> El:
    style = site.style
    nav = list(family.nav) + r.sample(P.NAV_EXTRAS, r.randint(1, 3))
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


def primary_label(screen: Screen) -> str:
    for w in screen.widgets:
        if isinstance(w, (Button, Link)) and w.need == "req":
            return w.label
    return screen.heading


def render_screen(family: Family, screen: Screen, screen_index: int, st: ScreenState, site: Site) -> tuple[str, dict[int, El | dict[str, El]]]:
    """The page HTML and, per widget index, its control (or per-item controls for lists)."""
    r = random.Random(f"{site.layout}:{screen_index}")
    style = site.style
    controls: dict[int, El | dict[str, El]] = {}
    parts: list[El] = [el("h1", screen.heading)]
    if screen.intro or r.random() < 0.5:
        parts.append(el("p", screen.intro or r.choice(("All fields are required unless marked optional.",
                                                          "Need help? Our team replies within a day.",
                                                          f"Welcome back to {site.brand}."))))
    body: list[El] = []
    for j, w in enumerate(screen.widgets):
        node, control = _widget(w, j, st, r, style)
        controls[j] = control
        body.append(_wrap(node, r, style, r.randint(0, 2)))
    has_fields = any(isinstance(w, (Field, Check)) for w in screen.widgets)
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
    banner = _cookie_banner(site, r) if r.random() < 0.5 else None
    banner_first = r.random() < 0.5
    decoys_first = r.random() < 0.5
    page = el(
        "html",
        el("head", el("meta", charset="utf-8"), el("title", f"{screen.heading} · {site.brand}"),
           el("link", rel="stylesheet", href=f"/static/app.{r.getrandbits(32):08x}.css"),
           el("style", "body{margin:0;font-family:system-ui}"),
           el("script", "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}")),
        el("body",
           banner if banner_first else None,
           _header(family, site, r),
           *(decoys if decoys_first else []),
           _wrap(main, r, style, r.randint(0, 2)),
           *([] if decoys_first else decoys),
           _footer(site, r),
           banner if not banner_first else None,
           el("script", "(function(){var s=document.createElement('script');s.async=1;})();"),
           class_=style("body")),
        lang="en",
    )
    return render(page), controls
