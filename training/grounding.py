"""Single-step grounding workflows over real saved pages (`scribeagent data ground`).

Synthetic pages are tidy; real ones are not. For each saved page we prune it without a budget
(every visible interactive element survives, with its node id and accessible name) and turn a few
uniquely named elements into one-step tasks: a link becomes "Open the 'Sports' section", a button
"Click the 'Subscribe' button", a text box "Type 'jazz concerts' into 'Search'". A page that
carries its own `node` ids (serialized by the extension, see `training.render`) is kept whole as the
step's html, so `data build` prunes it exactly as the server would; a raw saved page is replaced by
its pruned form, which holds the ids the pruner gave it.

`split` keeps a fixed share of the pages out of training (by a hash of the file name, so the split
does not move when pages are added) for evaluation on real pages nobody trained on.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from backend.constants import ActionKind
from backend.errors import DataError, PageError
from backend.workflows.model import Workflow
from training.synth.values import draw

_TAG = re.compile(r"^<([a-zA-Z][\w-]*)")
_ATTR = re.compile(r'\b(type|role)="([^"]*)"')
_CANONICAL = re.compile(r'<link[^>]+rel="canonical"[^>]+href="(https?://[^"]+)"'
                        r'|<meta[^>]+property="og:url"[^>]+content="(https?://[^"]+)"', re.I)
_TEXT_INPUTS = {"", "text", "search", "email", "tel", "url"}

#: (kind, objective templates, description template) per element role.
PHRASES: dict[str, tuple[tuple[str, ...], str]] = {
    "link": (("Open the '{name}' section", "Go to '{name}'", "Follow the '{name}' link", "Show me '{name}'"), "Click '{name}'"),
    "button": (("Click the '{name}' button", "Press '{name}'", "Use the '{name}' button"), "Click '{name}'"),
    "check": (("Tick '{name}'", "Turn on '{name}'"), "Check '{name}'"),
    "type": (("Type '{text}' into '{name}'", "Enter '{text}' in the '{name}' field", "Fill '{name}' with '{text}'"),
             "Type '{text}' into '{name}'"),
}


def element_role(opening_tag: str) -> str | None:
    """What a person does with an element, from its opening tag; None for kinds we do not ground."""
    m = _TAG.match(opening_tag)
    if not m:
        return None
    tag = m.group(1).lower()
    attrs = {k: v.lower() for k, v in _ATTR.findall(opening_tag)}
    if tag == "a" or attrs.get("role") == "link":
        return "link"
    if tag == "button" or attrs.get("role") == "button" or (tag == "input" and attrs.get("type") in ("submit", "button")):
        return "button"
    if tag == "input" and attrs.get("type") in ("checkbox", "radio"):
        return "check"
    if tag == "textarea" or (tag == "input" and attrs.get("type", "") in _TEXT_INPUTS):
        return "type"
    return None


def _text_for(opening_tag: str, r: random.Random) -> str:
    """Something a person would type into this box (an email into an email field, …)."""
    attrs = {k: v.lower() for k, v in _ATTR.findall(opening_tag)}
    pool = {"email": "email", "tel": "phone"}.get(attrs.get("type", ""), "query")
    return draw(pool, r, {})


def _good_name(name: str) -> bool:
    return 2 <= len(name) <= 60 and any(c.isalpha() for c in name)


def page_url(html: str, fallback: str) -> str:
    m = _CANONICAL.search(html[:200_000])
    return (m.group(1) or m.group(2)) if m else fallback


#: One page in HELDOUT_EVERY goes to the held-out split.
HELDOUT_EVERY = 4
SPLITS = ("train", "heldout", "all")


def page_split(name: str) -> str:
    """"train" or "heldout" for a page file name; stable across machines and page sets."""
    return "heldout" if int(hashlib.sha256(name.encode()).hexdigest(), 16) % HELDOUT_EVERY == 0 else "train"


def page_workflows(path: Path, per_page: int, seed: int) -> list[Workflow]:
    """Up to `per_page` one-step workflows for one saved page (only uniquely named elements)."""
    from backend.dom import prune

    html = path.read_text(encoding="utf-8", errors="replace")
    try:
        page = prune(html, budget=0)
    except PageError:
        return []
    names = {n: " ".join(page.names.get(n, "").split()) for n in page.candidates}
    counts = Counter(names.values())
    eligible = [n for n in page.candidates
                if _good_name(names[n]) and counts[names[n]] == 1 and element_role(page.targets.get(n, ""))]
    r = random.Random(f"{seed}:{path.name}")
    url = page_url(html, f"https://{path.stem}.example/")
    own_ids = all(f'node="{n}"' in html for n in eligible)
    step_html = html if own_ids else page.html
    out = []
    for node in sorted(r.sample(eligible, min(per_page, len(eligible))), key=int):
        role = element_role(page.targets[node])
        assert role is not None
        templates, description = PHRASES[role]
        text = _text_for(page.targets[node], r) if role == "type" else None
        fill = {"name": names[node], "text": text}
        kind = {"type": ActionKind.TYPE}.get(role, ActionKind.CLICK)
        out.append(Workflow.model_validate({
            "id": f"ground-{path.stem}-{node}",
            "objective": r.choice(templates).format(**fill),
            "site": url.split("/")[2],
            "family": "grounding",
            "steps": [{"url": url, "html": step_html, "description": description.format(**fill),
                       "action": {"kind": kind.value, "text": text}, "target": {"node": node}}],
        }))
    return out


def grounding_workflows(pages_dir: str | Path, *, per_page: int = 8, seed: int = 0,
                        split: str = "all") -> Iterator[Workflow]:
    """Grounding workflows for the `*.html` pages of a directory in `split`, in name order."""
    if split not in SPLITS:
        raise DataError(f"split must be one of {SPLITS}, got {split!r}")
    files = [f for f in sorted(Path(pages_dir).glob("*.html")) if split == "all" or page_split(f.name) == split]
    if not files:
        raise DataError(f"no .html pages in {pages_dir} (split {split})")
    for f in files:
        yield from page_workflows(f, per_page, seed)
