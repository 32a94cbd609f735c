"""A tiny element tree for synthetic pages: build, number in document order, serialize.

Targets are picked as objects while the page is built; numbering at serialization gives each one
its `node` id the same way the extension's serializer does (document order), so a workflow step
can name its target before the page text exists.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from html import escape
from typing import Union

VOID = frozenset({"input", "img", "br", "hr", "meta", "link"})

Child = Union["El", str]


@dataclass(eq=False)
class El:
    """An element; `node` is filled by `render` (identity comparison: two equal-looking buttons differ)."""

    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Child] = field(default_factory=list)
    node: int | None = None

    def add(self, *children: Child | None) -> "El":
        self.children.extend(c for c in children if c is not None)
        return self


def el(tag: str, *children: Child | None, **attrs: str | None) -> El:
    """`el("a", "Home", href="/", class_="nav")`: trailing underscores and `_`→`-` for HTML names."""
    clean = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items() if v is not False}
    return El(tag, clean, [c for c in children if c is not None])


def render(root: El, start: int = 1) -> str:
    """Serialize, numbering every element in document order (sets `.node` on each)."""
    out: list[str] = []
    counter = [start]

    def walk(e: El) -> None:
        e.node = counter[0]
        counter[0] += 1
        attrs = "".join(
            f' {k}' if v is None else f' {k}="{escape(v, quote=True)}"' for k, v in e.attrs.items()
        )
        out.append(f'<{e.tag}{attrs} node="{e.node}">')
        if e.tag in VOID:
            return
        for c in e.children:
            if isinstance(c, El):
                walk(c)
            else:
                out.append(escape(c, quote=False))
        out.append(f"</{e.tag}>")

    walk(root)
    return "<!DOCTYPE html>" + "".join(out)


# ------------------------------------------------------------------ class-name styles

_UTILITY: dict[str, tuple[str, ...]] = {
    "button": ("px-4 py-2 rounded bg-blue-600 text-white hover:bg-blue-700", "btn btn-primary", "inline-flex items-center gap-2 px-3 py-1.5 rounded-md bg-indigo-600 text-sm font-medium text-white"),
    "button2": ("px-3 py-2 rounded border border-gray-300 text-gray-700", "btn btn-outline-secondary", "inline-flex px-3 py-1.5 text-sm text-slate-600 ring-1 ring-slate-300"),
    "input": ("w-full border rounded px-3 py-2", "form-control", "block w-full rounded-md border-0 py-1.5 ring-1 ring-inset ring-gray-300"),
    "label": ("block text-sm font-medium text-gray-700", "form-label", "text-xs uppercase tracking-wide text-slate-500"),
    "nav": ("flex items-center gap-6 px-6 py-3 bg-white shadow", "navbar navbar-expand-lg", "sticky top-0 z-40 flex h-16 items-center border-b"),
    "link": ("text-blue-600 hover:underline", "nav-link", "text-sm font-semibold leading-6 text-gray-900"),
    "card": ("p-4 rounded-lg shadow bg-white", "card", "overflow-hidden rounded-xl border border-gray-200"),
    "wrap": ("flex flex-col gap-4", "container", "mx-auto max-w-7xl px-4 sm:px-6 lg:px-8", "grid grid-cols-12 gap-4", "row", "col-md-6", "space-y-6"),
    "footer": ("mt-12 py-8 bg-gray-100 text-sm", "footer bg-light", "border-t border-gray-900/10 pt-8"),
    "banner": ("fixed bottom-0 inset-x-0 p-4 bg-gray-900 text-white", "alert alert-info cookie-consent", "pointer-events-auto max-w-xl rounded-xl bg-white p-6 shadow-lg"),
    "table": ("min-w-full divide-y divide-gray-300", "table table-striped", "w-full text-left text-sm"),
    "item": ("py-2 border-b", "list-group-item", "relative flex justify-between gap-x-6 py-5"),
}


def _hash(rng: random.Random, n: int = 6) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


class ClassStyle:
    """Class names in one of three styles real sites use: utility CSS, BEM, or build-tool hashes.

    The pruner keeps class names only while they read like words; the model must ground on names
    and text, never on a class convention, so a workflow's pages all share one random style.
    """

    KINDS = ("utility", "bem", "hashed")

    def __init__(self, kind: str, rng: random.Random, block: str) -> None:
        self.kind, self.rng, self.block = kind, rng, block
        self._hashes: dict[str, str] = {}
        self._utility = {role: rng.choice(options) for role, options in _UTILITY.items()}

    def __call__(self, role: str, modifier: str | None = None) -> str:
        if self.kind == "utility":
            return self._utility.get(role, self._utility["wrap"])
        if self.kind == "bem":
            base = f"{self.block}__{role}"
            return f"{base} {base}--{modifier}" if modifier else base
        if role not in self._hashes:
            self._hashes[role] = f"css-{_hash(self.rng).lower()} sc-{_hash(self.rng, 5)}"
        return self._hashes[role]


def text_content(e: El) -> str:
    """The element's text as a person reads it (whitespace collapsed)."""
    parts: list[str] = []

    def walk(x: El) -> None:
        if x.attrs.get("aria-hidden") == "true":
            return
        for c in x.children:
            if isinstance(c, El):
                walk(c)
            else:
                parts.append(c)

    walk(e)
    return " ".join(" ".join(parts).split())


def name_of(e: El) -> str:
    """The accessible name in the pruner's order (aria-label, text, then value/placeholder/title),
    so a description quotes exactly what the model sees for its target."""
    label = e.attrs.get("aria-label")
    if label:
        return label
    text = text_content(e)
    if text:
        return text
    for key in ("title", "alt", "placeholder", "value"):
        if e.attrs.get(key):
            return str(e.attrs[key])
    return ""
