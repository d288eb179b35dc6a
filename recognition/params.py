"""Reading numbers that arrive as text (query parameters, ids), without trusting them.

`str.isdigit()` is true for '²' and for other scripts' digits, which `int()` then refuses or reads:
only ASCII digits count here, so odd input is ignored instead of answering 500."""

from __future__ import annotations

import re
import unicodedata

from flask import request

MAX_INT = 2**31 - 1  # the database's integer columns
ASCII_INT = re.compile(r"[0-9]{1,10}")
MAX_AMOUNT_DIGITS = 17  # above any plausible figure (MAX_VND is 10**16)


def parse_id(value: str) -> int | None:
    """A non-negative integer of ASCII digits within the database's range, else None."""
    if not ASCII_INT.fullmatch(value or ""):
        return None
    number = int(value)
    return number if number <= MAX_INT else None


def int_arg(name: str) -> int | None:
    """A non-negative integer query parameter within the database's range, else None (ignored)."""
    return parse_id(request.args.get(name, ""))


def amount_arg(name: str) -> int:
    """A whole amount as people type it ("150.000.000.000", fullwidth digits folded by NFKC); the
    ASCII digits are read and every other character is skipped; 0 when there are none."""
    text = unicodedata.normalize("NFKC", request.args.get(name, ""))
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    return int(digits[:MAX_AMOUNT_DIGITS]) if digits else 0
