"""Turn other people's workflow layouts into our workflow records.

Three sources, one output (`backend.workflows.model.Workflow`):

- our recorder's export (`scribeagent workflows export`), already in our layout: validated only;
- Mind2Web's released JSON (`confirmed_task`, `actions[].cleaned_html|raw_html`,
  `operation{op,value}`, `pos_candidates[].backend_node_id`): the page's `backend_node_id`
  attributes become our `node` ids, so the gold candidate is the target node;
- ScribeAgent's CSV (`workflow_id, Objective, action_kind, action_description, url, cssselector,
  dom`, one row per step, rows of a workflow consecutive): the CSS selector is resolved on the
  snapshot to a node id (ids are assigned in document order when the snapshot has none).

Like the readers, importers report a bad task or row as `where: reason` and go on.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from lxml import etree, html as lhtml
from lxml.cssselect import SelectorError
from pydantic import ValidationError

from backend.constants import ACTION_BY_MODEL_NAME, ActionKind
from backend.errors import DataError
from backend.workflows.model import Workflow
from training.readers import ReadReport, read_workflows, validation_reason

FORMATS = ("recorder", "mind2web", "scribeagent-csv")

#: Mind2Web operation → our action kind. SELECT picks an <option> by its text; our extension
#: performs it by "typing" the option text into the <select>, so it becomes a `type` step.
MIND2WEB_OPS: dict[str, ActionKind] = {
    "CLICK": ActionKind.CLICK,
    "TYPE": ActionKind.TYPE,
    "SELECT": ActionKind.TYPE,
}

_REPR = re.compile(r"^\[(?P<tag>[^\]]*)\]\s*(?P<name>.*?)\s*->\s*(?P<op>[A-Z]+)(?::\s*(?P<value>.*))?$")
_QUOTED = re.compile(r"[\"'“‘](.+?)[\"'”’](?=\s|$|[.,;:!?)])")


def parse_html(text: str) -> etree._Element:
    """Parse a page snapshot; a snapshot lxml cannot read at all is a row-level problem."""
    if not text or not text.strip():
        raise ValueError("empty html")
    try:
        return lhtml.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ValueError(f"unparseable html ({exc})") from exc


def to_html(root: etree._Element) -> str:
    return lhtml.tostring(root, encoding="unicode")


def number_nodes(root: etree._Element) -> None:
    """Give every element a `node` id in document order, like the extension's serializer does."""
    for i, el in enumerate(root.iter(etree.Element), start=1):
        el.set("node", str(i))


# ---------------------------------------------------------------- recorder


def import_recorder(path: Path, report: ReadReport) -> Iterator[Workflow]:
    """Our own export is already the workflow layout; reading it validates every row."""
    yield from read_workflows(path, report)


# ---------------------------------------------------------------- Mind2Web


def _mind2web_html(action: dict[str, Any], source: str) -> str:
    html = action.get(f"{source}_html") or action.get("cleaned_html") or action.get("raw_html")
    if not html:
        raise ValueError("action has neither cleaned_html nor raw_html")
    root = parse_html(html)
    for el in root.iter(etree.Element):
        backend_id = el.attrib.pop("backend_node_id", None)
        el.attrib.pop("node", None)
        if backend_id is not None and backend_id.isdigit():
            el.set("node", backend_id)
    return to_html(root)


def _mind2web_description(kind: str, value: str, action_repr: str | None) -> str:
    """Mind2Web's `action_reprs` ("[button]  Search -> CLICK") as our imperative description."""
    m = _REPR.match(action_repr or "")
    name = (m.group("name") if m else "").strip() or "the element"
    if kind == "CLICK":
        return f"Click '{name}'"
    if kind == "SELECT":
        return f"Select '{value}' in '{name}'"
    return f"Type '{value}' into '{name}'"


def _mind2web_task(task: dict[str, Any], source: str) -> Workflow:
    steps = []
    reprs = task.get("action_reprs") or []
    site = str(task.get("website") or "")
    for i, action in enumerate(task.get("actions") or []):
        op = action.get("operation") or {}
        kind_name = str(op.get("op", "")).upper()
        kind = MIND2WEB_OPS.get(kind_name)
        if kind is None:
            raise ValueError(f"action {i}: unknown operation {op.get('op')!r}")
        html = _mind2web_html(action, source)
        ids = [str(c.get("backend_node_id")) for c in action.get("pos_candidates") or []]
        node = next((n for n in ids if re.search(rf'\bnode="{re.escape(n)}"', html)), None)
        if node is None:
            raise ValueError(f"action {i}: no positive candidate {ids} is in the {source} html")
        value = str(op.get("value") or "")
        steps.append(
            {
                "url": f"https://{site}/" if site else "https://mind2web.invalid/",
                "html": html,
                "action": {"kind": kind.value, "text": None if kind is ActionKind.CLICK else value},
                "target": {"node": node},
                "description": _mind2web_description(kind_name, value, reprs[i] if i < len(reprs) else None),
            }
        )
    return Workflow.model_validate(
        {
            "id": str(task.get("annotation_id") or ""),
            "objective": str(task.get("confirmed_task") or ""),
            "site": site,
            "steps": steps,
        }
    )


