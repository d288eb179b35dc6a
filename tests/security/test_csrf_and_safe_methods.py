"""H32 (ASVS 3.5.1–3.5.3): every POST route, login and logout included, refuses a request without a
valid CSRF token (400) and writes nothing; no GET route writes to the database."""

from __future__ import annotations

import re

from flask import url_for

from recognition.accounts.models import Role
from recognition.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_token_from
from tests.security import ACTORS, build_world, changed_tables, client_for, fingerprint, row_counts
from tests.security.test_authorization_matrix import (
    ACCESS,
    ADMIN,
    APPLICANT,
    COUNCIL,
    LOGGED_IN,
    PUBLIC,
    RULES,
    SECRETARIAT,
    SECRETARIAT_VETTING,
    UNIT,
    sides_for,
    url_values,
)

PERMITTED = {
    PUBLIC: "anonymous",
    LOGGED_IN: "applicant",
    APPLICANT: "applicant",
    UNIT: "officer",
    COUNCIL: "council",
    SECRETARIAT_VETTING: "secretariat",
    SECRETARIAT: "secretariat",
    ADMIN: "admin",
}


def login_with_token(app, user):
    """Log in as a browser does: the form's token, then the POST."""
    client = app.test_client()
    if user is not None:
        token = csrf_token_from(client.get("/login").text)
        response = client.post(
            "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.text
    client.user = user
    return client


def forms_that_would_succeed(world) -> dict[str, dict]:
    """Data that passes validation, so that only the missing token can explain a refusal."""
    own, round_id = world.own, str(world.round_id)
    return {
        "accounts.login": {"email": own.applicant.email, "password": TEST_PASSWORD},
        "accounts.register": {
            "enterprise_name": "Công ty Mới", "tax_code": "0100109995", "address": "Hà Nội",
            "unit_id": str(own.applicant.memberships[0].enterprise.unit_id),
            "sector_id": str(own.applicant.memberships[0].enterprise.sector_id),
            "full_name": "Người Mới", "email": "moi@example.vn", "password": "a long password",
            "confirm": "a long password",
        },
        "nomination.withdraw": {"reason": "Rút hồ sơ"},
        "nomination.new_application": {"round_id": round_id, "product_id": "0", "product_name": "Máy mới"},
        "vetting.reject": {"reason": "Không đạt"},
        "secretariat_vetting.reject": {"reason": "Không đạt"},
        "review.declare": {"conflict": "no"},
        "review_board.add_reviewer": {"user_id": str(own.council.id)},
        "honours.answer": {"answer-answer": "Đã trả lời", "answer-resolve": "y"},
        "honours.revoke_certificate": {"revoke-reason": "Vi phạm", "revoke-decision_number": "9/QĐ"},
        "rounds.calendar": {"day": "2030-01-05", "is_working_day": "1", "note": "x"},
    }  # fmt: skip


def test_every_post_route_refuses_a_missing_token(app, make, csrf_enabled):
    world = build_world(app, make)
    clients = {actor: login_with_token(app, world.user(actor)) for actor in ACTORS}
    data = forms_that_would_succeed(world)
    before = fingerprint()
    problems = []
    posts = [r for r in RULES if "POST" in r[2]]
    assert len(posts) >= 40
    for endpoint, rule, _methods, arguments in posts:
        actor = PERMITTED[ACCESS[rule]]
        for side in sides_for(arguments)[:2]:
            with app.test_request_context():
                target = url_for(endpoint, **url_values(world, endpoint, arguments, side))
            for variant in ("missing", "forged"):
                form = dict(data.get(endpoint, {}))
                if variant == "forged":
                    form["csrf_token"] = (
                        "IjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAi.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"
                    )
                response = clients[actor].post(target, data=form)
                if response.status_code != 400:
                    problems.append(f"POST {target} as {actor}, token {variant}: {response.status_code}")
    assert problems == [], "\n".join(problems)
    assert changed_tables(before, fingerprint()) == []
    # Logout without a token did not log anyone out.
    assert clients["applicant"].get("/applicant/").status_code == 200


def test_control_the_same_posts_without_csrf_protection_do_write(app, make):
    """Without the CSRF check (the test default) the same requests change the database: so in the test
    above nothing but the missing token stopped them."""
    world = build_world(app, make)
    clients = {actor: client_for(app, world.user(actor)) for actor in ACTORS}
    data = forms_that_would_succeed(world)
    writers = (
        "nomination.withdraw", "nomination.renew_lookup_secret", "review.declare",
        "honours.revoke_certificate", "rounds.calendar", "rounds.remove_calendar_day", "accounts.login",
    )  # fmt: skip
    for endpoint in writers:
        _e, rule, _m, arguments = next(r for r in RULES if r[0] == endpoint)
        with app.test_request_context():
            target = url_for(endpoint, **url_values(world, endpoint, arguments, "own"))
        before = fingerprint()
        response = clients[PERMITTED[ACCESS[rule]]].post(target, data=data.get(endpoint, {}))
        # A renewed lookup secret is shown on the answer itself (it is kept nowhere to redirect to).
        assert response.status_code == (200 if endpoint == "nomination.renew_lookup_secret" else 302), (
            endpoint,
            response.status_code,
        )
        assert changed_tables(before, fingerprint()) != [], endpoint


def test_a_valid_token_is_accepted_and_a_token_of_another_session_is_not(app, make, csrf_enabled):
    """The control: the same POST with the session's own token goes through."""
    world = build_world(app, make)
    victim = login_with_token(app, world.own.applicant)
    attacker = login_with_token(app, world.outsider)
    page = attacker.get("/applicant/").text
    attackers_token = csrf_token_from(page)
    target = f"/applicant/applications/{world.own.supplement_id}/lookup-secret"
    before = fingerprint()
    assert victim.post(target, data={"csrf_token": attackers_token}).status_code == 400
    assert changed_tables(before, fingerprint()) == []
    own_token = csrf_token_from(victim.get(f"/applicant/applications/{world.own.supplement_id}/receipt").text)
    assert victim.post(target, data={"csrf_token": own_token}).status_code == 200
    assert changed_tables(before, fingerprint()) == ["applications", "audit_events"]  # renewal is audited
    assert victim.post("/logout", data={"csrf_token": own_token}).status_code == 302
    assert victim.get("/applicant/").status_code == 302


def test_login_form_without_a_token_creates_no_session(app, make, csrf_enabled):
    """Login CSRF (Indico #5099): a cross-site POST cannot log the victim into the attacker's account."""
    user = make.user(Role.applicant)
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert client.get("/applicant/").headers["Location"].startswith("/login")


def test_session_cookie_is_http_only_and_same_site_lax(app, make):
    user = make.user(Role.applicant)
    response = app.test_client().post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    cookie = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith("session="))
    assert "HttpOnly" in cookie
    assert re.search(r"SameSite=Lax", cookie, re.IGNORECASE)


def test_no_get_route_changes_the_database(app, make):
    """Crawl every GET rule, as the secretariat and as every other actor, on own and foreign objects."""
    world = build_world(app, make)
    clients = {actor: client_for(app, world.user(actor)) for actor in ACTORS}
    counts, before = row_counts(), fingerprint()
    crawled = 0
    order = ["secretariat", *(a for a in ACTORS if a != "secretariat")]
    for actor in order:
        for endpoint, _rule, methods, arguments in RULES:
            if "GET" not in methods:
                continue
            for side in sides_for(arguments):
                with app.test_request_context():
                    target = url_for(endpoint, **url_values(world, endpoint, arguments, side))
                response = clients[actor].get(target)
                assert response.status_code < 500, target
                crawled += 1
    db.session.expire_all()
    assert crawled > 300
    assert row_counts() == counts
    assert changed_tables(before, fingerprint()) == []
