"""Reductions decided in reviews (SPEC §6): pure arithmetic, ``Decimal``, one rounding."""

from decimal import Decimal

from .money import quantize_yuan


def member_share(amount: Decimal, household_size: int) -> Decimal:
    """One member's share of a household amount: the amount divided equally, half-up to the
    fen (a member who refuses suitable work the set number of times loses their share)."""
    if household_size < 1:
        raise ValueError("a household has at least one member")
    return quantize_yuan(amount / household_size)
