"""H24 / H26: tracking, the registry, verification and the JSON API take SQL-ish, LIKE-ish and
regex-ish input, and very long input, without a 5xx, without a match they should not give, and without
leaking internals."""

from __future__ import annotations

import itertools
import re

import pytest

from recognition.cases.models import Application
from recognition.cases.receipts import hash_lookup_secret
from recognition.extensions import db
from tests.security import World, build_world, client_for

SECRET = "K7M2QX"
FOUND = 'id="tracking-result">\n        <h2'
NOT_FOUND = "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này."
INTERNALS = re.compile(r"Traceback|sqlalchemy|psycopg|sqlite3|OperationalError|ProgrammingError|syntax error")

HOSTILE = [
    "' OR 1=1 --",
    "' OR '1'='1",
    '" OR ""="',
    "1; DROP TABLE applications; --",
    "%",
    "%%",
    "_",
    "__%__",
    "\\",
    "\\%",
    "\\_",
    "*",
    ".*",
    "^.*$",
    "[a-z]+",
    "(a+)+$",
    "' UNION SELECT serial FROM certificates --",
    "%' AND 1=0 UNION SELECT 1 --",
    "ﬀ",
    "\u202e",
]
_ips = itertools.count(1)


def fresh_ip() -> dict:
    """A new client address per lookup, so the per-address limit does not mask what is tested."""
    n = next(_ips)
    return {"REMOTE_ADDR": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}


@pytest.fixture
def world(app, make) -> World:
    world = build_world(app, make)
    application = db.session.get(Application, world.own.supplement_id)
    application.lookup_secret_hash = hash_lookup_secret(SECRET)
    db.session.commit()
    return world


def receipt_code(world) -> str:
    return db.session.get(Application, world.own.supplement_id).receipt_code


def track(client, code: str, secret: str):
    return client.post(
        "/track", data={"receipt_code": code, "lookup_secret": secret}, environ_base=fresh_ip()
    )


def test_the_right_pair_is_found(client, world):
    response = track(client, receipt_code(world), SECRET.lower())
    assert response.status_code == 200
    assert FOUND in response.text


def test_tracking_with_hostile_codes_and_secrets_matches_nothing(client, world):
    code = receipt_code(world)
    # Within the fields' lengths (40 and 12); longer input: test_over_long_tracking_input_gives_a_form_error.
    pairs = [(value[:40], value[:12]) for value in HOSTILE]
    pairs += [(code, value[:12]) for value in HOSTILE]
    pairs += [(value[:40], SECRET) for value in HOSTILE]
    pairs += [(code[:-1] + "%", SECRET), (code[:-1] + "_", SECRET), (code.lower() + "%", SECRET), ("%", "%")]
    problems = []
    for code_given, secret in pairs:
        response = track(client, code_given, secret)
        if response.status_code != 200 or FOUND in response.text or NOT_FOUND not in response.text:
            problems.append(f"{code_given!r}/{secret!r}: {response.status_code}")
        if INTERNALS.search(response.text):
            problems.append(f"{code_given!r}/{secret!r}: internals in the page")
    assert problems == [], "\n".join(problems)


def test_tracking_is_not_done_through_the_url(client, world):
    response = client.get(
        "/track", query_string={"receipt_code": receipt_code(world), "lookup_secret": SECRET}
    )
    assert response.status_code == 200
    assert FOUND not in response.text and NOT_FOUND not in response.text


def test_tracking_is_rate_limited_per_client(client, world, frozen_clock):
    """Ten lookups a minute per client, then 429 even for the right pair (the clock is held still, so
    the minute cannot roll over mid-test)."""
    ip = {"REMOTE_ADDR": "10.99.99.99"}
    for _ in range(10):
        response = client.post("/track", data={"receipt_code": "X", "lookup_secret": "Y"}, environ_base=ip)
        assert response.status_code == 200
    response = client.post(
        "/track", data={"receipt_code": receipt_code(world), "lookup_secret": SECRET}, environ_base=ip
    )
    assert response.status_code == 429
    assert FOUND not in response.text


