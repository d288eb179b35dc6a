"""The enterprise's side: its profile, products and nominations (under /applicant)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from recognition.accounts.models import Role
from recognition.accounts.permissions import blueprint_requires

bp = Blueprint("nomination", __name__, url_prefix="/applicant")
blueprint_requires(bp, Role.applicant)


@bp.route("/")
def home():
    enterprises = [m.enterprise for m in current_user.memberships if m.role == Role.applicant]
    return render_template("nomination/home.html", enterprises=enterprises)
