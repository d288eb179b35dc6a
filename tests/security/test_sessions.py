"""H08, H31, H07 (ASVS 7.2.4, 7.4.1–7.4.3, 8.3.2): sessions end when they should, on the next request.

A cookie copied before logout, a password change or deactivation must stop working; a cookie planted
before login must not become the logged-in session.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from recognition.accounts.models import Role, RoleMembership, User
from recognition.extensions import db
from tests.conftest import TEST_PASSWORD, login


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def with_cookie(app, value: str):
    """A brand-new browser that only has the copied cookie."""
    client = app.test_client()
    client.set_cookie("session", value)
    return client


def sent_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.fixture
def applicant(app, make):
    user = make.user(Role.applicant)
    client = app.test_client()
    assert login(client, user).status_code == 302
    assert client.get("/applicant/").status_code == 200
    return user, client


def test_disabled_user_is_logged_out_on_the_next_request(app, applicant):
    user, client = applicant
    stolen = session_cookie(client)
    db.session.get(User, user.id).active = False
    db.session.commit()
    assert sent_to_login(client.get("/applicant/"))
    assert sent_to_login(with_cookie(app, stolen).get("/applicant/"))
    assert login(app.test_client(), user).status_code == 200  # and cannot log in again


def test_disabled_then_re_enabled_user_needs_a_new_login(app, applicant):
    """Deactivation must end the session for good, not only while the flag is off."""
    user, client = applicant
    stolen = session_cookie(client)
    db.session.get(User, user.id).active = False
    db.session.commit()
    assert sent_to_login(client.get("/applicant/"))
    db.session.get(User, user.id).active = True
    db.session.commit()
    assert sent_to_login(with_cookie(app, stolen).get("/applicant/"))


def test_password_change_ends_other_sessions(app, applicant):
    user, client = applicant
    stolen = session_cookie(client)
    db.session.get(User, user.id).set_password("a brand new password")
    db.session.commit()
    assert sent_to_login(with_cookie(app, stolen).get("/applicant/"))
    assert sent_to_login(client.get("/applicant/"))


def test_role_removed_takes_effect_on_the_next_request(app, applicant):
    user, client = applicant
    db.session.execute(delete(RoleMembership).where(RoleMembership.user_id == user.id))
    db.session.commit()
    assert client.get("/applicant/").status_code == 403


def test_cookie_copied_before_logout_no_longer_works(app, applicant):
    _user, client = applicant
    stolen = session_cookie(client)
    assert stolen
    assert client.post("/logout").status_code == 302
    assert sent_to_login(client.get("/applicant/"))  # the browser that logged out is logged out
    assert sent_to_login(with_cookie(app, stolen).get("/applicant/"))  # and so is the copied cookie


def test_cookie_planted_before_login_is_not_the_logged_in_session(app, make):
    """Session fixation: a cookie the attacker obtained (and planted) before the victim logs in."""
    victim = app.test_client()
    victim.get("/lang/en")
    planted = session_cookie(victim)
    assert planted
    assert login(victim, make.user(Role.applicant)).status_code == 302
    assert session_cookie(victim) != planted
    assert sent_to_login(with_cookie(app, planted).get("/applicant/"))


def test_login_keeps_nothing_from_the_anonymous_session(app, make):
    """A new session at login (ASVS 7.2.4): keys set before login (other than the language) are gone."""
    user = make.user(Role.applicant)
    client = app.test_client()
    client.get("/lang/en")
    with client.session_transaction() as session:
        session["lookup_secret_1"] = "PLANTED"
        session["_fresh"] = True
    assert client.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
    with client.session_transaction() as session:
        assert "lookup_secret_1" not in session
        assert session.get("lang") == "en"


def test_forged_cookie_is_rejected(app, applicant):
    """A session cookie signed with another key, or altered, is not accepted."""
    user, client = applicant
    stolen = session_cookie(client)
    tampered = stolen[:-3] + ("AAA" if not stolen.endswith("AAA") else "BBB")
    assert sent_to_login(with_cookie(app, tampered).get("/applicant/"))
    from flask.sessions import SecureCookieSessionInterface

    other = app.test_client()
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    forged = serializer.dumps({"_user_id": f"{user.id}:guess", "_fresh": True})
    assert sent_to_login(with_cookie(app, forged).get("/applicant/"))
    assert other.get("/applicant/").status_code == 302
