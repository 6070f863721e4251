"""xAPI error types: each carries the HTTP status the spec prescribes, so layers above only translate."""

from __future__ import annotations


class XapiError(Exception):
    """A request the LRS refuses; `message` is shown to the client developer."""

    status: int = 400

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class BadRequest(XapiError):
    status = 400


class Unauthorized(XapiError):
    status = 401


class Forbidden(XapiError):
    status = 403


class NotFound(XapiError):
    status = 404


class Conflict(XapiError):
    status = 409


class PreconditionFailed(XapiError):
    status = 412


class PayloadTooLarge(XapiError):
    status = 413


class UnsupportedMediaType(XapiError):
    status = 415


class PreconditionRequired(XapiError):
    status = 428
