"""Counting the SQL statements a piece of code issues (query-count tests, never timings)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from recognition.extensions import db


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def queries_to_get(client, url: str) -> int:
    """How many statements a GET of `url` issues (it must answer 200). A first GET goes before the
    counted one, so work done once (a first request, a cache filled) is not counted as the page's."""
    client.get(url)
    with counting_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)
