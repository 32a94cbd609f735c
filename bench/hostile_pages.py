"""A seeded generator of hostile pages: what a page the person visits can hand the pruner.

Every page the extension serializes reaches `prune` and the grammar builder, and any site can
shape its DOM to hurt them: nesting 100K deep, megabytes in one attribute, a million tiny
elements, bytes that are not UTF-8, NULs and lone surrogates, entity floods, `<template>`,
`<svg>`, `<math>` and `<base>` mixes, and `node` ids that repeat, are not numbers, or spell
grammar syntax. `page(seed)` draws one such page (small enough to run thousands); `scaled(kind,
n)` builds the large shapes at a chosen size for the time and memory curves.
"""

from __future__ import annotations

import random
from collections.abc import Callable

#: Text that tries to break out of a GBNF string or an attribute when it is a node id or a name.
GRAMMAR_BREAKERS = ('"', "\\", '" | root ::= "', "\n", "1\n2", "::=", "(", ")*", "[^x]", "${x}", "\u2028", "", " ", "-1",
                    "01", "1e3", "١٢", "9" * 40)
_TAGS = ("div", "span", "a", "button", "input", "select", "option", "textarea", "label", "li", "ul", "p", "form",
         "svg", "math", "template", "base", "table", "tr", "td", "iframe", "img", "dialog", "details", "summary")


def _text(r: random.Random, n: int) -> str:
    alphabet = "abc xyz<>&\"'=/;\u00e9\u4e2d\U0001f600\u200b\u202e\x00\x07\x1b\ufffe\ufeff"
    return "".join(r.choice(alphabet) for _ in range(n))


def _attrs(r: random.Random) -> str:
    out = []
    for _ in range(r.randint(0, 4)):
        name = r.choice(("node", "node", "id", "href", "role", "aria-label", "onclick", "type", "value", "style",
                         "hidden", "sa-click", "class", "x:y", "data-\u00e9"))
        value = r.choice((str(r.randint(0, 50)), r.choice(GRAMMAR_BREAKERS), _text(r, r.randint(0, 30))))
        quote = r.choice(('"', "'", ""))
        out.append(f" {name}={quote}{value.replace(quote, '') if quote else value.replace(' ', '')}{quote}")
    return "".join(out)


def _soup(r: random.Random, size: int) -> str:
    parts = []
    for _ in range(size):
        tag = r.choice(_TAGS)
        roll = r.random()
        if roll < 0.45:
            parts.append(f"<{tag}{_attrs(r)}>{_text(r, r.randint(0, 12))}")
        elif roll < 0.75:
            parts.append(f"</{tag}>")
        elif roll < 0.85:
            parts.append(r.choice(("&amp;" * 50, "&#0;", "&#xD800;", "&#x110000;", "&nbsp;" * 20, "&bogus;", "&#",
                                   "<!--", "-->", "<![CDATA[", "]]>", "<?php ?>", "<!DOCTYPE x>")))
        else:
            parts.append(_text(r, r.randint(1, 40)))
    return "".join(parts)


def _deep(r: random.Random, depth: int) -> str:
    tag = r.choice(("div", "span", "b", "a"))
    return f"<{tag}>" * depth + "<button>deep</button>" + f"</{tag}>" * r.choice((depth, 0))


def _wide(r: random.Random, n: int) -> str:
    return "".join(f'<a href="/{i}" node="{r.choice((i, 7, "x"))}">{i % 10}</a>' for i in range(n))


def _fat_attribute(r: random.Random, n: int) -> str:
    return f'<a href="/x" title="{"x" * n}" aria-label="{_text(r, 20) * (n // 200)}">big</a><button>ok</button>'


def _bytes_soup(r: random.Random, n: int) -> bytes:
    return bytes(r.randrange(256) for _ in range(n)) + b"<a href='/x'>link</a>"


def page(seed: int) -> str | bytes:
    """One hostile page, the same for the same seed; mostly small (milliseconds to prune)."""
    r = random.Random(seed)
    kind = r.randrange(8)
    if kind == 0:
        return _deep(r, r.choice((10, 1000, 5000)))
    if kind == 1:
        return _wide(r, r.randint(1, 2000))
    if kind == 2:
        return _fat_attribute(r, r.choice((1000, 100_000)))
    if kind == 3:
        return _bytes_soup(r, r.randint(1, 20_000))
    if kind == 4:
        return _soup(r, r.randint(1, 400)).encode("utf-8", errors="surrogatepass")[: r.randint(1, 10_000)]
    if kind == 5:  # a str with lone surrogates, as JSON may deliver one
        return _soup(r, r.randint(1, 200)) + "\ud800<a href='/s'>\udfff</a>"
    if kind == 6:
        ids = [r.choice(GRAMMAR_BREAKERS) for _ in range(r.randint(1, 20))]
        return "".join(f"<button node='{i.replace(chr(39), '')}'>{_text(r, 5)}</button>" for i in ids)
    return f"<base href='javascript:alert(1)'><template><button>t</button></template>{_soup(r, 100)}" \
           f"<svg><foreignObject><button>in svg</button></foreignObject></svg><math><mi>x</mi></math>"


#: The large shapes, for the scaling curves: size -> page.
SCALED: dict[str, Callable[[int], str | bytes]] = {
    "deep": lambda n: _deep(random.Random(n), n),
    "wide": lambda n: _wide(random.Random(n), n),
    "fat attribute": lambda n: _fat_attribute(random.Random(n), n),
    "soup": lambda n: _soup(random.Random(n), n),
}


def check(html: str | bytes, budget: int, objective: str = "click the button") -> dict[str, int]:
    """Prune `html` and build its grammars; raise AssertionError for any broken promise.

    A page may be refused only with a `PageError` (a clear error for the person); otherwise the
    budget holds, every candidate has a printed opening tag carrying its id, and both grammars
    build. Returns the page's counts.
    """
    from backend.dom import prune
    from backend.errors import PageError
    from backend.model.grammar import head_grammar, node_grammar
    from backend.model.tokens import default_counter

    try:
        pruned = prune(html, budget=budget, objective=objective, counter=default_counter())
    except PageError:
        return {"refused": 1, "candidates": 0, "tokens": 0}
    assert budget == 0 or pruned.tokens <= budget, (pruned.tokens, budget)
    assert len(set(pruned.candidates)) == len(pruned.candidates), "a candidate listed twice"
    for node in pruned.candidates:
        assert node.isdigit(), f"non-numeric id {node!r} offered to the model"
        tag = pruned.targets[node]
        assert f'node="{node}"' in tag and tag.startswith("<") and tag.endswith(">"), tag
    if pruned.candidates:
        assert "root ::=" in head_grammar(pruned.targets)
        assert "root ::=" in node_grammar(pruned.candidates)
    return {"refused": 0, "candidates": len(pruned.candidates), "tokens": pruned.tokens}
