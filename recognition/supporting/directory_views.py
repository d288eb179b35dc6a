"""The public supplier directory: supporting-industry firms that agreed to be listed."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from recognition.clock import local_today
from recognition.params import render_list
from recognition.supporting.directory import (
    FILTER_STANDARDS,
    DirectoryFilters,
    directory_page,
    listed_profile,
)
from recognition.supporting.register import supporting_sectors

bp = Blueprint("suppliers", __name__, url_prefix="/suppliers")


@bp.route("/")
def directory() -> ResponseReturnValue:
    """Listed firms, searched by component, standard or name, filtered by sector and standard."""
    return render_list(
        "suppliers/directory.html",
        DirectoryFilters.from_args(request.args),
        directory_page,
        sectors=supporting_sectors(),
        standards=FILTER_STANDARDS,
        today=local_today(),
    )


@bp.route("/<int:enterprise_id>")
def firm(enterprise_id: int) -> ResponseReturnValue:
    """One listed firm; a firm that did not agree to be listed is not found, as an unknown one."""
    profile = listed_profile(enterprise_id)
    if profile is None:
        abort(404)
    return render_template("suppliers/firm.html", profile=profile, today=local_today())
