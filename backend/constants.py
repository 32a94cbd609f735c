"""Facts shared by every part of ScribeAgent: action kinds, message types, error codes, key names.

Logic imports these names instead of repeating string literals, so that the extension protocol,
the prompt format, training data and the workflow store can never disagree about a spelling.
"""

from __future__ import annotations

from enum import Enum

#: Version of the prompt/answer format (`backend.format`). Bumped whenever a model trained on the
#: old layout would see something different; written into exported GGUF metadata.
FORMAT_VERSION = 1

#: Version of the WebSocket/HTTP protocol spoken with the extension (sent in `/health` and `ready`).
PROTOCOL_VERSION = 1


class ActionKind(str, Enum):
    """What a step does. The value is the protocol/workflow spelling."""

    CLICK = "click"
    TYPE = "type"
    KEY = "key"


#: How each action kind is spelled inside the model's answer (ScribeAgent's vocabulary).
MODEL_ACTION_NAMES: dict[ActionKind, str] = {
    ActionKind.CLICK: "mouse_click_action",
    ActionKind.TYPE: "keyboard_sequence_action",
    ActionKind.KEY: "keyboard_key_action",
}
ACTION_BY_MODEL_NAME: dict[str, ActionKind] = {v: k for k, v in MODEL_ACTION_NAMES.items()}

#: Keys a `key` step may press, as `KeyboardEvent.key` spells them (the extension dispatches these).
KEY_NAMES: tuple[str, ...] = (
    "Enter",
    "Tab",
    "Escape",
    "Backspace",
    "Delete",
    "ArrowUp",
    "ArrowDown",
    "ArrowLeft",
    "ArrowRight",
    "Home",
    "End",
    "PageUp",
    "PageDown",
    " ",
)


class MessageType(str, Enum):
    """`type` field of every WebSocket frame, both directions."""

    # client -> server
    HELLO = "hello"
    OBSERVE = "observe"
    CANCEL = "cancel"
    # server -> client
    READY = "ready"
    TOKEN = "token"
    RESTART = "restart"  # the tokens streamed so far are withdrawn; the answer streams again
    PROGRESS = "progress"  # prompt tokens prefilled so far: {done, total}
    STEP = "step"
    ERROR = "error"
    CANCELLED = "cancelled"


class ErrorCode(str, Enum):
    """`code` of an error frame / HTTP error body. Stable: the extension maps them to messages."""

    BAD_MESSAGE = "bad_message"  # not JSON, or fails validation
    TOO_LARGE = "too_large"  # message over the configured cap
    UNAUTHORIZED = "unauthorized"  # missing or wrong token
    FORBIDDEN_ORIGIN = "forbidden_origin"  # Origin not one of the allowed extension origins
    BAD_HOST = "bad_host"  # Host header is not loopback (DNS rebinding)
    NOT_READY = "not_ready"  # model still loading
    BUSY = "busy"  # too many sessions already wait for the model
    NO_CANDIDATES = "no_candidates"  # the page has no interactive element to point at
    BAD_PAGE = "bad_page"  # HTML could not be parsed at all
    TOO_LONG = "too_long"  # the prompt (page + history) does not fit the model's context
    MODEL_ERROR = "model_error"  # the model file is unusable, or the engine failed while generating
    GRAMMAR_ERROR = "grammar_error"  # llama.cpp refused the answer grammar or it allowed no token
    BAD_ANSWER = "bad_answer"  # the model's answer did not parse (should not happen under grammar)
    NOT_FOUND = "not_found"  # no such workflow
    CONFLICT = "conflict"  # a different workflow with that id already exists
    STORE_ERROR = "store_error"  # the workflow store could not be written or read


#: GGUF metadata keys that `scribeagent export` writes and `/health` reads, so the server can say
#: which base, adapter and data a served model came from.
GGUF_KEY_FORMAT_VERSION = "scribeagent.format_version"
GGUF_KEY_BASE_MODEL = "scribeagent.base_model"
GGUF_KEY_ADAPTER = "scribeagent.adapter"
GGUF_KEY_TRAINING_DATA = "scribeagent.training_data"

#: File `scribeagent train` leaves beside the adapter; `scribeagent export` copies its
#: `training_data` summary into the GGUF metadata (GGUF_KEY_TRAINING_DATA).
TRAINING_SUMMARY_FILE = "training_summary.json"
