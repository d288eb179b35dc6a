"""The support log (under /secretariat/support): which recognised enterprises received support, and
the form that records it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from recognition.accounts.models import Enterprise, Role
from recognition.accounts.permissions import blueprint_requires
from recognition.extensions import db
from recognition.policy import commit, redisplay_on_refusal
from recognition.reports.support import (
    NOT_RECOGNISED,
    certificates_of,
    recognised_since,
    record_support,
    support_coverage,
    support_records_of,
)
from recognition.reports.support_forms import SupportForm
from recognition.rounds.queries import get_round_or_404
from recognition.validators import filled

bp = Blueprint("support", __name__, url_prefix="/secretariat/support")
blueprint_requires(bp, Role.secretariat)


@bp.route("/")
def current() -> ResponseReturnValue:
    """The enterprises holding a certificate valid today, supported or not yet."""
    return render_template("support/coverage.html", round=None, coverage=support_coverage())


@bp.route("/rounds/<int:round_id>")
def round_coverage(round_id: int) -> ResponseReturnValue:
    """The enterprises the round recognised, supported or not yet."""
    round_ = get_round_or_404(round_id)
    return render_template("support/coverage.html", round=round_, coverage=support_coverage(round_))


@bp.route("/enterprises/<int:enterprise_id>", methods=["GET", "POST"])
def enterprise(enterprise_id: int) -> ResponseReturnValue:
    """One recognised enterprise's support, and the form to log more while its certificate is valid."""
    enterprise_ = db.session.get(Enterprise, enterprise_id)
    certificates = certificates_of(enterprise_) if enterprise_ is not None else []
    if enterprise_ is None or not certificates:
        abort(404)  # only an enterprise that has been recognised has a support log
    since = recognised_since(certificates)
    form = SupportForm(since=since)
    if since is not None and form.validate_on_submit():
        with redisplay_on_refusal(form, field="kind"):  # beside the field the refusal names
            record_support(
                enterprise_, form.kind.data, filled(form.date.data), filled(form.programme.data),
                form.amount_vnd.data, form.note.data or "", current_user,
            )  # fmt: skip
            commit()
            flash(_("Support recorded."), "success")
            return redirect(url_for("support.enterprise", enterprise_id=enterprise_.id))
    elif form.is_submitted() and since is None:
        flash(str(NOT_RECOGNISED), "danger")
    return render_template(
        "support/enterprise.html",
        enterprise=enterprise_,
        certificates=certificates,
        recognised_since=since,
        records=support_records_of(enterprise_),
        form=form,
    )
