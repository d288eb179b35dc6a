"""Behind TRUSTED_PROXIES, forwarded headers count only from the proxies in TRUSTED_PROXY_ADDRESSES: a
client that reaches the app directly cannot pick its address for the rate limits, and is logged."""

from __future__ import annotations

import logging

import pytest

from recognition import create_app


@pytest.fixture
def proxied_app(app):
    """The suite's app, configured as behind one proxy on this host."""
    return create_app(
        {
            **{
                k: app.config[k] for k in ("TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "EVIDENCE_DIR")
            },
            "WTF_CSRF_ENABLED": False,
            "TRUSTED_PROXIES": 1,
            "LOGIN_ATTEMPTS_PER_MINUTE": 3,
        }
    )


def attempt(client, peer: str, forwarded_for: str):
    return client.post(
        "/login",
        data={"email": "ghost@example.vn", "password": "nope-nope"},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": peer},
    )


@pytest.mark.usefixtures("frozen_clock")
def test_forwarded_headers_from_outside_the_proxy_list_are_logged_and_ignored(proxied_app, caplog):
    client = proxied_app.test_client()
    with caplog.at_level(logging.WARNING):
        statuses = [attempt(client, "203.0.113.8", f"10.1.1.{i}").status_code for i in range(4)]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("203.0.113.8" in w and "TRUSTED_PROXY_ADDRESSES" in w for w in warnings)
    assert statuses == [200, 200, 200, 429]  # one client, whatever it claims to forward


def test_the_proxy_forwards_the_real_client_address_without_a_warning(proxied_app, caplog):
    client = proxied_app.test_client()
    with caplog.at_level(logging.WARNING):
        statuses = [attempt(client, "127.0.0.1", f"10.1.1.{i}").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 200]  # four clients behind the proxy
    assert not [r for r in caplog.records if "TRUSTED_PROXY_ADDRESSES" in r.getMessage()]
