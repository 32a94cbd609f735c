"""How a step reads to a person: what kind of element its target is, by the words people use.

The panel renders a step from its action and target ("Click link 'Archive'", "Type 'jazz' into
field 'Search'") instead of quoting the model's description or raw HTML; the kind comes from the
opening tag the page printed (its role wins over its tag, as for assistive technology).
"""

from __future__ import annotations

import re

_TAG = re.compile(r"<\s*(?:[\w-]+:)?([\w-]+)")
_ATTR = re.compile(r"""\s([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")

_ROLES = {
    "button": "button", "link": "link", "checkbox": "checkbox", "switch": "switch", "radio": "radio button",
    "tab": "tab", "menuitem": "menu item", "menuitemcheckbox": "menu item", "menuitemradio": "menu item",
    "option": "option", "combobox": "list", "listbox": "list", "textbox": "field", "searchbox": "search field",
    "slider": "slider", "spinbutton": "number field", "treeitem": "item", "gridcell": "cell", "row": "row",
}
_INPUTS = {
    "checkbox": "checkbox", "radio": "radio button", "submit": "button", "button": "button", "reset": "button",
    "image": "button", "search": "search field", "range": "slider", "number": "number field", "date": "date field",
    "file": "file picker", "color": "color picker",
}
_TAGS = {"a": "link", "button": "button", "select": "list", "textarea": "field", "option": "option",
         "summary": "section", "label": "label", "img": "image", "li": "item", "td": "cell", "tr": "row"}


def target_kind(opening_tag: str) -> str:
    """'link', 'button', 'field', 'checkbox', … for an opening tag as the page printed it."""
    match = _TAG.match(opening_tag or "")
    if not match:
        return "element"
    tag = match.group(1).lower()
    attrs = {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in _ATTR.finditer(opening_tag)}
    role = (attrs.get("role") or "").split(" ")[0].lower()
    if role in _ROLES:
        return _ROLES[role]
    if tag == "input":
        return _INPUTS.get((attrs.get("type") or "text").lower(), "field")
    if attrs.get("contenteditable", "").lower() in ("", "true", "plaintext-only") and "contenteditable" in attrs:
        return "field"
    return _TAGS.get(tag, "element")
