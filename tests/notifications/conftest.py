"""The SMTP server fixture shared by the mail tests."""

import pytest

from tests.notifications.smtp import start_server


@pytest.fixture
def smtp(app, monkeypatch):
    controller, handler = start_server()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_RETRY_SECONDS", 60)
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    yield handler
    controller.stop()
