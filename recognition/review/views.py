"""The council member's side: assigned dossiers and scoring (under /council)."""

from __future__ import annotations

from flask import Blueprint, render_template

from recognition.accounts.models import Role
from recognition.accounts.permissions import blueprint_requires

bp = Blueprint("review", __name__, url_prefix="/council")
blueprint_requires(bp, Role.council_member)


@bp.route("/")
def home():
    return render_template("review/home.html")
