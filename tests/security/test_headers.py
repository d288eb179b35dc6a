"""H34 / G11: every crawled response carries the security headers; staff pages are never cached."""

from __future__ import annotations

from flask import url_for

from recognition import create_app
from tests.security import ACTORS, build_world, client_for
from tests.security.test_authorization_matrix import ACCESS, LOGGED_IN, PUBLIC, RULES, sides_for, url_values


def header_problems(target: str, response, staff_page: bool, logged_in: bool) -> list[str]:
    headers, problems = response.headers, []
    csp = headers.get("Content-Security-Policy", "")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options")
    if not headers.get("Referrer-Policy"):
        problems.append("Referrer-Policy")
    if not csp:
        problems.append("Content-Security-Policy")
    if response.mimetype == "text/html":
        if "frame-ancestors 'none'" not in csp:
            problems.append(f"frame-ancestors: {csp}")
        if "unsafe-inline" in csp or "unsafe-eval" in csp:
            problems.append(f"unsafe CSP: {csp}")
    elif "frame-ancestors" not in csp:
        problems.append(f"no frame-ancestors on {response.mimetype}: {csp}")
    if (
        (staff_page or logged_in)
        and response.status_code < 300
        and "no-store" not in headers.get("Cache-Control", "")
    ):
        problems.append(f"Cache-Control: {headers.get('Cache-Control')}")
    if logged_in and "Cookie" not in headers.get("Vary", ""):
        problems.append("Vary: Cookie")  # GHSA-m2qf-hxjv-5gpq
    return [f"{target} ({response.status_code}): {p}" for p in problems]


def test_every_get_route_as_every_role_carries_the_headers(app, make):
    world = build_world(app, make)
    problems, html_pages = [], 0
    for actor in ACTORS:
        client = client_for(app, world.user(actor))
        for endpoint, rule, methods, arguments in RULES:
            if "GET" not in methods:
                continue
            staff_page = ACCESS[rule] not in (PUBLIC, LOGGED_IN)
            for side in sides_for(arguments):
                with app.test_request_context():
                    target = url_for(endpoint, **url_values(world, endpoint, arguments, side))
                response = client.get(target)
                html_pages += response.mimetype == "text/html"
                problems += header_problems(
                    f"{actor} GET {target}", response, staff_page, actor != "anonymous"
                )
    assert html_pages > 300
    assert problems == [], "\n".join(problems[:50])


def test_error_pages_carry_the_headers_too(client):
    for target in ("/no-such-page", "/applicant/applications/999999999999", "/verify/NOPE"):
        response = client.get(target)
        assert response.status_code in (302, 404)
        assert header_problems(target, response, False, False) == []


def test_production_adds_hsts_and_secure_cookies(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("RECOGNITION_ENV", "production")
    production = create_app(
        {
            "SECRET_KEY": "p" * 40,
            "AUDIT_KEY": "a" * 40,
            "PUBLIC_BASE_URL": "https://chuluc.example.vn",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "EVIDENCE_DIR": str(tmp_path / "evidence"),
        }
    )
    response = production.test_client().get("/login")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert int(response.headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) >= 31536000
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert production.config["REMEMBER_COOKIE_SECURE"] and production.config["WTF_CSRF_ENABLED"]
