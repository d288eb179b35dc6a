"""The administrator's pages: accounts and reference data (under /admin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from recognition.accounts.forms import StaffAccountForm, StaffRolesForm, UnitForm
from recognition.accounts.models import (
    STAFF_ROLES,
    AdministrativeUnit,
    Enterprise,
    Role,
    Sector,
    UnitLevel,
    User,
)
from recognition.accounts.permissions import restricted_blueprint
from recognition.accounts.queries import (
    AccountFilters,
    UnitFilters,
    accounts_page,
    all_units,
    units_page,
    units_with_officers,
)
from recognition.accounts.reference import save_unit
from recognition.accounts.services import (
    create_staff_account,
    deactivate_account,
    reactivate_account,
    set_staff_roles,
)
from recognition.cases.audit import changed_fields, field_values, record_change
from recognition.extensions import db
from recognition.i18n import Form
from recognition.params import int_arg
from recognition.policy import back_to, commit, redisplay_on_refusal
from recognition.validators import filled

bp = restricted_blueprint("admin", __name__, "/admin", Role.admin)

UNIT_AUDIT_FIELDS = ("code", "official_code", "name", "level", "parent_id", "valid_from", "valid_to")


@bp.route("/")
def home() -> ResponseReturnValue:
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


@bp.route("/accounts")
def accounts() -> ResponseReturnValue:
    filters = AccountFilters.from_args(request.args)
    return render_template(
        "admin/accounts.html",
        page=accounts_page(filters, int_arg("page") or 1),
        filters=filters,
        active_arg=request.args.get("active", ""),
        roles=list(Role),
        units=units_with_officers(),
    )


@bp.route("/accounts/new", methods=["GET", "POST"])
def new_account() -> ResponseReturnValue:
    form = StaffAccountForm()
    if form.validate_on_submit():
        with redisplay_on_refusal(form):  # beside the field the refusal names, or above the form
            user = create_staff_account(
                filled(form.full_name.data),
                filled(form.email.data),
                filled(form.password.data),
                form.to_staff_roles(),
                current_user,
            )
            commit()
            flash(
                _("Account created. Give the initial password to %(email)s in person.", email=user.email),
                "success",
            )
            return redirect(url_for(".account", user_id=user.id))
    return render_template("admin/account_new.html", form=form)


def _load_account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _roles_form(user: User, **kwargs: Any) -> StaffRolesForm:
    held = [m.unit for m in user.memberships if m.unit is not None]
    return StaffRolesForm(held_units=held, **kwargs)


@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
def account(user_id: int) -> ResponseReturnValue:
    user = _load_account(user_id)
    if request.method == "POST":
        form = _roles_form(user)
        if form.validate():
            with redisplay_on_refusal(form):
                set_staff_roles(user, form.to_staff_roles(), current_user)
                commit()
                flash(_("Roles saved."), "success")
                return redirect(url_for(".account", user_id=user.id))
    else:
        form = _roles_form(
            user,
            data={
                "roles": sorted({m.role.value for m in user.memberships if m.role in STAFF_ROLES}),
                "unit_codes": [  # an officer's membership names its unit (constraint officer_has_unit)
                    m.unit.code
                    for m in user.memberships
                    if m.role == Role.unit_officer and m.unit is not None
                ],
            },
        )
    return render_template("admin/account.html", user=user, form=form)


@bp.route("/accounts/<int:user_id>/deactivate", methods=["POST"])
def deactivate(user_id: int) -> ResponseReturnValue:
    return _switch(user_id, deactivate_account, _("The account is deactivated and its sessions have ended."))


@bp.route("/accounts/<int:user_id>/reactivate", methods=["POST"])
def reactivate(user_id: int) -> ResponseReturnValue:
    return _switch(user_id, reactivate_account, _("The account is active again."))


def _switch(user_id: int, operation: Callable[[User, User], None], done_message: str) -> ResponseReturnValue:
    user = _load_account(user_id)
    back = back_to(url_for(".account", user_id=user.id))
    if Form().validate_on_submit():  # the CSRF token only
        operation(user, current_user)
        commit()
        flash(done_message, "success")
    return redirect(back)


@bp.route("/units")
def units() -> ResponseReturnValue:
    filters = UnitFilters.from_args(request.args)
    page = units_page(filters, int_arg("page") or 1)
    return render_template(
        "admin/units.html", page=page, search=filters.search, level=filters.level, levels=UnitLevel
    )


@bp.route("/units/new", methods=["GET", "POST"])
def new_unit() -> ResponseReturnValue:
    form = UnitForm(units=all_units())
    if form.validate_on_submit():
        with redisplay_on_refusal(form):
            unit = save_unit(form.to_record())
            record_change(unit, current_user, Role.admin.value, "unit_created", _unit_audit_values(unit))
            commit()
            flash(_("Unit %(name)s created.", name=unit.name), "success")
            return redirect(url_for(".units"))
    return render_template("admin/unit.html", form=form, unit=None)


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
def unit(unit_id: int) -> ResponseReturnValue:
    unit = db.session.get(AdministrativeUnit, unit_id)
    if unit is None:
        abort(404)
    units = [u for u in all_units() if u.id != unit.id]
    form = UnitForm(units=units) if request.method == "POST" else UnitForm.of(unit, units=units)
    if form.validate_on_submit():
        before = _unit_audit_values(unit)
        with redisplay_on_refusal(form):
            save_unit(form.to_record(), unit)
            changes = changed_fields(before, _unit_audit_values(unit))
            if changes:
                record_change(unit, current_user, Role.admin.value, "unit_updated", changes)
            commit()
            flash(_("Unit %(name)s saved.", name=unit.name), "success")
            return redirect(url_for(".units"))
    return render_template("admin/unit.html", form=form, unit=unit)


def _unit_audit_values(unit: AdministrativeUnit) -> dict:
    values = field_values(unit, UNIT_AUDIT_FIELDS)
    values["predecessor_codes"] = sorted(p.code for p in unit.predecessors)
    return values
