"""The support log (under /secretariat/support): which recognised or selected enterprises received
support, and the form that records it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from recognition.accounts.models import Role
from recognition.accounts.permissions import restricted_blueprint
from recognition.policy import commit, redisplay_on_refusal
from recognition.reports.support import NOT_RECOGNISED, record_support, support_coverage, support_log_of
from recognition.reports.support_forms import SupportForm
from recognition.reports.support_models import SupportKind
from recognition.rounds.queries import get_round_or_404
from recognition.validators import filled

bp = restricted_blueprint("support", __name__, "/secretariat/support", Role.secretariat)


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
    """One recognised or selected enterprise's support, and the form to log more while its certificate
    is valid or once it is selected."""
    log = support_log_of(enterprise_id)
    if log is None:
        abort(404)  # only an enterprise that has been recognised or selected has a support log
    form = SupportForm(since=log.recognised_since)
    if log.recognised_since is not None and form.validate_on_submit():
        with redisplay_on_refusal(form, field="kind"):  # beside the field the refusal names
            record_support(
                log.enterprise, form.kind.data, filled(form.date.data), filled(form.programme.data),
                form.amount_vnd.data, form.note.data or "", current_user,
            )  # fmt: skip
            commit()
            flash(_("Support recorded."), "success")
            return redirect(url_for("support.enterprise", enterprise_id=log.enterprise.id))
    elif form.is_submitted() and log.recognised_since is None:
        flash(str(NOT_RECOGNISED), "danger")
    return render_template(
        "support/enterprise.html", form=form, support_labels=SupportKind.labels(), **log._asdict()
    )
