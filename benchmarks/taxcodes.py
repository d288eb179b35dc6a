"""Valid, unique Hanoi tax codes for generated enterprises (the app refuses an invalid check digit)."""

from __future__ import annotations

from stdnum.vn import mst


def tax_code(n: int) -> str:
    """A valid Hanoi (01) tax code, unique per n: of the sequences 2n and 2n+1, the first whose check
    digit exists (as tests/conftest.py makes them)."""
    candidates = (f"01{sequence:07d}" for sequence in (2 * n, 2 * n + 1))
    first_nine = next(nine for nine in candidates if len(mst.calc_check_digit(nine)) == 1)
    return first_nine + mst.calc_check_digit(first_nine)
