"""The administrator's pages: accounts and reference data (under /admin)."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from recognition.accounts.models import AdministrativeUnit, Enterprise, Role, Sector, User
from recognition.accounts.permissions import blueprint_requires
from recognition.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")
blueprint_requires(bp, Role.admin)


@bp.route("/")
def home():
    counts = {
        label: db.session.scalar(select(func.count()).select_from(model))
        for label, model in (
            ("users", User),
            ("enterprises", Enterprise),
            ("units", AdministrativeUnit),
            ("sectors", Sector),
        )
    }
    return render_template("admin/home.html", counts=counts)
