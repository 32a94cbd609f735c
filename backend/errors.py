"""The few domain errors; translated to exit codes (CLI) or error frames (server) only at the edges."""

from __future__ import annotations

from backend.constants import ErrorCode


class ScribeAgentError(Exception):
    """Base: a problem the user can fix, with a message that says how."""

    code: ErrorCode = ErrorCode.BAD_MESSAGE


class ModelFileError(ScribeAgentError):
    """A model or adapter file is missing, unreadable or not a usable GGUF."""

    code = ErrorCode.MODEL_ERROR


class PageError(ScribeAgentError):
    """The page cannot be used: unparseable HTML or nothing to act on."""

    def __init__(self, message: str, code: ErrorCode = ErrorCode.BAD_PAGE) -> None:
        super().__init__(message)
        self.code = code


class DataError(ScribeAgentError):
    """A dataset or workflow file is unusable as a whole (single bad rows are reported and skipped)."""
