"""The JSON Schema of the workflow JSONL record, generated from `backend.workflows.model`.

Other tools read our workflow files without Python; they get `training/workflow.schema.json`. It is
generated, never edited by hand, and a test checks the committed file equals a fresh generation, so
the schema can not drift from the pydantic models that actually validate rows.

Regenerate with `python -m training.schema`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backend.workflows.model import WORKFLOW_VERSION, Workflow

SCHEMA_PATH = Path(__file__).with_name("workflow.schema.json")


def workflow_schema() -> dict[str, Any]:
    """The schema of one JSONL row, with an id and title that name the format version."""
    schema = Workflow.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://scribeagent.local/workflow.v{WORKFLOW_VERSION}.schema.json",
        "title": f"ScribeAgent workflow (one JSON Lines row, version {WORKFLOW_VERSION})",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def render_schema() -> str:
    """The exact text of the committed file (stable key order, trailing newline)."""
    return json.dumps(workflow_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    SCHEMA_PATH.write_text(render_schema(), encoding="utf-8")
    print(SCHEMA_PATH)


if __name__ == "__main__":
    main()
