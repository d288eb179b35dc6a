"""The secretariat's round settings (under /secretariat): rounds, criteria, council."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from recognition.accounts.models import Role, RoleMembership, User
from recognition.accounts.permissions import restricted_blueprint
from recognition.clock import local_today
from recognition.extensions import db
from recognition.params import int_arg
from recognition.policy import back_to, commit, redisplay_on_refusal
from recognition.review.models import CriterionGroup
from recognition.review.scoring import criteria_frozen, criteria_of, groups_of, members_with_submitted_sheets
from recognition.review.services import add_council_member, council_of
from recognition.rounds import forms, services
from recognition.rounds.calendar import calendar_exceptions_from, set_calendar_exception
from recognition.rounds.models import CalendarException, Programme, Round
from recognition.rounds.queries import get_round_or_404, rounds_newest_first, submitted_dossier_count
from recognition.validators import add_error, filled

bp = restricted_blueprint("rounds", __name__, "/secretariat", Role.secretariat)


@bp.route("/")
def home() -> ResponseReturnValue:
    rounds = db.session.scalars(
        select(Round).options(joinedload(Round.programme)).order_by(Round.year.desc(), Round.id.desc())
    ).all()
    return render_template("rounds/home.html", rounds=rounds)


def _round_form(round_: Round | None) -> forms.RoundForm:
    programmes = db.session.scalars(select(Programme).order_by(Programme.id)).all()
    form = forms.RoundForm(programmes, obj=round_)
    if round_ is not None and not form.is_submitted():
        form.status.data = round_.status.value
        form.vetting_body.data = round_.vetting_body.value
        form.supplement_expiry.data = round_.supplement_expiry.value
        form.outcome.data = round_.outcome.value
        form.vetting_report.data = round_.vetting_report.value
    return form


DEFAULTED_SETTINGS = (
    "vetting_working_days", "max_supplement_requests", "supplement_working_days", "reviewers_per_dossier",
    "pass_threshold", "top_n", "spread_flag_points", "certificate_validity_months",
    "min_revenue_high_tech_vnd", "min_revenue_other_vnd", "min_exports_handicraft_usd",
)  # fmt: skip


def _settings_data(form: forms.RoundForm) -> dict[str, Any]:
    return {name: field.data for name, field in form._fields.items() if name not in ("csrf_token", "submit")}


@bp.route("/rounds/new", methods=["GET", "POST"])
def new_round() -> ResponseReturnValue:
    form = _round_form(None)
    if not form.is_submitted():
        for name in DEFAULTED_SETTINGS:  # start from the model's defaults
            default = cast(ScalarElementColumnDefault, Round.__table__.c[name].default)  # a plain value each
            getattr(form, name).data = default.arg
    if form.validate_on_submit():
        if services.round_taken(form.programme_id.data, filled(form.year.data)):
            add_error(form.year, _("This programme already has a round for that year."))
        else:
            round_ = services.create_round(_settings_data(form), current_user)
            commit()
            flash(_("Round created with the default 100-point rubric."), "success")
            return redirect(url_for("rounds.criteria", round_id=round_.id))
    return render_template("rounds/edit.html", form=form, round=None, frozen=False)


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def edit_round(round_id: int) -> ResponseReturnValue:
    round_ = get_round_or_404(round_id)
    form = _round_form(round_)
    if form.validate_on_submit():
        if services.round_taken(form.programme_id.data, filled(form.year.data), exclude_id=round_.id):
            add_error(form.year, _("This programme already has a round for that year."))
        else:
            with redisplay_on_refusal(form):  # a frozen setting: refused beside its field
                services.apply_round_settings(round_, _settings_data(form), current_user)
                commit()
                flash(_("Saved."), "success")
                return redirect(url_for("rounds.edit_round", round_id=round_.id))
    frozen = criteria_frozen(round_.id)
    if frozen:
        for name in services.FROZEN_WITH_CRITERIA:
            form[name].render_kw = {"readonly": True}
    return render_template("rounds/edit.html", form=form, round=round_, frozen=frozen)


@bp.route("/rounds/clone", methods=["GET", "POST"])
def clone_round() -> ResponseReturnValue:
    """Next year's round from last year's (?source=<id> picks it): then its dates are edited."""
    form = forms.CloneRoundForm(rounds_newest_first())
    if not form.is_submitted() and (source := db.session.get(Round, int_arg("source") or 0)):
        form.source_id.data, form.year.data = source.id, source.year + 1
    if form.validate_on_submit():
        source = get_round_or_404(form.source_id.data)
        year = filled(form.year.data)
        if services.round_taken(source.programme_id, year):
            add_error(form.year, _("This programme already has a round for that year."))
        else:
            title = (form.title.data or "").strip() or services.clone_title(source, year)
            round_ = services.clone_round(source, year, title, current_user)
            commit()
            flash(
                _("Round created from %(year)s: check its dates, then open it.", year=source.year), "success"
            )
            return redirect(url_for("rounds.edit_round", round_id=round_.id))
    return render_template("rounds/clone.html", form=form)


@bp.route("/rounds/<int:round_id>/documents", methods=["GET", "POST"])
def required_documents(round_id: int) -> ResponseReturnValue:
    """The document kinds a nomination must carry (see services.set_required_documents for when)."""
    round_ = get_round_or_404(round_id)
    form = forms.RequiredDocumentsForm()
    if not form.is_submitted():
        form.kinds.data = list(round_.required_documents)
    if form.validate_on_submit():
        services.set_required_documents(round_, filled(form.kinds.data), current_user)
        commit()
        flash(_("Saved."), "success")
        return redirect(url_for("rounds.required_documents", round_id=round_.id))
    return render_template(
        "rounds/documents.html", round=round_, form=form, submitted=submitted_dossier_count(round_)
    )


def _group_data(group: CriterionGroup) -> dict[str, Any]:
    criteria = [
        {"id": str(c.id), "code": c.code, "name_vi": c.name_vi, "name_en": c.name_en,
         "max_points": c.max_points, "guidance_vi": c.guidance_vi, "guidance_en": c.guidance_en}
        for c in group.criteria
    ]  # fmt: skip
    return {
        "id": str(group.id), "code": group.code, "name_vi": group.name_vi, "name_en": group.name_en,
        "min_points": group.min_points, "criteria": criteria, "new_criterion": {},
    }  # fmt: skip


@bp.route("/rounds/<int:round_id>/criteria", methods=["GET", "POST"])
def criteria(round_id: int) -> ResponseReturnValue:
    round_ = get_round_or_404(round_id)
    groups = groups_of(round_.id)
    frozen = criteria_frozen(round_.id)
    form = forms.CriteriaForm()
    if not form.is_submitted():
        form = forms.CriteriaForm(data={"groups": [_group_data(g) for g in groups]})
    elif form.validate_on_submit():
        with redisplay_on_refusal(form):  # refused (frozen): the criteria stay as typed
            discarded = services.save_criteria(round_, [entry.data for entry in form.groups], current_user)
            commit()
            flash(_("Saved."), "success")
            if discarded:
                flash(
                    _("Draft scores discarded with the removed criteria: %(count)s.", count=discarded), "info"
                )
            return redirect(url_for("rounds.criteria", round_id=round_.id))
    total = sum((g.max_points for g in groups), 0)
    return render_template("rounds/criteria.html", round=round_, form=form, frozen=frozen, total=total)


@bp.route("/rounds/<int:round_id>/council", methods=["GET", "POST"])
def council(round_id: int) -> ResponseReturnValue:
    round_ = get_round_or_404(round_id)
    members = council_of(round_)
    member_ids = {m.user_id for m in members}
    candidates = [
        u
        for u in db.session.scalars(
            select(User)
            .join(RoleMembership)
            .where(RoleMembership.role == Role.council_member, User.active.is_(True))
            .order_by(User.full_name)
        ).unique()
        if u.id not in member_ids
    ]
    add_form = forms.CouncilMemberForm(candidates, prefix="add")
    back = back_to(url_for("rounds.council", round_id=round_.id))  # where a refusal is shown
    if add_form.submit.data and add_form.validate_on_submit():
        member = db.session.get_one(User, add_form.user_id.data)  # one of the choices offered
        add_council_member(round_, member, add_form.title.data or "")
        commit()
        flash(_("Added to the council."), "success")
        return redirect(back)
    criteria = criteria_of(round_.id)
    assigned = services.criterion_assignments(round_)
    locked = {user.id for user in members_with_submitted_sheets(round_)}
    editable = [m for m in members if m.user_id not in locked]
    assignment_form = forms.criterion_assignment_form(editable, criteria, assigned)
    if assignment_form.submit.data and assignment_form.validate_on_submit():
        chosen = {
            m.user_id: {int(c) for c in getattr(assignment_form, f"member_{m.user_id}").data}
            for m in editable
        }
        services.set_criterion_assignments(round_, chosen, current_user)
        commit()
        flash(_("Saved."), "success")
        return redirect(back)
    return render_template(
        "rounds/council.html",
        round=round_,
        members=members,
        add_form=add_form,
        assignment_form=assignment_form,
        locked_criteria={
            m.user_id: [c for c in criteria if not assigned or c.id in assigned.get(m.user_id, set())]
            for m in members
            if m.user_id in locked
        },
    )


@bp.route("/rounds/<int:round_id>/council/<int:user_id>/remove", methods=["POST"])
def remove_member(round_id: int, user_id: int) -> ResponseReturnValue:
    round_ = get_round_or_404(round_id)
    back = back_to(url_for("rounds.council", round_id=round_.id))
    withdrawn = services.remove_council_member(round_, user_id, current_user)
    commit()
    flash(_("Removed from the council."), "info")
    if withdrawn:
        flash(
            _(
                "Their open assignments were withdrawn: %(count)s. Assign reviewers to those dossiers again.",
                count=withdrawn,
            ),
            "warning",
        )
    return redirect(back)


@bp.route("/calendar", methods=["GET", "POST"])
def calendar() -> ResponseReturnValue:
    """The make-up working days and extra days off that working-day deadlines must respect."""
    form = forms.CalendarExceptionForm()
    if form.validate_on_submit():
        set_calendar_exception(filled(form.day.data), form.is_working_day.data == "1", form.note.data or "")
        commit()
        flash(_("Saved."), "success")
        return redirect(url_for("rounds.calendar"))
    days = calendar_exceptions_from(local_today() - timedelta(days=365))
    return render_template("rounds/calendar.html", form=form, days=days)


@bp.route("/calendar/<day>/remove", methods=["POST"])
def remove_calendar_day(day: str) -> ResponseReturnValue:
    try:
        exception = db.session.get(CalendarException, date.fromisoformat(day))
    except ValueError:
        abort(404)
    if exception is None:
        abort(404)
    db.session.delete(exception)
    commit()
    flash(_("Removed from the calendar."), "info")
    return redirect(url_for("rounds.calendar"))
