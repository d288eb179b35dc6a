"""Issue 15: every logged-in user changes their own password; the other sessions end."""

from __future__ import annotations

from recognition.accounts.models import Role
from tests.conftest import TEST_PASSWORD, login

NEW_PASSWORD = "mot mat khau moi"


def change(client, current=TEST_PASSWORD, new=NEW_PASSWORD, confirm=None):
    data = {"current_password": current, "new_password": new, "confirm": new if confirm is None else confirm}
    return client.post("/account/password", data=data)


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, make):
    user = make.user(Role.applicant)
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    here.get("/lang/en")
    assert elsewhere.get("/applicant/").status_code == 200

    response = change(here)
    assert response.location == "/applicant/"
    assert "Your password is changed" in here.get("/applicant/").text
    assert elsewhere.get("/applicant/").location.startswith("/login")
    assert login(app.test_client(), user.email, TEST_PASSWORD).status_code == 200  # old one refused
    assert login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_refusals_say_why(app, make):
    user = make.user(Role.council_member, email="thanh.vien@hoidong.vn")
    client = app.test_client()
    login(client, user)
    client.get("/lang/en")
    cases = {
        "This is not your current password.": change(client, current="not my password"),
        "The passwords do not match.": change(client, confirm="something else"),
        "A password has at least 8 characters.": change(client, new="short"),
        "The password cannot be the e-mail address.": change(client, new="Thanh.Vien@HoiDong.vn"),
        "Choose a password different from the current one.": change(client, new=TEST_PASSWORD),
    }
    for message, response in cases.items():
        assert response.status_code == 200, message
        assert message in response.text
    assert login(app.test_client(), user.email, TEST_PASSWORD).status_code == 302


def test_the_page_needs_a_login(client):
    assert client.get("/account/password").location.startswith("/login")
