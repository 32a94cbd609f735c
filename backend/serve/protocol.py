"""Pydantic models of every message the extension may send (docs/protocol.md is the prose version).

Validation happens here once; route bodies and the WebSocket loop only ever see typed objects.
"""

from __future__ import annotations

from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from backend.constants import ActionKind


class HistoryEntry(BaseModel):
    """A previous step as the extension reports it (extra fields of a `step` frame are ignored)."""

    model_config = ConfigDict(extra="ignore")

    description: str = Field(max_length=2000)
    action: ActionKind = ActionKind.CLICK
    text: Optional[str] = Field(None, max_length=10_000)


class PageInput(BaseModel):
    """What a suggestion is made from: the task, where the user is, and the page."""

    model_config = ConfigDict(extra="forbid")

    objective: str = Field(min_length=1, max_length=2000)
    url: str = Field("", max_length=8192)
    html: str
    history: list[Union[HistoryEntry, Annotated[str, Field(max_length=2000)]]] = Field(default_factory=list, max_length=200)
    budget: Optional[int] = Field(None, ge=0, le=1_000_000)

    def history_items(self) -> list[Union[dict[str, object], str]]:
        """History in the form `backend.format` takes."""
        return [h if isinstance(h, str) else h.model_dump() for h in self.history]


class PruneInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    html: str
    budget: Optional[int] = Field(None, ge=0, le=1_000_000)
    objective: Optional[str] = Field(None, max_length=2000)
    history: list[Union[HistoryEntry, str]] = Field(default_factory=list, max_length=200)


class SelectModel(BaseModel):
    """`POST /v1/models/select`: serve the choice with this id (one of `GET /v1/models`)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=600)


class Hello(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["hello"]
    token: str = Field(max_length=512)


class Observe(PageInput):
    type: Literal["observe"]
    session: str = Field(min_length=1, max_length=200)


class Cancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["cancel"]
    session: str = Field(min_length=1, max_length=200)


ClientMessage = Annotated[Union[Hello, Observe, Cancel], Field(discriminator="type")]
client_message = TypeAdapter(ClientMessage)
