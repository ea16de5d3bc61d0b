"""The rules engine (SPEC §5): pure Python, no Django, no I/O, money in ``Decimal``."""

from .engine import (
    assess,
    asset_test,
    care_level,
    counted_income,
    no_work_capacity,
    supporters_of,
)
from .money import ceil_yuan, quantize_yuan, ratio2
from .types import (
    Assessment,
    Assets,
    Hardship,
    Household,
    Member,
    Parameters,
    Result,
    RigidExpenditure,
    Supporter,
)

__all__ = [
    "Assessment",
    "Assets",
    "Hardship",
    "Household",
    "Member",
    "Parameters",
    "Result",
    "RigidExpenditure",
    "Supporter",
    "asset_test",
    "assess",
    "care_level",
    "ceil_yuan",
    "counted_income",
    "no_work_capacity",
    "quantize_yuan",
    "ratio2",
    "supporters_of",
]
