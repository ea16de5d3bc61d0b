"""Money in yuan: ``Decimal``, exact until one final rounding (half-up to the fen)."""

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
YUAN = Decimal("1")
ZERO = Decimal("0.00")


def quantize_yuan(x: Decimal) -> Decimal:
    """Round half-up to 0.01 yuan: the one rounding of every final amount (SPEC §5)."""
    return x.quantize(FEN, rounding=ROUND_HALF_UP)


def ceil_yuan(x: Decimal) -> Decimal:
    """Round up to a whole yuan, kept with 2 places (特困 basic standard, SPEC §4)."""
    return x.quantize(YUAN, rounding=ROUND_CEILING).quantize(FEN)


def ratio2(a: Decimal, b: Decimal) -> Decimal:
    """``a / b`` half-up to 2 places (the urban : rural ratio, SPEC §4)."""
    return (a / b).quantize(FEN, rounding=ROUND_HALF_UP)
