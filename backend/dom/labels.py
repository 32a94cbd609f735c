"""The names that other elements give a candidate: `aria-labelledby` and HTML's `<label>`.

A checkbox, a radio button or a text field has no text of its own: on screen it is named by the
label beside it. Without that name, binding (`backend.binding`) cannot tie "Click 'Pepperoni'" or
"Type 'ada' into 'Username'" to the control, and the model has to guess among identical
`<input type="checkbox">` tags. The association follows the accessible-name computation: the
elements `aria-labelledby` points at, then `<label for=id>`, then the `<label>` around the
control. Real pages often write the label as a sibling with no `for` (`<label>Username</label>
<input>`); such an orphan label names the first control that follows it inside the same parent,
as a person reading the form would.

The labels are read before any pruning pass cuts or removes them, on the tree as it was parsed.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from backend.dom.clean import visible_text

#: Controls a `<label>` can name (HTML's "labelable elements" that take input).
LABELABLE = frozenset({"input", "select", "textarea", "meter", "progress", "output"})
#: Input types named by their own value or alt, never by a label.
_SELF_NAMED = frozenset({"submit", "reset", "button", "image", "hidden"})


def _labelable(el: etree._Element) -> bool:
    return el.tag in LABELABLE and (el.get("type") or "").lower() not in _SELF_NAMED


def control_labels(root: etree._Element, candidates: Iterable[etree._Element]) -> dict[etree._Element, str]:
    """Candidate -> the text of the elements that label it, for candidates that have some."""
    wanted = [el for el in candidates if el.get("aria-labelledby") or _labelable(el)]
    if not wanted:
        return {}
    by_id: dict[str, etree._Element] = {}
    labels: list[etree._Element] = []
    for el in root.iter(etree.Element):
        ident = el.get("id")
        if ident and ident not in by_id:
            by_id[ident] = el
        if el.tag == "label":
            labels.append(el)
    names: dict[etree._Element, str] = {}
    for el in wanted:
        ids = (el.get("aria-labelledby") or "").split()
        text = " ".join(t for t in (visible_text(by_id[i]) for i in ids if i in by_id) if t)
        if text:
            names[el] = text
    controls = {el for el in wanted if _labelable(el)}
    for label in labels:
        control = _labelled(label, by_id)
        if control in controls and control not in names:
            text = visible_text(label)
            if text:
                names[control] = text
    return names


def _labelled(label: etree._Element, by_id: dict[str, etree._Element]) -> etree._Element | None:
    """The control `label` names: its `for` target, the control inside it, or (an orphan label)
    the first control after it among its following siblings and their descendants."""
    target = label.get("for")
    if target:
        return by_id.get(target)
    inside = next((el for el in label.iterdescendants(etree.Element) if el.tag in LABELABLE), None)
    if inside is not None:
        return inside
    for sibling in label.itersiblings():
        if not isinstance(sibling.tag, str):
            continue
        if sibling.tag == "label":
            return None  # the next label is nearer to what follows
        if sibling.tag in LABELABLE:
            return sibling
        found = next((el for el in sibling.iter(etree.Element) if el.tag in LABELABLE), None)
        if found is not None:
            return found
        if next(sibling.iter("label"), None) is not None:
            return None
    return None
