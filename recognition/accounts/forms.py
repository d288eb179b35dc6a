"""Login and enterprise registration forms."""

from __future__ import annotations

from datetime import date

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from recognition.accounts.models import is_tax_code_shaped, is_valid_tax_code, normalise_tax_code
from recognition.accounts.services import (
    EnterpriseRegistration,
    current_sectors,
    tax_code_taken,
    units_open_for_registration,
)
from recognition.i18n import Form


def offer_units_and_sectors(form) -> None:
    """Fill a form's unit_id and sector_id choices with the units and sectors valid today."""
    today = date.today()
    locale = str(get_locale() or "vi")
    form.unit_id.choices = [SelectChoice(u.id, u.name) for u in units_open_for_registration(today)]
    form.sector_id.choices = [SelectChoice(s.id, s.name_for(locale)) for s in current_sectors(today)]


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))


class RegistrationForm(Form):
    enterprise_name = StringField(_l("Enterprise name"), validators=[DataRequired(), Length(max=255)])
    tax_code = StringField(
        _l("Tax code"),
        validators=[DataRequired(), Length(max=14)],
        description=_l("10 digits, or 10 digits, a dash and 3 digits for a branch"),
    )
    address = StringField(_l("Head office address"), validators=[DataRequired(), Length(max=500)])
    unit_id = SelectField(_l("Administrative unit"), coerce=int, validators=[DataRequired()])
    sector_id = SelectField(_l("Sector"), coerce=int, validators=[DataRequired()])
    full_name = StringField(_l("Your full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    submit = SubmitField(_l("Register"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_units_and_sectors(self)

    def validate_tax_code(self, field) -> None:
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
            enterprise_name=self.enterprise_name.data,
            tax_code=self.tax_code.data,
            address=self.address.data,
            unit_id=self.unit_id.data,
            sector_id=self.sector_id.data,
            full_name=self.full_name.data,
            email=self.email.data,
            password=self.password.data,
        )
