"""/healthz, for the load balancer or the orchestrator in front of the app servers."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from recognition.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the app reaches its database (SELECT 1), else 503. The answer says nothing else: no
    version, no configuration, no error text (that goes to the log)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("Health check: the database does not answer")
        response, code = jsonify(status="unavailable"), 503
    else:
        response, code = jsonify(status="ok"), 200
    response.headers["Cache-Control"] = "no-store"
    return response, code
