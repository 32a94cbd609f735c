"""The pruning rules as tables: one row per case, each with a comment saying whom it serves.

Logic in `clean.py`/`budget.py` only reads these tables, so changing what survives pruning is a
one-line edit here, and the tests can check a rule without knowing how the passes are written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from enum import Enum
from typing import NamedTuple

Attrs = Mapping[str, str]


class TagRule(NamedTuple):
    """When an element of one tag is interactive, read from at most one attribute.

    `attr` None: always. Otherwise `absent` is the verdict without that attribute and `accepts`
    judges its value (None: any value). As data rather than a function so that the scan decides
    from the attribute names it already holds and reads a value only when one matters.
    """

    attr: str | None = None
    absent: bool = False
    accepts: Callable[[str], bool] | None = None

    def allows(self, names: Collection[str], value: Callable[[str], str | None]) -> bool:
        """The verdict for an element of this tag with attribute `names`; `value` reads one
        (only when the verdict depends on it: a lookup by name costs lxml as much as listing
        all the names)."""
        if self.attr is None:
            return True
        if self.attr not in names:
            return self.absent
        return self.accepts is None or self.accepts(value(self.attr) or "")


#: Tag -> when an element of that tag is something a person can act on. A visible element that
#: matches is a candidate and survives every pruning rule (only the budget may leave it out).
INTERACTIVE_TAGS: dict[str, TagRule] = {
    "a": TagRule("href"),  # links; an <a> without href is just text
    "area": TagRule("href"),  # image-map regions on older sites
    "button": TagRule(),  # buttons, including type=submit/reset
    "input": TagRule("type", absent=True, accepts=lambda v: v.strip().lower() != "hidden"),  # text boxes…
    "select": TagRule(),  # drop-downs (their options stay inside as text)
    "textarea": TagRule(),  # multi-line text boxes
    "summary": TagRule(),  # the clickable head of <details>
    "label": TagRule("for"),  # clicking a label focuses/toggles its control
    "video": TagRule("controls"),  # native player controls
    "audio": TagRule("controls"),  # native player controls
}

#: ARIA roles that make any element a widget (custom controls built from divs and spans).
INTERACTIVE_ROLES: frozenset[str] = frozenset(
    {
        "button",
        "link",
        "checkbox",
        "radio",
        "tab",
        "menuitem",
        "menuitemcheckbox",
        "menuitemradio",
        "option",
        "switch",
        "textbox",
        "combobox",
        "searchbox",
        "slider",
        "spinbutton",
    }
)

#: Attribute -> when its presence makes any element interactive, whatever the tag.
INTERACTIVE_ATTRS: dict[str, Callable[[str], bool]] = {
    "onclick": lambda v: True,  # sites that wire clicks inline on divs/spans
    "contenteditable": lambda v: v.strip().lower() != "false",  # rich-text editors
    "sa-click": lambda v: True,  # the extension's serializer: clickable by cursor, handler or tab order
}

#: Attributes kept on interactive elements as an empty marker, so the model can see why a plain
#: <div> is a candidate (the handler's code is noise and is dropped).
MARKER_ATTRS: frozenset[str] = frozenset({"onclick", "contenteditable", "sa-click"})


#: Attribute names without which an element of a tag not in INTERACTIVE_TAGS cannot be
#: interactive: lets the scan skip the full test for most elements with one set operation.
INTERACTIVE_KEYS: frozenset[str] = frozenset(INTERACTIVE_ATTRS) | {"role"}


def is_interactive(tag: str, attrs: Attrs) -> bool:
    """True when the element is something to click or type into (see the tables above)."""
    rule = INTERACTIVE_TAGS.get(tag)
    if rule is not None and rule.allows(attrs, attrs.get):
        return True
    role = attrs.get("role")
    if role and role.strip().lower() in INTERACTIVE_ROLES:
        return True
    for name, test in INTERACTIVE_ATTRS.items():
        value = attrs.get(name)
        if value is not None and test(value):
            return True
    return False


#: Elements removed with everything inside (their tails, i.e. the text after them, stay).
DROP_TAGS: dict[str, str] = {
    "script": "code, never shown",
    "style": "CSS, never shown",
    "noscript": "shown only without JavaScript; the extension's pages run with it",
    "template": "inert markup, never rendered",
    "head": "metadata; the URL line of the prompt already names the page",
    "meta": "metadata (also found misplaced in <body>)",
    "link": "stylesheet/preload references",
    "base": "URL resolution hint",
    "iframe": "its document is not in this page; an empty frame is not actionable here",
    "object": "plug-in content",
    "embed": "plug-in content",
    "param": "plug-in parameters",
    "source": "media sources; the <video>/<audio>/<picture> itself stays",
    "track": "media captions",
    "canvas": "pixels, no text to read",
}

_HIDING_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b", re.IGNORECASE)

#: Attribute -> when its value says the element is present but not shown. Such elements are
#: dropped with their subtree, so a hidden decoy can never become a candidate. (Checked in Python
#: during the scan: per element that is cheaper than a libxml2 XPath over the whole tree.)
HIDDEN_ATTRS: dict[str, Callable[[str, str], bool]] = {
    "hidden": lambda tag, v: True,  # the HTML hidden attribute
    "type": lambda tag, v: tag == "input" and v.strip().lower() == "hidden",  # form state, not UI
    "aria-hidden": lambda tag, v: v.strip().lower() == "true",  # decorative or offscreen
    "sa-visible": lambda tag, v: v.strip() == "0",  # the extension's serializer: computed style
    "style": lambda tag, v: bool(_HIDING_STYLE.search(v)),  # inline CSS, the hand-written case
}
HIDDEN_KEYS = frozenset(HIDDEN_ATTRS)
#: Never hidden by the rules above: anti-flicker snippets hide the whole page until a script runs.
NEVER_HIDDEN_TAGS = frozenset({"html", "body"})


class Treatment(Enum):
    """What the cleaning pass does with a non-interactive element of a given tag."""

    UNWRAP = "unwrap"  # replace by its content whenever it has no strong attribute
    UNWRAP_SINGLE = "unwrap_single"  # … only when it wraps a single element or only text
    KEEP = "keep"  # keep (dropped only when empty)


#: Tag -> treatment. Tags not listed are KEEP: headings, lists, tables, forms, landmarks carry
#: structure the model uses to tell "the search form's button" from "the footer's button".
TAG_TREATMENT: dict[str, Treatment] = {
    # Inline formatting: styling only, its text reads the same inside the parent.
    "b": Treatment.UNWRAP,
    "i": Treatment.UNWRAP,
    "u": Treatment.UNWRAP,
    "s": Treatment.UNWRAP,
    "em": Treatment.UNWRAP,
    "strong": Treatment.UNWRAP,
    "small": Treatment.UNWRAP,
    "big": Treatment.UNWRAP,
    "font": Treatment.UNWRAP,
    "center": Treatment.UNWRAP,
    "tt": Treatment.UNWRAP,
    "sup": Treatment.UNWRAP,
    "sub": Treatment.UNWRAP,
    "mark": Treatment.UNWRAP,
    "abbr": Treatment.UNWRAP,
    "cite": Treatment.UNWRAP,
    "time": Treatment.UNWRAP,
    "wbr": Treatment.UNWRAP,
    "picture": Treatment.UNWRAP,  # its <img> carries the alt text
    "html": Treatment.UNWRAP,  # document wrappers: the output is the body's content
    "body": Treatment.UNWRAP,
    # Layout boxes: pure nesting noise when they wrap one thing.
    "div": Treatment.UNWRAP_SINGLE,
    "span": Treatment.UNWRAP_SINGLE,
    "section": Treatment.UNWRAP_SINGLE,
    "article": Treatment.UNWRAP_SINGLE,
    "figure": Treatment.UNWRAP_SINGLE,
}

#: Tags whose removal or unwrapping cannot glue the words around them together; any other tag
#: (block boxes, <br>, <img>) is replaced by a space so "a<br>b" reads "a b", not "ab".
INLINE_TAGS: frozenset[str] = frozenset(
    {"span", "b", "i", "u", "s", "em", "strong", "small", "big", "font", "tt", "sup", "sub",
     "mark", "abbr", "cite", "time", "wbr", "a", "label", "code", "q", "var", "kbd", "samp"}
)

#: Attributes that make an element worth keeping as an element even when it wraps a single child
#: (they name or describe it). id/class/node alone never do.
STRONG_ATTRS: frozenset[str] = frozenset(
    {"role", "aria-label", "title", "alt", "name", "placeholder", "type", "value", "href", "for"}
)

#: Attributes the model reads. Everything else (style, data-*, handlers, tracking) is removed.
SALIENT_ATTRS: frozenset[str] = STRONG_ATTRS | frozenset(
    {
        "node",  # the id the answer points at
        "id",  # kept only while it reads like words (see WORDLIKE)
        "class",  # idem, word-like tokens only
        "checked",  # form state written by the extension's serializer
        "selected",  # idem
        "disabled",  # a disabled control is not the next step
        "aria-expanded",  # menus and accordions: open or not
        "aria-checked",  # custom checkboxes/switches
        "aria-selected",  # tabs and options
    }
)

#: Attributes whose value is free text shown to people: whitespace collapsed and cut to length.
TEXT_ATTRS: frozenset[str] = frozenset({"aria-label", "title", "alt", "placeholder", "value"})

#: Attributes whose value is a URL: shortened by `shorten_url` instead of cut blindly.
URL_ATTRS: frozenset[str] = frozenset({"href"})

#: Longest kept value of a free-text attribute, in characters (names rarely need more).
MAX_TEXT_ATTR = 80
#: Longest kept id/name, and most class tokens kept.
MAX_WORD_ATTR = 40
MAX_CLASS_TOKENS = 3

#: A token that "reads like words": letters only, in dash/underscore/camel-case parts of 2+ letters —
#: keeps `search-box`, `navMenu`, `btn-primary`; drops `css-1x9f2k`, `md:flex`, `kGhXzY`.
WORDLIKE = re.compile(r"^(?:[A-Za-z][a-z]{1,15}|[A-Z]{2,6})(?:[-_]?(?:[A-Za-z][a-z]{1,15}|[A-Z]{2,6})){0,4}$")
_WORD_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_CONSONANT_RUN = re.compile(r"[^aeiouyAEIOUY\W\d_]{5,}")

#: A value that is an opaque blob (hash, token, base64): long, no spaces, letters mixed with digits.
NOISY_VALUE = re.compile(r"^(?=[^\s]{16,}$)(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9+/=_\-.:%]+$")

#: Query parameters that only track the visitor: always removed from URLs.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_[ce]id|_ga|_gl|yclid|igshid|ref_?src|ref_url|"
    r"spm|scid|cmpid|icid|ncid|ocid|sr_share|smid|trk\w*)$",
    re.IGNORECASE,
)
#: URL shortening limits: whole URL as printed, and the longest query string kept.
MAX_URL = 80
MAX_URL_QUERY = 40


def wordlike(token: str) -> bool:
    """True for id/class tokens that a person would read as words (see WORDLIKE)."""
    if len(token) > MAX_WORD_ATTR or not WORDLIKE.match(token):
        return False
    parts = _WORD_PART.findall(token)
    # Generated names (styled-components `sc-bdVaJa`) are runs of 2-letter parts; words are longer.
    if sum(map(len, parts)) < 3 * len(parts):
        return False
    return not _CONSONANT_RUN.search(token)


#: Tags whose subtree is kept as text only when the budget collapses static content: headings
#: orient the model ("Checkout", "Sign in") at a few tokens each, so they are the last to go.
HEADING_TAGS: frozenset[str] = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "legend", "caption"})
