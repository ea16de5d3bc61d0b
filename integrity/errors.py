"""The integrity app's refusal: the same shape as the other apps' domain errors (a message and
DRF-shaped field errors), defined here because integrity imports no other app."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """An integrity service refused the action; ``detail`` is shaped like DRF field errors."""

    def __init__(self, message: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail if detail is not None else {"non_field_errors": [message]}