@pytest.mark.parametrize(
    ("code", "secret"),
    [("A" * 41, "B"), ("A" * 10_000, "B"), ("A", "B" * 13), ("' OR 1=1 --" * 100, "%" * 100)],
)
def test_over_long_tracking_input_gives_a_form_error(client, code, secret):
    response = track(client, code, secret)
    assert response.status_code == 200
    assert FOUND not in response.text


def test_over_long_login_input_gives_a_form_error(client, make):
    response = client.post("/login", data={"email": make.user().email, "password": "x" * 201})
    assert response.status_code == 200


def registry_serials(html: str, world) -> set[str]:
    return {serial for serial in (world.own.serial, world.foreign.serial) if serial in html}


def test_registry_search_with_hostile_input_is_literal(client, world):
    everything = client.get("/registry")
    assert registry_serials(everything.text, world) == {world.own.serial, world.foreign.serial}
    problems = []
    for value in [*HOSTILE, "a" * 100_000, "' OR 1=1 --" * 1000]:
        response = client.get("/registry", query_string={"q": value})
        if response.status_code != 200 or INTERNALS.search(response.text):
            problems.append(f"q={value[:30]!r}: {response.status_code}")
        elif registry_serials(response.text, world):
            problems.append(f"q={value[:30]!r} matched certificates")
    assert problems == [], "\n".join(problems)


REGISTRY_QUERIES = [
    {"year": "2026 OR 1=1"},
    {"year": "-1"},
    {"year": "99999999999999999999999"},
    {"sector": "1' OR '1'='1"},
    {"unit": "%"},
    {"page": "99999999999999999999"},
    {"page": "-5"},
    {"page": "1e9"},
    {"year": "\\", "sector": "_", "unit": "*", "q": "%"},
]
API_QUERIES = [
    {"q": "%"},
    {"q": "_"},
    {"q": "' OR 1=1 --"},
    {"q": "a" * 201},
    {"year": "1 OR 1=1"},
    {"sector": "%"},
    {"unit": "' OR 1=1 --"},
    {"page": "99999999999"},
    {"per_page": "100000"},
    {"q": "\\%_"},
]
SERIALS = ["' OR 1=1 --", "%25", "%", "_", "CNCL-%", "*", "A" * 5000, "..%2F..%2Fetc%2Fpasswd", "\\"]


def test_registry_filters_with_hostile_input(client, world):
    for query in REGISTRY_QUERIES:
        response = client.get("/registry", query_string=query)
        assert response.status_code == 200, query
        assert not INTERNALS.search(response.text), query


def test_api_registry_with_hostile_input(client, world):
    for query in API_QUERIES:
        response = client.get("/api/v1/registry", query_string=query)
        assert response.status_code in (200, 422), (query, response.text)
        assert response.mimetype == "application/json"
        assert not INTERNALS.search(response.text), query
        if response.status_code == 200 and query.get("page") is None:
            assert world.own.serial not in response.text and world.foreign.serial not in response.text, query


def test_verify_with_hostile_serials(client, world):
    for serial in SERIALS:
        for prefix in ("/verify/", "/api/v1/verify/"):
            response = client.get(prefix + serial)
            assert response.status_code in (404, 422), (prefix, serial, response.status_code)
            assert not INTERNALS.search(response.text)
            assert world.own.serial not in response.text and world.foreign.serial not in response.text


def test_unit_queue_search_with_hostile_input_stays_in_the_unit(app, world):
    officer = client_for(app, world.own.officer)
    foreign_codes = {
        db.session.get(Application, i).receipt_code
        for i in (world.foreign.supplement_id, world.foreign.review_id)
    }
    for value in [*HOSTILE, "a" * 10_000]:
        response = officer.get("/unit/", query_string={"q": value, "state": value, "round": value})
        assert response.status_code == 200, value
        assert not INTERNALS.search(response.text)
        assert not any(code in response.text for code in foreign_codes), value
