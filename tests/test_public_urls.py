"""Absolute links (mails, PDFs, the certificate's QR code) name the address the app is reached at."""

import pytest

from recognition.config import ConfigError, load_config
from recognition.urls import public_url


def test_in_development_a_link_names_the_host_the_request_came_to(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    with app.test_request_context("/", base_url="http://192.168.1.20:8080"):
        assert public_url("registry.verify", serial="CNCL-2026-0001") == (
            "http://192.168.1.20:8080/verify/CNCL-2026-0001"
        )


def test_outside_a_request_a_link_names_the_local_server_on_port(app, monkeypatch):
    """A CLI command has no request: the address `make run PORT=...` serves."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    monkeypatch.setitem(app.config, "PORT", 8080)
    assert public_url("registry.track", code="SCT-260105-0001") == (
        "http://127.0.0.1:8080/track?code=SCT-260105-0001"
    )


def test_public_base_url_wins_over_the_request(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://chuluc.example.vn/")
    with app.test_request_context("/", base_url="http://evil.example"):
        assert public_url("registry.results", round_id=3) == "https://chuluc.example.vn/results/3"


def test_production_refuses_to_start_without_public_base_url(monkeypatch, tmp_path):
    monkeypatch.setenv("RECOGNITION_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("AUDIT_KEY", "a" * 40)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL"):
        load_config(str(tmp_path))
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://chuluc.example.vn")
    assert load_config(str(tmp_path))["PUBLIC_BASE_URL"] == "https://chuluc.example.vn"


def test_the_tracking_address_fills_the_receipt_code_in(client):
    html = client.get("/track?code=SCT-260105-0001").text
    assert 'name="receipt_code"' in html and 'value="SCT-260105-0001"' in html
