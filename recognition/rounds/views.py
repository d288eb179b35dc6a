"""The secretariat's side: rounds, criteria and targets (under /secretariat)."""

from __future__ import annotations

from flask import Blueprint, render_template

from recognition.accounts.models import Role
from recognition.accounts.permissions import blueprint_requires

bp = Blueprint("rounds", __name__, url_prefix="/secretariat")
blueprint_requires(bp, Role.secretariat)


@bp.route("/")
def home():
    return render_template("rounds/home.html")
