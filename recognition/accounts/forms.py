"""Login, enterprise registration, password and the administrator's account and unit forms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from recognition.accounts.models import (
    STAFF_ROLES,
    AdministrativeUnit,
    Role,
    UnitLevel,
    User,
    is_tax_code_shaped,
    is_valid_tax_code,
    normalise_tax_code,
)
from recognition.accounts.reference import UnitRecord
from recognition.accounts.services import (
    EnterpriseRegistration,
    StaffRoles,
    current_sectors,
    password_problem,
    tax_code_taken,
    units_open_for_registration,
)
from recognition.clock import local_today
from recognition.fields import checkbox_list, date_field, text_field
from recognition.i18n import Form
from recognition.validators import filled


def offer_units_and_sectors(form: Form, choose_first: bool = False) -> None:
    """Fill a form's unit_id and sector_id choices with the units and sectors valid today.

    With `choose_first` both start on an empty "Choose…" option (their coerce must map "" to None), so
    a newcomer who skips them is asked, rather than filed under whichever unit the list shows first."""
    today = local_today()
    locale = str(get_locale() or "vi")
    form.unit_id.choices = [SelectChoice(u.id, u.name) for u in units_open_for_registration(today)]
    form.sector_id.choices = [SelectChoice(s.id, s.name_for(locale)) for s in current_sectors(today)]
    if choose_first:
        for field in (form.unit_id, form.sector_id):
            field.choices.insert(0, SelectChoice("", _l("Choose…")))


def _int_or_none(value: str | int | None) -> int | None:
    """A select's value: the empty "Choose…" option is no choice (None), not a coercion error."""
    return None if value in ("", None) else int(value)


class LoginForm(Form):
    email = text_field(_l("E-mail"), 254, field=EmailField)
    password = text_field(_l("Password"), 200, field=PasswordField)
    submit = SubmitField(_l("Log in"))


