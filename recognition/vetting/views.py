"""The vetting body's side: a unit officer's queue of dossiers (under /unit)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from recognition.accounts.models import Role
from recognition.accounts.permissions import blueprint_requires

bp = Blueprint("vetting", __name__, url_prefix="/unit")
blueprint_requires(bp, Role.unit_officer)


@bp.route("/")
def home():
    units = [m.unit for m in current_user.memberships if m.role == Role.unit_officer]
    return render_template("vetting/home.html", units=units)
