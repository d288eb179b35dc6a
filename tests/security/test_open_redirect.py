"""H30 (ASVS 3.7.2): no `next` value sends the visitor off-site, after login or after switching language.

The corpus follows CTFd's validator tests, flask-multipass PR #94/#125 and Indico 3.3.x advisories.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from recognition.accounts.models import Role
from tests.conftest import TEST_PASSWORD

BAD_NEXT = [
    "//evil.com",
    "///evil.com",
    "////evil.com",
    "/\\evil.com",
    "/\\/evil.com",
    "\\/evil.com",
    "\\\\evil.com",
    "\\evil.com",
    "/%09/evil.com",
    "/\t/evil.com",
    "\t//evil.com",
    " //evil.com",
    "/%0a/evil.com",
    "/%0d%0aLocation:%20https://evil.com",
    "https:evil.com",
    "https:/evil.com",
    "https://evil.com",
    "http://evil.com/applicant/",
    "HTTPS://evil.com",
    "https:\\\\evil.com",
    "https:/\\evil.com",
    "//evil.com@127.0.0.1",
    "http://127.0.0.1@evil.com",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "javascript://%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.com",
    "/%2F/evil.com",
    "/%5Cevil.com",
    "%5C%5Cevil.com",
    "/%5C/evil.com",
    "/\x7f/evil.com",
    "//\u3002evil.com",
    "evil.com",
    "",
]


def browser_target(location: str) -> str:
    """Where a browser would go: it drops tabs and newlines, and reads backslashes as slashes."""
    cleaned = "".join(ch for ch in location if ch not in "\t\r\n").strip().replace("\\", "/")
    return cleaned


def assert_stays_home(location: str, home: str) -> None:
    target = browser_target(location)
    parts = urlsplit(target)
    assert not parts.scheme and not parts.netloc, location
    assert target.startswith("/") and not target.startswith("//"), location
    assert location == home, location


@pytest.mark.parametrize("bad", BAD_NEXT)
def test_login_never_redirects_off_site(app, make, bad):
    user = make.user(Role.applicant)
    client = app.test_client()
    response = client.post(
        "/login?next=" + quote(bad, safe=""), data={"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert_stays_home(response.headers["Location"], "/applicant/")


@pytest.mark.parametrize("bad", BAD_NEXT)
def test_language_switch_never_redirects_off_site(client, bad):
    response = client.get("/lang/en", query_string={"next": bad})
    assert response.status_code == 302
    assert_stays_home(response.headers["Location"], "/")


@pytest.mark.parametrize("bad", ["//evil.com", "/\\evil.com", "https:evil.com"])
def test_raw_unencoded_next_in_the_query_string(client, bad):
    """The value as a careless link would carry it, not percent-encoded."""
    response = client.get("/lang/vi?next=" + bad)
    assert response.status_code == 302
    assert_stays_home(response.headers["Location"], "/")


@pytest.mark.parametrize("good", ["/registry", "/registry?q=may%20bien%20ap", "/verify/CNCL-2026-0001"])
def test_local_paths_are_still_followed(client, good):
    response = client.get("/lang/en", query_string={"next": good})
    assert response.headers["Location"] == good
