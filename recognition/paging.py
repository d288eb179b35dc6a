"""A page of rows cut from a longer list that is not a query (a ranking read in SQL, a frozen JSON
list): what the `pager` macro of templates/macros/lists.html reads, as Flask-SQLAlchemy's
`Pagination` gives it for queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from recognition.params import int_arg

T = TypeVar("T")

PER_PAGE = 50


def page_arg(name: str = "page") -> int:
    """The page a query parameter asks for: the first unless a valid number."""
    return max(int_arg(name) or 1, 1)


@dataclass(frozen=True)
class PageOf(Generic[T]):
    """`items`, the rows of page `page` (from 1) of a list of `total` rows, `per_page` a page."""

    items: Sequence[T]
    page: int
    total: int
    per_page: int = PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int:
        return self.page + 1

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)


def offset_of(page: int, per_page: int = PER_PAGE) -> int:
    return (page - 1) * per_page


def slice_of(rows: Sequence[T], page: int, per_page: int = PER_PAGE) -> PageOf[T]:
    """Page `page` of a list already in memory (past the last page, the last one)."""
    last = max((len(rows) + per_page - 1) // per_page, 1)
    page = min(page, last)
    start = offset_of(page, per_page)
    return PageOf(rows[start : start + per_page], page, len(rows), per_page)
