"""The enterprise's own entry in the register of supporting-industry firms (under /applicant)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from recognition.accounts.models import Enterprise, Role
from recognition.accounts.permissions import restricted_blueprint
from recognition.policy import commit, redisplay_on_refusal
from recognition.supporting.forms import SupplierProfileForm
from recognition.supporting.register import profile_of, save_profile

bp = restricted_blueprint("supplier_profile", __name__, "/applicant/supplier-profile", Role.applicant)


def my_enterprise() -> Enterprise:
    """The enterprise the applicant acts for (one account, one enterprise, for both programmes)."""
    memberships = [m for m in current_user.memberships if m.role == Role.applicant and m.enterprise]
    if not memberships:
        abort(404)
    return memberships[0].enterprise


@bp.route("/", methods=["GET", "POST"])
def edit() -> ResponseReturnValue:
    """The enterprise's entry in the register of supporting-industry firms, certifications included."""
    enterprise = my_enterprise()
    form = SupplierProfileForm.for_profile(profile_of(enterprise))
    if form.validate_on_submit():
        with redisplay_on_refusal(form):
            save_profile(enterprise, form.entry(), current_user)
            commit()
            flash(_("Saved."), "success")
            return redirect(url_for("supplier_profile.edit"))
    return render_template("supporting/profile.html", form=form, enterprise=enterprise)
