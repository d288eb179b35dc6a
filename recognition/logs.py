"""Logs as JSON lines on stderr in production: one object a line, which a log collector (journald,
Loki, CloudWatch) indexes by field without parsing prose. Development keeps Flask's readable lines."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from flask import Flask, has_request_context, request
from flask.logging import default_handler


class JsonLines(logging.Formatter):
    """A record as one JSON object: time (UTC), level, logger, message, the request it served, the
    traceback if any. Only what the record says: no configuration, no form data."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str | None] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry.update(method=request.method, path=request.path, remote_addr=request.remote_addr)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(app: Flask) -> None:
    """LOG_FORMAT=json (the production default): every logger's records as JSON lines on stderr, at
    LOG_LEVEL, through one handler on the root logger (replaced, not added again, by a second app)."""
    if app.config["LOG_FORMAT"] != "json":
        return
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h.formatter, JsonLines)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler()  # stderr
    handler.setFormatter(JsonLines())
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)
