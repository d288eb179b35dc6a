"""Reading query parameters that views turn into numbers, without trusting them."""
from __future__ import annotations

from flask import request

MAX_INT = 2**31 - 1  # the database's integer columns


def int_arg(name: str) -> int | None:
    """A non-negative integer parameter within the database's range, else None (ignored)."""
    value = request.args.get(name, "")
    if not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if number <= MAX_INT else None
