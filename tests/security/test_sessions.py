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


def test_the_lookup_secret_is_shown_once_and_never_kept_in_the_session(app, make):
    """The session cookie is signed, not encrypted: anyone who sees it reads it. The secret goes on the
    page that issued it (and the PDF printed from there), and nowhere else in clear."""
    import io
    import re

    from pypdf import PdfReader
    from sqlalchemy import select

    from recognition.cases.models import Application, AuditEvent
    from recognition.cases.queries import timeline_of
    from recognition.cases.receipts import lookup_secret_matches

    application = make.application()
    client = app.test_client()
    assert login(client, make.applicant_of(application)).status_code == 302
    base = f"/applicant/applications/{application.id}"
    page = client.post(f"{base}/submit", data={"declaration": "y"}, follow_redirects=True)
    secret = re.search(r'id="lookup-secret">([^<]+)<', page.text).group(1)
    stored = app.session_interface.get_signing_serializer(app).loads(session_cookie(client))
    assert secret not in repr(stored) and not [key for key in stored if "lookup" in key]

    def pdf_text(response) -> str:
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)

    assert secret in pdf_text(client.post(f"{base}/receipt.pdf", data={"lookup_secret": secret}))
    assert "ZZZZZZ" not in pdf_text(client.post(f"{base}/receipt.pdf", data={"lookup_secret": "ZZZZZZ"}))
    assert secret not in client.get(f"{base}/receipt").text
    assert secret not in pdf_text(client.get(f"{base}/receipt.pdf"))

    renewed = client.post(f"{base}/lookup-secret")
    new_secret = re.search(r'id="lookup-secret">([^<]+)<', renewed.text).group(1)
    assert new_secret != secret
    stored = app.session_interface.get_signing_serializer(app).loads(session_cookie(client))
    assert new_secret not in repr(stored)
    db.session.expire_all()
    secret_hash = db.session.get(Application, application.id).lookup_secret_hash
    assert lookup_secret_matches(secret_hash, new_secret) and not lookup_secret_matches(secret_hash, secret)
    renewal = db.session.scalars(select(AuditEvent).where(AuditEvent.trigger == "renew_lookup_secret")).one()
    assert renewal.payload == {} and new_secret not in repr(renewal.payload)  # audited, secret not kept
    assert "renew_lookup_secret" not in [e.trigger for e in timeline_of(application)]
