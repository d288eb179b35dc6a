"""Reading what arrives as text (query parameters, ids, a list's filters), without trusting it.

`str.isdigit()` is true for '²' and for other scripts' digits, which `int()` then refuses or reads:
only ASCII digits count here, so odd input is ignored instead of answering 500."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Self, TypeVar

from flask import render_template, request
from flask_sqlalchemy.pagination import Pagination
from wtforms import Field
from wtforms.widgets import HiddenInput

from recognition.validators import parse_amount

MAX_INT = 2**31 - 1  # the database's integer columns
ASCII_INT = re.compile(r"[0-9]{1,10}")
MAX_AMOUNT_DIGITS = 17  # above any plausible figure (MAX_VND is 10**16)
SEARCH_MAX_LENGTH = 100  # a list's search box: what is typed beyond this is not searched


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
    """A whole amount as people type it, read as the money fields read it (validators.parse_amount:
    "150.000.000.000", "1,234.50", fullwidth digits folded by NFKC); 0 when it cannot be read."""
    try:
        return min(parse_amount(request.args.get(name, "")[:40]), 10**MAX_AMOUNT_DIGITS - 1)
    except ValueError:
        return 0


def optional_text(value: str) -> str | None:
    """A text query parameter, None when empty (a filter left at "all")."""
    return value or None


def yes_no(value: str) -> bool | None:
    """`yes` or `no`, else None (a filter left at "all")."""
    return {"yes": True, "no": False}.get(value)


def query_arg(name: str, parse: Callable[[str], Any] = optional_text) -> Any:
    """A field of a `ListFilters`: read from the query parameter `name` by `parse`, None when absent."""
    return field(default=None, metadata={"query_arg": name, "parse": parse})


@dataclass(frozen=True)
class ListFilters:
    """What a list page's query string asks for: `?q=` the search, cut at SEARCH_MAX_LENGTH, and each
    field declared with `query_arg` its own parameter. Odd input filters nothing instead of failing."""

    search: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Self:
        filters = {
            f.name: f.metadata["parse"](args.get(f.metadata["query_arg"], ""))
            for f in fields(cls)
            if "query_arg" in f.metadata
        }
        return cls(search=args.get("q", "")[:SEARCH_MAX_LENGTH], **filters)


FiltersT = TypeVar("FiltersT", bound=ListFilters)


def render_list(
    template: str, filters: FiltersT, page_of: Callable[[FiltersT, int], Pagination], **context: Any
) -> str:
    """A list page: the page of rows `page_of` finds for the `filters` that `?page=` asks for (the
    first unless a valid number), the filters to show again, and the page's own `context`."""
    return render_template(template, page=page_of(filters, int_arg("page") or 1), filters=filters, **context)


class IdField(Field):
    """An id a form posts (a hidden input, a select's value), read as `parse_id` reads it: `data` is
    the integer, or None when nothing was sent; anything but ASCII digits within the database's range
    fails validation with `invalid_message` ("Not a valid integer value." unless told). A form's
    validators say whether it is required."""

    widget = HiddenInput()
    data: int | None

    def __init__(
        self,
        label: str | None = None,
        validators: list[Any] | None = None,
        invalid_message: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist or valuelist[0] in ("", None):
            return
        self.data = parse_id(str(valuelist[0]))
        if self.data is None:
            raise ValueError(self.invalid_message or self.gettext("Not a valid integer value."))
