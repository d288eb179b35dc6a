"""Logging in and out, role home pages, session safety."""

import pytest

from recognition.accounts.models import Role
from recognition.extensions import db
from tests.conftest import TEST_PASSWORD, csrf_token_from, login

ROLE_HOMES = {
    Role.applicant: "/applicant/",
    Role.unit_officer: "/unit/",
    Role.council_member: "/council/",
    Role.secretariat: "/secretariat/",
    Role.admin: "/admin/",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_home_page(client, make, role):
    user = make.user(role)
    response = login(client, user)
    assert response.status_code == 302
    assert response.location == ROLE_HOMES[role]
    assert client.get(ROLE_HOMES[role]).status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_pages_of_other_roles_answer_403(login_as, role):
    client = login_as(role)
    for other, path in ROLE_HOMES.items():
        expected = 200 if other == role else 403
        assert client.get(path).status_code == expected, path


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/secretariat/")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_user_with_several_roles_lands_on_the_most_senior_and_sees_both(client, make):
    from recognition.accounts.services import grant_role

    user = make.user(Role.applicant)
    grant_role(user, Role.council_member)
    db.session.commit()
    assert login(client, user).location == "/council/"
    assert client.get("/applicant/").status_code == 200


def test_email_is_case_insensitive_at_login(client, make):
    user = make.user(Role.admin, email="Mixed.Case@Example.vn")
    assert user.email == "mixed.case@example.vn"
    assert login(client, "  MIXED.case@example.VN ").location == "/admin/"


def test_wrong_password_and_unknown_email_get_the_same_message(client, make):
    user = make.user(Role.admin)
    wrong = client.post("/login", data={"email": user.email, "password": "nope-nope"})
    unknown = client.post("/login", data={"email": "ghost@example.vn", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert "Sai thư điện tử hoặc mật khẩu." in wrong.text
    assert "Sai thư điện tử hoặc mật khẩu." in unknown.text


def test_login_form_keeps_the_email_after_an_error(client, make):
    response = client.post("/login", data={"email": "kept@example.vn", "password": "bad"})
    assert 'value="kept@example.vn"' in response.text


def test_inactive_user_cannot_log_in(client, make):
    user = make.user(Role.admin)
    user.active = False
    db.session.commit()
    assert login(client, user).status_code == 200
    assert client.get("/admin/").status_code == 302


def test_disabled_user_is_logged_out_on_the_next_request(login_as):
    client = login_as(Role.admin)
    assert client.get("/admin/").status_code == 200
    client.user.active = False
    db.session.commit()
    assert client.get("/admin/").status_code == 302


def test_password_change_ends_other_sessions(login_as):
    client = login_as(Role.admin)
    client.user.set_password("a new long password")
    db.session.commit()
    assert client.get("/admin/").status_code == 302


def test_role_removed_takes_effect_on_the_next_request(login_as):
    client = login_as(Role.secretariat)
    assert client.get("/secretariat/").status_code == 200
    for membership in list(client.user.memberships):
        db.session.delete(membership)
    db.session.commit()
    assert client.get("/secretariat/").status_code == 403


def test_logout_is_a_post_and_ends_the_session(login_as):
    client = login_as(Role.admin)
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client, make):
    user = make.user(Role.admin)
    response = login(client, user)
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_staff_pages_are_not_cached(login_as):
    client = login_as(Role.admin)
    assert client.get("/admin/").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "/\\evil.com",
        "/%09/evil.com",
        "\\\\evil.com",
        "https://evil.com/",
        "javascript:alert(1)",
        "http:/evil.com",
        "/\t/evil.com",
        "evil.com",
    ],
)
def test_next_never_leaves_the_site(client, make, target):
    user = make.user(Role.admin)
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response.location == "/admin/"


def test_next_to_a_local_path_is_followed(client, make):
    user = make.user(Role.admin)
    response = client.post(
        "/login",
        query_string={"next": "/admin/?tab=units"},
        data={"email": user.email, "password": TEST_PASSWORD},
    )
    assert response.location == "/admin/?tab=units"


def test_post_without_csrf_token_is_refused(client, make, csrf_enabled):
    user = make.user(Role.admin)
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_post_with_csrf_token_is_accepted(client, make, csrf_enabled):
    user = make.user(Role.admin)
    token = csrf_token_from(client.get("/login").text)
    response = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.location == "/admin/"


def test_logout_keeps_the_chosen_language(login_as):
    client = login_as(Role.admin)
    client.get("/lang/en")
    response = client.post("/logout", follow_redirects=True)
    assert "You have logged out." in response.text
    assert '<html lang="en">' in response.text


