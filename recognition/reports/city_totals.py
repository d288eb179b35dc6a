"""The city's yearly totals the secretariat enters (from the statistics office), audited like any
other record the secretariat changes."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import Field, IntegerField, SubmitField
from wtforms.form import BaseForm
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import HiddenInput

from recognition.accounts.models import Role, User
from recognition.cases.audit import save_entry
from recognition.clock import utcnow
from recognition.extensions import db
from recognition.i18n import Form
from recognition.nomination.forms import MoneyField
from recognition.reports.models import CityTotals

AUDITED_FIELDS = ("year", "industrial_output_vnd", "export_value_usd")
# Far above Hanoi's figures (about 10^15 VND of output, 10^10 USD of exports), within BigInteger.
MAX_OUTPUT_VND = 10**18
MAX_EXPORTS_USD = 10**14


def may_enter_city_totals(user: User) -> bool:
    """The secretariat enters the totals; the administrator only reads the dashboard."""
    return user.is_authenticated and user.has_role(Role.secretariat)


def more_than_zero(_form: BaseForm, field: Field) -> None:
    """A total of zero would make every share meaningless (negative ones MoneyField refuses itself)."""
    if field.data == 0:
        raise ValidationError(_("Must be more than zero."))


class CityTotalsForm(Form):
    year = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(1990, 2100)])
    industrial_output_vnd = MoneyField(
        _l("City's industrial output (VND)"),
        validators=[InputRequired(), NumberRange(max=MAX_OUTPUT_VND), more_than_zero],
        description=_l("The statistics office's production value of industry for the year, in whole đồng."),
    )
    export_value_usd = MoneyField(
        _l("City's exports (USD)"),
        validators=[InputRequired(), NumberRange(max=MAX_EXPORTS_USD), more_than_zero],
        description=_l("The city's export turnover for the year, in US dollars."),
    )
    submit = SubmitField(_l("Save the city's totals"))


def save_city_totals(year: int, industrial_output_vnd: int, export_value_usd: int, actor: User) -> CityTotals:
    """Enter or correct a year's totals; the change joins the record's audit chain. The caller commits."""
    found = db.session.scalar(select(CityTotals).where(CityTotals.year == year))
    values = {"industrial_output_vnd": industrial_output_vnd, "export_value_usd": export_value_usd}
    stamp = {"entered_by_id": actor.id, "entered_at": utcnow()}
    return save_entry(
        found, lambda: CityTotals(year=year), values | stamp, AUDITED_FIELDS, actor, "city_totals"
    )
