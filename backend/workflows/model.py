"""The workflow record: what the recorder saves, what training reads (one JSON object per line).

Serving and training share this model so a recorded workflow is valid training data by
construction. Key names are fixed because other tools read the files:

    workflow {"version", "id", "objective", "site", "family"?, "steps": [...]}
    step     {"url", "html", "action": {"kind": "click"|"type"|"key", "text"},
              "target": {"node", "selector"}, "description"}

`target.node` must be an id present as `node="…"` in that step's `html` (the page *before* the
action). The JSON Schema in `training/workflow.schema.json` is generated from these classes.
"""

from __future__ import annotations

import re
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backend.constants import ActionKind
from backend.format import Step

WORKFLOW_VERSION = 1


class Action(BaseModel):
    """What the person did; `text` is the typed text (type) or KeyboardEvent.key (key)."""

    model_config = ConfigDict(extra="forbid")

    kind: ActionKind
    text: Optional[str] = None

    @model_validator(mode="after")
    def _text_matches_kind(self) -> "Action":
        if self.kind is ActionKind.CLICK:
            self.text = None
        elif self.text is None:
            raise ValueError(f"a {self.kind.value} action needs text")
        return self


class Target(BaseModel):
    """Which element: the page's node id and, for replay on the live page, a CSS selector."""

    model_config = ConfigDict(extra="forbid")

    node: Optional[str] = None
    selector: Optional[str] = None

    @model_validator(mode="after")
    def _one_of(self) -> "Target":
        if self.node is None and not self.selector:
            raise ValueError("a target needs a node id or a selector")
        return self


class WorkflowStep(BaseModel):
    """One recorded action with the page snapshot taken just before it."""

    model_config = ConfigDict(extra="forbid")

    url: str
    html: str
    action: Action
    target: Target
    description: str = Field(min_length=1)

    @model_validator(mode="after")
    def _node_in_page(self) -> "WorkflowStep":
        node = self.target.node
        if node is not None and not re.search(rf"\bnode=[\"']?{re.escape(node)}[\"'\s>/]", self.html):
            raise ValueError(f"target node {node!r} does not occur as node=\"{node}\" in the step's html")
        return self

    def as_step(self, opening_tag: Optional[str] = None) -> Step:
        """The same step in the prompt format's terms (for history and answers)."""
        return Step(
            description=self.description,
            action=self.action.kind,
            node=self.target.node,
            text=self.action.text,
            target=opening_tag,
        )


class Workflow(BaseModel):
    """A demonstrated task: an objective and the ordered steps that achieve it."""

    model_config = ConfigDict(extra="forbid")

    version: int = WORKFLOW_VERSION
    id: str = Field(min_length=1, max_length=200)
    objective: str = Field(min_length=1)
    site: str = ""
    family: Optional[str] = None
    steps: list[WorkflowStep] = Field(min_length=1)
