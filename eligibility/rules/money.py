"""Money in yuan (SPEC §5): ``Decimal`` everywhere, exact until one final rounding.

Every amount the engine returns goes through :func:`quantize_yuan` (half-up to the fen) once;
:func:`ceil_yuan` is only for the 特困 basic standard, which SPEC §4 rounds up to the yuan.
"""

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
YUAN = Decimal(1)


def quantize_yuan(x: Decimal) -> Decimal:
    """Round half-up to 0.01 yuan: the one rounding of every final amount (SPEC §5)."""
    return x.quantize(FEN, ROUND_HALF_UP)  # positional: half the cost of rounding=…


def ceil_yuan(x: Decimal) -> Decimal:
    """Round up to the whole yuan, kept with 2 places: 1023.1 → 1024.00 (SPEC §4, 特困)."""
    return x.quantize(YUAN, rounding=ROUND_CEILING).quantize(FEN)


def ratio2(a: Decimal, b: Decimal) -> Decimal:
    """``a / b`` half-up to 2 places: urban : rural 787 / 588 → 1.34 (SPEC §4)."""
    return (a / b).quantize(FEN, rounding=ROUND_HALF_UP)
