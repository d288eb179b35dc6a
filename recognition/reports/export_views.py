"""A round's exports and its printable report (under /secretariat/exports), the secretariat's only."""

from __future__ import annotations

from flask import Response, render_template
from flask.typing import ResponseReturnValue

from recognition.accounts.models import Role
from recognition.accounts.permissions import restricted_blueprint
from recognition.clock import local_today
from recognition.documents.responses import file_response
from recognition.reports import exports
from recognition.reports.round_report import round_report
from recognition.rounds.queries import get_round_or_404

bp = restricted_blueprint("exports", __name__, "/secretariat/exports", Role.secretariat)


@bp.route("/rounds/<int:round_id>.xlsx")
def workbook(round_id: int) -> ResponseReturnValue:
    """Applications, scores and certificates, a sheet each."""
    round_ = get_round_or_404(round_id)
    data = exports.to_xlsx(exports.round_tables(round_))
    return file_response(data, f"{exports.file_stem(round_)}.xlsx", exports.XLSX_MIMETYPE)


def _csv(round_id: int, name: str) -> Response:
    round_ = get_round_or_404(round_id)
    table = exports.TABLES[name](round_)
    return file_response(
        exports.to_csv(table), f"{exports.file_stem(round_)}-{name}.csv", exports.CSV_MIMETYPE
    )


@bp.route("/rounds/<int:round_id>/applications.csv")
def applications_csv(round_id: int) -> ResponseReturnValue:
    return _csv(round_id, "applications")


@bp.route("/rounds/<int:round_id>/scores.csv")
def scores_csv(round_id: int) -> ResponseReturnValue:
    return _csv(round_id, "scores")


@bp.route("/rounds/<int:round_id>/certificates.csv")
def certificates_csv(round_id: int) -> ResponseReturnValue:
    return _csv(round_id, "certificates")


@bp.route("/rounds/<int:round_id>/report")
def report(round_id: int) -> ResponseReturnValue:
    """The round's report as a page made to be printed (a print stylesheet, no script)."""
    round_ = get_round_or_404(round_id)
    return render_template(
        "exports/report.html", round=round_, report=round_report(round_), today=local_today()
    )
