"""Domain errors: raised by services, turned into 400 field errors (API) or form errors (pages)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused the action. ``detail`` is shaped like DRF field errors."""

    def __init__(self, message: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail if detail is not None else {"non_field_errors": [message]}


class HouseholdError(DomainError):
    pass
