"""The read-only JSON API (under /api/v1): registry, one product, certificate verification."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def register_api(app) -> None:
    """Called by create_app(); the API module owns how it is mounted (and its OpenAPI document)."""
    app.register_blueprint(bp)
