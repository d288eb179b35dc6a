"""What the benchmark's parts share: the database it runs on, the app built on it, timing helpers."""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

# The generated SQLite sets, evidence files and wrk scripts: BENCH_DIR when set, else <tmp>/bench.
BENCH_DIR = os.environ.get("BENCH_DIR") or os.path.join(tempfile.gettempdir(), "bench")
RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AUDIT_KEY = "bench-audit-key-0123456789abcdef0123456789"  # 32+ characters, as production requires
# The benchmark's own throw-away keys and password, for a generated set that holds no real data.
SECRET_KEY = "bench-secret-key-0123456789abcdef0123456789"  # noqa: S105
PASSWORD = "Bench@2026"  # noqa: S105
# The lookup secrets of the generated dossiers: dossier `id` holds LOOKUP_SECRETS[id % len], so /track
# can be asked with the right pair (each a real scrypt hash, as the app keeps them).
LOOKUP_SECRETS = tuple(
    "".join(random.Random(i).choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(6)) for i in range(8)
)


def database_url(applications: int) -> str:
    """DATABASE_URL when set (PostgreSQL), else a SQLite file of this size under BENCH_DIR."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    os.makedirs(BENCH_DIR, exist_ok=True)
    return f"sqlite:///{BENCH_DIR}/bench-{applications}.db"


def database_kind(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def bench_app(url: str) -> Flask:
    """The app as it runs in production (scrypt, CSRF aside: the harness posts forms without tokens),
    on the benchmark's database; the per-client limits are lifted for a harness that logs in often."""
    from recognition import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET_KEY,
            "AUDIT_KEY": AUDIT_KEY,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": None,
            "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
            "EVIDENCE_DIR": os.path.join(BENCH_DIR, "evidence"),
            "LOGIN_ATTEMPTS_PER_MINUTE": 1_000_000,
            "REGISTRATIONS_PER_HOUR": 1_000_000,
        }
    )


def subprocess_env(url: str) -> dict[str, str]:
    """The environment of a `flask` or `gunicorn` child on the benchmark's database."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "AUDIT_KEY": AUDIT_KEY,
        "RECOGNITION_ENV": "production",
        "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
        "EVIDENCE_DIR": os.path.join(BENCH_DIR, "evidence"),
    }


@contextmanager
def counting_statements(engine: object) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs."""
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.95: p95) of a non-empty list."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(share * len(ordered) + 0.5)) - 1))
    return ordered[index]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 2),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 2),
        "max_ms": round(max(seconds) * 1000, 2),
    }


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started