class RegistrationForm(Form):
    enterprise_name = text_field(_l("Enterprise name"), 255)
    tax_code = text_field(
        _l("Tax code"), 14, description=_l("10 digits, or 10 digits, a dash and 3 digits for a branch")
    )
    address = text_field(_l("Head office address"), 500)
    unit_id = SelectField(
        _l("Administrative unit"),
        coerce=_int_or_none,
        validators=[DataRequired(message=_l("Choose the administrative unit of the head office."))],
    )
    sector_id = SelectField(
        _l("Sector"), coerce=_int_or_none, validators=[DataRequired(message=_l("Choose the sector."))]
    )
    full_name = text_field(_l("Your full name"), 200)
    email = text_field(_l("E-mail"), 254, Email(), field=EmailField)
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    submit = SubmitField(_l("Register"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_units_and_sectors(self, choose_first=True)

    def validate_tax_code(self, field: StringField) -> None:
        code = normalise_tax_code(field.data)
        if not is_tax_code_shaped(code):
            raise ValidationError(_l("A tax code has 10 digits, optionally followed by a dash and 3 digits."))
        if not is_valid_tax_code(code):
            raise ValidationError(
                _l("This tax code's check digit (the 10th digit) does not match: check the number.")
            )
        field.data = code
        if tax_code_taken(field.data):
            raise ValidationError(_l("An enterprise with this tax code is already registered."))

    def to_registration(self) -> EnterpriseRegistration:
        return EnterpriseRegistration(
            enterprise_name=filled(self.enterprise_name.data),
            tax_code=filled(self.tax_code.data),
            address=filled(self.address.data),
            unit_id=self.unit_id.data,
            sector_id=self.sector_id.data,
            full_name=filled(self.full_name.data),
            email=filled(self.email.data),
            password=filled(self.password.data),
        )


def _unit_choices(units: Iterable[AdministrativeUnit]) -> list[SelectChoice]:
    return [SelectChoice(u.code, f"{u.name} ({u.code})") for u in units]


class StaffRolesForm(Form):
    """The staff roles of an account; a unit officer also names the unit(s) they vet."""

    roles = checkbox_list(_l("Roles"), choices=Role.choices(STAFF_ROLES))
    unit_codes = SelectMultipleField(
        _l("Units vetted (unit officers only)"),
        description=_l("Hold Ctrl (⌘ on a Mac) to choose more than one."),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, held_units: Iterable[AdministrativeUnit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = {u.code: u for u in units_open_for_registration(local_today())}
        offered.update({u.code: u for u in held_units})
        self.units_by_code = offered
        self.unit_codes.choices = _unit_choices(sorted(offered.values(), key=lambda u: u.name))

    def to_staff_roles(self) -> StaffRoles:
        return StaffRoles(
            roles=[Role(value) for value in self.roles.data or []],
            units=[self.units_by_code[code] for code in self.unit_codes.data or []],
        )


class StaffAccountForm(StaffRolesForm):
    full_name = text_field(_l("Full name"), 200)
    email = text_field(_l("E-mail"), 254, Email(), field=EmailField)
    password = text_field(
        _l("Initial password"),
        200,
        field=PasswordField,
        description=_l("Give it to the person yourself; they must choose their own at first login."),
    )
    submit = SubmitField(_l("Create the account"))


class ChangePasswordForm(Form):
    current_password = text_field(_l("Current password"), 200, field=PasswordField)
    new_password = text_field(
        _l("New password"),
        200,
        field=PasswordField,
        description=_l("At least 8 characters, not your e-mail address."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords do not match."))],
    )
    submit = SubmitField(_l("Change the password"))

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_current_password(self, field: PasswordField) -> None:
        if not self.user.check_password(filled(field.data)):
            raise ValidationError(_l("This is not your current password."))

    def validate_new_password(self, field: PasswordField) -> None:
        problem = password_problem(self.user.email, filled(field.data))
        if problem:
            raise ValidationError(problem)
        if self.user.check_password(filled(field.data)):
            raise ValidationError(_l("Choose a password different from the current one."))


class UnitForm(Form):
    """An administrative unit; parent and predecessors are checked by the import's rules
    (reference.link_unit), so the form leaves their choice unchecked."""

    code = text_field(
        _l("Code"), 20, description=_l("This system's code, e.g. X-DONGANH; it never changes meaning.")
    )
    official_code = text_field(
        _l("Official code"),
        10,
        required=False,
        description=_l("The General Statistics Office's code (mã đơn vị hành chính), if any."),
    )
    name = text_field(_l("Name"), 120)
    level = SelectField(_l("Level"), choices=UnitLevel.choices())
    parent_code = SelectField(_l("Parent unit"), validate_choice=False)
    valid_from = date_field(_l("Valid from"))
    valid_to = date_field(_l("Valid until"), required=False)
    predecessor_codes = SelectMultipleField(
        _l("Predecessor units"),
        validate_choice=False,
        description=_l("The units whose area this one took over. Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, units: Sequence[AdministrativeUnit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parent_code.choices = [SelectChoice("", _l("None"))] + _unit_choices(units)
        self.predecessor_codes.choices = _unit_choices(units)

    @classmethod
    def of(cls, unit: AdministrativeUnit, **kwargs: Any) -> UnitForm:
        """The form filled with a unit's current values."""
        data = {
            "code": unit.code,
            "official_code": unit.official_code or "",
            "name": unit.name,
            "level": unit.level.value,
            "parent_code": unit.parent.code if unit.parent else "",
            "valid_from": unit.valid_from,
            "valid_to": unit.valid_to,
            "predecessor_codes": [p.code for p in unit.predecessors],
        }
        return cls(data=data, **kwargs)

    def to_record(self) -> UnitRecord:
        return UnitRecord(
            code=filled(self.code.data).strip(),
            official_code=(self.official_code.data or "").strip(),
            name=filled(self.name.data).strip(),
            level=self.level.data,
            valid_from=self.valid_from.data,
            valid_to=self.valid_to.data,
            parent_code=self.parent_code.data or "",
            predecessor_codes=tuple(self.predecessor_codes.data or ()),
        )
