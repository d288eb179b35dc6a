"""/healthz and the JSON log lines of production (issue 17)."""

from __future__ import annotations

import json
import logging
import sys

from recognition import create_app
from recognition.config import load_config
from recognition.logs import JsonLines


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_answers_503_without_telling_why(app, tmp_path):
    unreachable = f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}"
    broken = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": unreachable, "LOG_FORMAT": "text"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
    assert "no-such-folder" not in response.text and "sqlite" not in response.text.lower()


def test_production_logs_json_lines_by_default(monkeypatch, tmp_path):
    keys = {"SECRET_KEY": "s" * 32, "AUDIT_KEY": "a" * 32, "PUBLIC_BASE_URL": "https://chuluc.example.vn"}
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    monkeypatch.setenv("RECOGNITION_ENV", "production")
    assert load_config(str(tmp_path), keys)["LOG_FORMAT"] == "json"
    monkeypatch.setenv("RECOGNITION_ENV", "development")
    assert load_config(str(tmp_path), keys)["LOG_FORMAT"] == "text"


def test_a_json_app_logs_one_object_a_line_with_its_request(app):
    root = logging.getLogger()
    json_app = create_app({**app.config, "LOG_FORMAT": "json"})
    try:
        (handler,) = [h for h in root.handlers if isinstance(h.formatter, JsonLines)]
        create_app({**app.config, "LOG_FORMAT": "json"})  # a second app replaces the handler
        (handler,) = [h for h in root.handlers if isinstance(h.formatter, JsonLines)]
        with json_app.test_request_context("/track?code=X"):
            try:
                raise ValueError("boom")
            except ValueError:
                record = logging.LogRecord(
                    "recognition", logging.ERROR, __file__, 1, "failed %s", ("once",), None
                )
                record.exc_info = sys.exc_info()
            line = handler.format(record)
    finally:
        for h in [h for h in root.handlers if isinstance(h.formatter, JsonLines)]:
            root.removeHandler(h)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["message"] == "failed once"
    assert entry["method"] == "GET" and entry["path"] == "/track"
    assert "ValueError: boom" in entry["exception"]
    assert "SECRET_KEY" not in line and app.config["SECRET_KEY"] not in line
