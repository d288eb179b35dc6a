"""The secretariat's view of the audit trail's daily anchors, exported to be archived off-system."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.accounts.permissions import restricted_blueprint
from recognition.cases.audit import anchor_export
from recognition.cases.models import AuditAnchor
from recognition.extensions import db

bp = restricted_blueprint("audit", __name__, "/secretariat/audit", Role.secretariat)


@bp.route("/anchors")
def anchors() -> ResponseReturnValue:
    rows = db.session.scalars(select(AuditAnchor).order_by(AuditAnchor.day.desc()).limit(400)).all()
    return render_template("audit/anchors.html", anchors=rows)


@bp.route("/anchors/<day>.txt")
def anchor_file(day: str) -> ResponseReturnValue:
    try:
        anchor = db.session.get(AuditAnchor, date.fromisoformat(day))
    except ValueError:
        anchor = None
    if anchor is None:
        abort(404)
    return Response(
        anchor_export(anchor),
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="audit-anchor-{anchor.day.isoformat()}.txt"'},
    )