def import_mind2web(path: Path, report: ReadReport, source: str = "cleaned") -> Iterator[Workflow]:
    """Tasks of one Mind2Web JSON file (a list of tasks) or of every `*.json` in a directory."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    for f in files:
        try:
            tasks = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(f"cannot read Mind2Web file {f}: {exc}") from exc
        if not isinstance(tasks, list):
            raise DataError(f"{f}: a Mind2Web file is a JSON list of tasks")
        for i, task in enumerate(tasks):
            report.rows += 1
            where = f"{f}:task {i}"
            try:
                yield _mind2web_task(task, source)
            except ValidationError as exc:
                report.add(where, validation_reason(exc))
            except (ValueError, AttributeError, TypeError) as exc:
                report.add(where, str(exc))


# ---------------------------------------------------------------- ScribeAgent CSV

CSV_COLUMNS = ("workflow_id", "Objective", "action_kind", "action_description", "url", "cssselector", "dom")


def _csv_kind(value: str) -> ActionKind:
    value = value.strip()
    if value in ACTION_BY_MODEL_NAME:
        return ACTION_BY_MODEL_NAME[value]
    try:
        return ActionKind(value.lower())
    except ValueError:
        raise ValueError(f"unknown action_kind {value!r}") from None


def _csv_text(kind: ActionKind, description: str) -> str | None:
    """The CSV has no text column: typed text / key name is the first quoted string of the description."""
    if kind is ActionKind.CLICK:
        return None
    m = _QUOTED.search(description)
    if not m:
        raise ValueError(f"a {kind.value} step needs the text quoted in its description: {description!r}")
    return m.group(1)


def _csv_step(row: dict[str, str]) -> dict[str, Any]:
    kind = _csv_kind(row["action_kind"])
    root = parse_html(row["dom"])
    if not any(el.get("node") for el in root.iter(etree.Element)):
        number_nodes(root)
    selector = row["cssselector"].strip()
    try:
        matches = root.cssselect(selector)
    except SelectorError as exc:
        raise ValueError(f"bad css selector {selector!r} ({exc})") from exc
    if not matches:
        raise ValueError(f"css selector {selector!r} matches nothing in the dom")
    node = matches[0].get("node")
    if not node:
        raise ValueError(f"css selector {selector!r} matches an element without a node id")
    return {
        "url": row["url"],
        "html": to_html(root),
        "action": {"kind": kind.value, "text": _csv_text(kind, row["action_description"])},
        "target": {"node": node, "selector": selector},
        "description": row["action_description"],
    }


def import_scribeagent_csv(path: Path, report: ReadReport) -> Iterator[Workflow]:
    """Workflows of a ScribeAgent CSV; a bad row drops its workflow (history would have a hole)."""
    csv.field_size_limit(sys.maxsize)
    try:
        fh = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise DataError(f"cannot read CSV file {path}: {exc.strerror}") from exc
    with fh:
        reader = csv.DictReader(fh)
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path}: missing CSV columns {missing}")
        current: str | None = None
        rows: list[tuple[int, dict[str, str]]] = []
        for row in reader:
            if row["workflow_id"] != current and rows:
                yield from _csv_workflow(path, rows, report)
                rows = []
            current = row["workflow_id"]
            rows.append((reader.line_num, row))
        if rows:
            yield from _csv_workflow(path, rows, report)


def _csv_workflow(path: Path, rows: list[tuple[int, dict[str, str]]], report: ReadReport) -> Iterator[Workflow]:
    report.rows += 1
    steps = []
    for line, row in rows:
        try:
            steps.append(_csv_step(row))
        except ValueError as exc:
            report.add(f"{path}:{line}", str(exc))
            return
    first = rows[0][1]
    try:
        yield Workflow.model_validate(
            {
                "id": first["workflow_id"],
                "objective": first["Objective"],
                "site": urlparse(first["url"]).hostname or "",
                "steps": steps,
            }
        )
    except ValidationError as exc:
        report.add(f"{path}:{rows[0][0]}", validation_reason(exc))


def import_file(path: str | Path, fmt: str, report: ReadReport, *, html_source: str = "cleaned") -> Iterator[Workflow]:
    """Dispatch on the format name (`FORMATS`)."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"input not found: {p}")
    if fmt == "recorder":
        return import_recorder(p, report)
    if fmt == "mind2web":
        return import_mind2web(p, report, html_source)
    if fmt == "scribeagent-csv":
        return import_scribeagent_csv(p, report)
    raise DataError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
