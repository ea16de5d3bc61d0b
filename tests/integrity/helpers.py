"""Cases driven by the real services to the stage a test needs (the roles table's builder)."""

from __future__ import annotations


def case_at(stage: str, accounts) -> dict:
    from tests.applicants.test_roles_table import build

    return build(stage, accounts)
