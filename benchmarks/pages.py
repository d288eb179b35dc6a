"""In-process page latencies: each page a person uses, through the Flask test client logged in as the
right user, with its SQL statements counted; and the same question asked in one hand-written SQL
statement, timed the same way, for each page's ratio to it."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import text

from benchmarks.common import LOOKUP_SECRETS, PASSWORD, counting_statements, summary_ms

WORDS = ("co khi", "may bien ap", "det may", "sua", "gach", "linh kien", "nhua", "dong anh", "thep", "bao bi")
SUPPLIER_WORDS = ("linh kien", "iso", "khuon mau", "iatf", "co khi", "bao bi", "lop xe", "day cap")


@dataclass
class Page:
    """A page to time: the user it is asked as, the requests (method, path, form), its baseline SQL."""

    name: str
    role_email: Callable[[random.Random], str] | None
    request: Callable[[random.Random], tuple[str, str, dict | None]]
    baseline: str
    baseline_params: Callable[[random.Random], dict]


def _samples(app: Flask) -> dict[str, Any]:
    """Ids, codes and people to vary the requests over, read from the generated set."""
    from recognition.extensions import db

    def column(sql: str, **params: Any) -> list:
        return [row[0] for row in db.session.execute(text(sql), params)]

    with app.app_context():
        current = column(
            "SELECT id FROM rounds WHERE programme_id = (SELECT id FROM programmes WHERE code = 'CNCL')"
            " ORDER BY year DESC LIMIT 1"
        )[0]
        return {
            "round": current,
            "applicants": column(
                "SELECT u.email FROM users u JOIN role_memberships m ON m.user_id = u.id"
                " WHERE m.role = 'applicant' ORDER BY u.id LIMIT 300"
            ),
            # officers of the units that vet the current round, busiest first
            "officers": column(
                "SELECT u.email FROM users u JOIN role_memberships m ON m.user_id = u.id"
                " JOIN (SELECT vetting_unit_id, count(*) AS n FROM applications WHERE round_id = :r"
                " GROUP BY vetting_unit_id) a ON a.vetting_unit_id = m.unit_id ORDER BY a.n DESC LIMIT 40",
                r=current,
            ),
            "council": column(
                "SELECT u.email FROM users u JOIN role_memberships m ON m.user_id = u.id"
                " WHERE m.role = 'council_member' ORDER BY u.id"
            ),
            "secretariat": column("SELECT email FROM users WHERE email LIKE 'secretariat%' ORDER BY id")[:1],
            "products": column("SELECT product_id FROM certificates WHERE status = 'valid' ORDER BY id"),
            "serials": column("SELECT serial FROM certificates ORDER BY id"),
            "receipts": [
                tuple(r)
                for r in db.session.execute(
                    text(
                        "SELECT id, receipt_code FROM applications WHERE receipt_code IS NOT NULL ORDER BY"
                        " id LIMIT 2000"
                    )
                )
            ],
            "registry_pages": max(
                1, column("SELECT count(*) FROM certificates WHERE status = 'valid'")[0] // 20
            ),
        }


# An officer's unit queue, as the baseline of both queue pages (the search adds its condition).
UNIT_QUEUE_SQL = (
    "SELECT a.id, a.receipt_code, a.state, a.due_on, e.name FROM applications a JOIN enterprises e"
    " ON e.id = a.enterprise_id"
    " JOIN role_memberships m ON m.unit_id = a.vetting_unit_id JOIN users u ON u.id = m.user_id"
    " WHERE u.email = :email AND a.state IN ('submitted', 'vetting', 'supplement_requested')"
)


def pages(s: dict[str, Any]) -> list[Page]:
    today = time.strftime("%Y-%m-%d")
    pick = random.Random.choice
    return [
        Page(
            "applicant home",
            lambda r: pick(r, s["applicants"]),
            lambda r: ("GET", "/applicant/", None),
            "SELECT a.id, a.state, a.receipt_code, r.year, p.name FROM applications a JOIN products p ON"
            " p.id = a.product_id"
            " JOIN rounds r ON r.id = a.round_id JOIN role_memberships m ON m.enterprise_id = a.enterprise_id"
            " JOIN users u ON u.id = m.user_id WHERE u.email = :email ORDER BY r.year DESC, a.id LIMIT 50",
            lambda r: {"email": pick(r, s["applicants"])},
        ),
        Page(
            "unit queue",
            lambda r: pick(r, s["officers"]),
            lambda r: ("GET", f"/unit/?page={r.randint(1, 3)}", None),
            UNIT_QUEUE_SQL + " ORDER BY a.due_on IS NULL, a.due_on, a.submitted_at LIMIT 25 OFFSET :offset",
            lambda r: {"email": pick(r, s["officers"]), "offset": 25 * r.randint(0, 2)},
        ),
        Page(
            "unit queue search",
            lambda r: pick(r, s["officers"]),
            lambda r: ("GET", f"/unit/?q={pick(r, WORDS)}", None),
            UNIT_QUEUE_SQL + " AND (e.name_folded LIKE :q OR a.receipt_code LIKE :q)"
            " ORDER BY a.due_on IS NULL, a.due_on, a.submitted_at LIMIT 25",
            lambda r: {"email": pick(r, s["officers"]), "q": f"%{pick(r, WORDS)}%"},
        ),
        Page(
            "council assignments",
            lambda r: pick(r, s["council"]),
            lambda r: ("GET", "/council/", None),
            "SELECT ra.id, ra.submitted_at, a.receipt_code, p.name, r.year FROM review_assignments ra"
            " JOIN applications a ON a.id = ra.application_id JOIN products p ON p.id = a.product_id"
            " JOIN rounds r ON r.id = a.round_id JOIN users u ON u.id = ra.reviewer_id WHERE u.email = :email"
            " ORDER BY r.year DESC, ra.assigned_at DESC LIMIT 50",
            lambda r: {"email": pick(r, s["council"])},
        ),
        Page(
            "review board",
            lambda r: s["secretariat"][0],
            lambda r: ("GET", f"/secretariat/review/rounds/{s['round']}/board?page={r.randint(1, 3)}", None),
            "SELECT a.id, a.receipt_code, avg(ra.total_score) AS total, count(ra.id) AS sheets FROM"
            " applications a"
            " JOIN review_assignments ra ON ra.application_id = a.id AND ra.submitted_at IS NOT NULL"
            " WHERE a.round_id = :round AND a.state IN ('under_review', 'recommended', 'not_recommended',"
            " 'recognised')"
            " GROUP BY a.id, a.receipt_code ORDER BY total DESC, a.id LIMIT 50",
            lambda r: {"round": s["round"]},
        ),
        Page(
            "round dashboard",
            lambda r: s["secretariat"][0],
            lambda r: ("GET", f"/secretariat/reports/rounds/{s['round']}", None),
            "SELECT state, vetting_unit_id, count(*) FROM applications WHERE round_id = :round GROUP BY"
            " state, vetting_unit_id",
            lambda r: {"round": s["round"]},
        ),
        Page(
            "registry list",
            None,
            lambda r: ("GET", f"/registry?page={r.randint(1, min(50, s['registry_pages']))}", None),
            "SELECT c.serial, c.product_name, c.enterprise_name, r.year FROM certificates c JOIN rounds r ON"
            " r.id = c.round_id"
            " WHERE c.status = 'valid' AND c.valid_until >= :today ORDER BY r.year DESC, c.top_n DESC,"
            " c.sequence, c.id"
            " LIMIT 20 OFFSET :offset",
            lambda r: {"today": today, "offset": 20 * r.randint(0, min(49, s["registry_pages"] - 1))},
        ),
        Page(
            "registry search",
            None,
            lambda r: ("GET", f"/registry?q={pick(r, WORDS)}", None),
            "SELECT c.serial, c.product_name, c.enterprise_name, r.year FROM certificates c JOIN rounds r ON"
            " r.id = c.round_id"
            " WHERE c.status = 'valid' AND c.valid_until >= :today AND c.names_folded LIKE :q"
            " ORDER BY r.year DESC, c.top_n DESC, c.sequence, c.id LIMIT 20",
            lambda r: {"today": today, "q": f"%{pick(r, WORDS)}%"},
        ),
        Page(
            "registry product",
            None,
            lambda r: ("GET", f"/registry/{pick(r, s['products'])}", None),
            "SELECT c.serial, c.status, c.product_name, c.enterprise_name, p.description FROM certificates c"
            " JOIN products p ON p.id = c.product_id WHERE c.product_id = :product ORDER BY c.issued_on DESC",
            lambda r: {"product": pick(r, s["products"])},
        ),
        Page(
            "supplier search",
            None,
            lambda r: ("GET", f"/suppliers/?q={pick(r, SUPPLIER_WORDS)}", None),
            "SELECT sp.id, e.name, sp.products FROM supplier_profiles sp JOIN enterprises e ON e.id ="
            " sp.enterprise_id"
            " WHERE sp.listing_consent AND sp.active AND sp.search_folded LIKE :q ORDER BY e.name_folded,"
            " e.id LIMIT 20",
            lambda r: {"q": f"%{pick(r, SUPPLIER_WORDS)}%"},
        ),
        Page(
            "verify",
            None,
            lambda r: ("GET", f"/verify/{pick(r, s['serials'])}", None),
            "SELECT c.serial, c.status, c.valid_until, c.product_name, c.enterprise_name FROM certificates c"
            " WHERE c.serial = :serial",
            lambda r: {"serial": pick(r, s["serials"])},
        ),
        Page(
            "track",
            None,
            lambda r: _track(r, s),
            "SELECT a.id, a.state, a.lookup_secret_hash FROM applications a WHERE a.receipt_code = :code",
            lambda r: {"code": pick(r, s["receipts"])[1]},
        ),
    ]


def _track(rng: random.Random, s: dict[str, Any]) -> tuple[str, str, dict]:
    application_id, code = rng.choice(s["receipts"])
    return (
        "POST",
        "/track",
        {"receipt_code": code, "lookup_secret": LOOKUP_SECRETS[application_id % len(LOOKUP_SECRETS)]},
    )


def measure(app: Flask, requests: int = 200, seed: int = 1, only: set[str] | None = None) -> list[dict]:
    """p50/p95 and statements per request of each page, beside its baseline statement's p50/p95."""
    from recognition.extensions import db

    samples = _samples(app)
    rng = random.Random(seed)
    clients: dict[str, Any] = {}
    results = []
    for page in pages(samples):
        if only and page.name not in only:
            continue
        times, counts, statuses, sizes = [], [], set(), []
        for n in range(requests + 3):  # the first three warm up (a first request, caches filled)
            email = page.role_email(rng) if page.role_email else None
            client = clients.get(email or "")
            if client is None:
                client = clients[email or ""] = app.test_client()
                if email:
                    login = client.post("/login", data={"email": email, "password": PASSWORD})
                    assert login.status_code == 302, f"login of {email}: {login.status_code}"
            method, path, form = page.request(rng)
            environ = {
                "REMOTE_ADDR": f"10.{n % 200}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            }  # per-client limits
            with app.app_context(), counting_statements(db.engine) as statements:
                started = time.perf_counter()
                response = client.open(path, method=method, data=form, environ_base=environ)
                elapsed = time.perf_counter() - started
            if n >= 3:
                times.append(elapsed)
                counts.append(len(statements))
                statuses.add(response.status_code)
                sizes.append(len(response.data))
        baseline_times = []
        with app.app_context():
            statement = text(page.baseline)
            for n in range(requests + 3):
                params = page.baseline_params(rng)
                started = time.perf_counter()
                db.session.execute(statement, params).all()
                elapsed = time.perf_counter() - started
                db.session.rollback()
                if n >= 3:
                    baseline_times.append(elapsed)
        timing, baseline = summary_ms(times), summary_ms(baseline_times)
        results.append(
            {
                "page": page.name,
                "requests": requests,
                **timing,
                "queries_min": min(counts),
                "queries_max": max(counts),
                "statuses": sorted(statuses),
                "bytes_p50": sorted(sizes)[len(sizes) // 2],
                "baseline_p50_ms": baseline["p50_ms"],
                "baseline_p95_ms": baseline["p95_ms"],
                "ratio_p50": round(timing["p50_ms"] / max(baseline["p50_ms"], 0.001), 1),
            }
        )
    return results
