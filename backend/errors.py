"""The few domain errors; translated to exit codes (CLI) or error frames (server) only at the edges.

Each error carries an `ErrorCode`; `HTTP_STATUS` is the one table from code to HTTP status, so the
HTTP routes, the guard middleware and the WebSocket error frames cannot disagree.
"""

from __future__ import annotations

from backend.constants import ErrorCode

HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.BAD_MESSAGE: 422, ErrorCode.TOO_LARGE: 413, ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.FORBIDDEN_ORIGIN: 403, ErrorCode.BAD_HOST: 421, ErrorCode.NOT_READY: 503, ErrorCode.BUSY: 429,
    ErrorCode.NO_CANDIDATES: 422, ErrorCode.BAD_PAGE: 422, ErrorCode.TOO_LONG: 413,
    ErrorCode.MODEL_ERROR: 500, ErrorCode.GRAMMAR_ERROR: 500, ErrorCode.BAD_ANSWER: 502,
    ErrorCode.NOT_FOUND: 404, ErrorCode.CONFLICT: 409, ErrorCode.STORE_ERROR: 500,
}


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


class ContextOverflow(ScribeAgentError):
    """The prompt and the answer's tokens do not fit the model's context (lower the page budget)."""

    code = ErrorCode.TOO_LONG


class GrammarError(ScribeAgentError):
    """llama.cpp refused the answer grammar, or the grammar left no token to choose."""

    code = ErrorCode.GRAMMAR_ERROR
