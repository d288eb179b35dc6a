"""The public supplier directory: supporting-industry firms that agreed to be listed."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("suppliers", __name__, url_prefix="/suppliers")
