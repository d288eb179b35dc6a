"""The Department's register of supporting-industry firms (under /secretariat/supporting)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from recognition.accounts.models import Enterprise, Role
from recognition.accounts.permissions import restricted_blueprint
from recognition.accounts.services import units_open_for_registration
from recognition.clock import local_today
from recognition.extensions import db
from recognition.params import render_list
from recognition.policy import commit, redisplay_on_refusal
from recognition.supporting.forms import FirmRegisterForm
from recognition.supporting.register import (
    RegisterFilters,
    profile_of,
    register_counts,
    register_page,
    save_profile,
    supporting_sectors,
)

bp = restricted_blueprint("supporting", __name__, "/secretariat/supporting", Role.secretariat)


@bp.route("/")
def firms() -> ResponseReturnValue:
    """The register: every firm with its sector, unit and certifications, filtered, with the counts."""
    filters = RegisterFilters.from_args(request.args)
    return render_list(
        "supporting/register_firms.html",
        filters,
        register_page,
        counts=register_counts(filters),
        sectors=supporting_sectors(),
        units=units_open_for_registration(local_today()),
    )


@bp.route("/firms/<int:enterprise_id>", methods=["GET", "POST"])
def firm(enterprise_id: int) -> ResponseReturnValue:
    """One firm's entry as the Department keeps it (created here for an enterprise that has none yet),
    and whether it is still active in supporting industries."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        abort(404)
    profile = profile_of(enterprise)
    form = FirmRegisterForm.for_profile(profile)
    if form.validate_on_submit():
        with redisplay_on_refusal(form):
            save_profile(enterprise, form.entry(), current_user)
            commit()
            flash(_("Saved."), "success")
            return redirect(url_for("supporting.firm", enterprise_id=enterprise.id))
    return render_template("supporting/register_firm.html", form=form, enterprise=enterprise, profile=profile)