# The limits count in fixed windows of the app's clock: every test of them holds it still (frozen_clock).


def test_ten_failures_lock_the_account_for_a_while_but_not_others(client, make, frozen_clock):
    user, other = make.user(Role.admin), make.user(Role.admin)
    for _ in range(10):
        assert client.post("/login", data={"email": user.email, "password": "wrong one"}).status_code == 200
    locked = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert locked.status_code == 429
    assert "Quá nhiều lần đăng nhập sai vào tài khoản này." in locked.text
    assert login(client, other).location == "/admin/"


def test_thirty_attempts_a_minute_from_one_client(app, make, monkeypatch, frozen_clock):
    monkeypatch.setitem(app.config, "LOGIN_ATTEMPTS_PER_MINUTE", 30)
    client = app.test_client()
    user = make.user(Role.admin)
    statuses = [
        client.post("/login", data={"email": f"x{i}@example.vn", "password": "nope"}).status_code
        for i in range(31)
    ]
    assert statuses == [200] * 30 + [429]
    other_client = app.test_client()
    response = other_client.post(
        "/login",
        data={"email": user.email, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert response.location == "/admin/"


def wrong_password_from(client, user, address: str):
    return client.post(
        "/login", data={"email": user.email, "password": "wrong one"}, environ_base={"REMOTE_ADDR": address}
    )


def test_ten_failures_lock_out_the_offending_client_only(client, make, frozen_clock):
    """Anyone can type ten wrong passwords for any e-mail: that must not lock its owner out."""
    user = make.user(Role.admin)
    for _ in range(10):
        assert wrong_password_from(client, user, "203.0.113.5").status_code == 200
    attacker = client.post(
        "/login",
        data={"email": user.email, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "203.0.113.5"},
    )
    assert attacker.status_code == 429 and int(attacker.headers["Retry-After"]) <= 15 * 60
    owner = client.post(
        "/login",
        data={"email": user.email, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert owner.location == "/admin/"


def test_an_account_attacked_from_many_places_is_slowed_not_locked(app, client, make, frozen_clock):
    client.get("/lang/en")
    user = make.user(Role.admin)
    for i in range(10):
        assert wrong_password_from(client, user, f"203.0.113.{i + 1}").status_code == 200
    assert wrong_password_from(client, user, "203.0.113.50").status_code == 200  # this turn's attempt
    waiting = client.post(
        "/login",
        data={"email": user.email, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert waiting.status_code == 429
    assert 1 <= int(waiting.headers["Retry-After"]) <= app.config["LOGIN_THROTTLE_SECONDS"]
    assert "accepts one attempt every few seconds" in waiting.text
    frozen_clock.advance(int(waiting.headers["Retry-After"]))
    owner = client.post(
        "/login",
        data={"email": user.email, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert owner.location == "/admin/"


def test_a_success_clears_the_clients_failures(client, make, monkeypatch, frozen_clock):
    from recognition.accounts import services

    monkeypatch.setattr(services, "THROTTLE_AFTER", 1000)  # only the client's own lock in play
    user = make.user(Role.admin)
    for _ in range(9):
        wrong_password_from(client, user, "198.51.100.7")
    right = client.post(
        "/login",
        data={"email": user.email, "password": TEST_PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert right.location == "/admin/"
    client.post("/logout")
    assert [wrong_password_from(client, user, "198.51.100.7").status_code for _ in range(11)] == [
        200
    ] * 10 + [429]


def test_parallel_wrong_passwords_check_at_most_ten(app, make, monkeypatch, frozen_clock):
    """The failure count is taken by the increment itself, so a burst cannot overrun it."""
    import threading
    import time

    from recognition.accounts.models import User
    from tests.cases.test_concurrency import run_at_once

    user = make.user(Role.admin)
    checks, lock = [], threading.Lock()
    real_check = User.check_password

    def slow_check(self, password):
        with lock:
            checks.append(1)
        time.sleep(0.05)  # a production-cost hash, so the burst overlaps
        return real_check(self, password)

    monkeypatch.setattr(User, "check_password", slow_check)

    email = user.email

    def work(_i, barrier):
        client = app.test_client()
        barrier.wait()
        data = {"email": email, "password": "wrong one"}
        return client.post("/login", data=data, environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code

    statuses = run_at_once(app, work, threads=16)
    assert all(status in (200, 429) for status in statuses), statuses
    assert len(checks) <= 10
    assert statuses.count(200) <= 10
