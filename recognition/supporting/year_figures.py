"""The supporting industries' yearly figures the secretariat enters from the statistics office's:
their share of the city's manufacturing output and their production index's growth. Audited on the
programme's record, like any other record the secretariat changes."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, Field, IntegerField, SubmitField
from wtforms.form import BaseForm
from wtforms.validators import InputRequired, NumberRange, Optional, StopValidation, ValidationError
from wtforms.widgets import TextInput

from recognition.accounts.models import User
from recognition.cases.audit import save_entry
from recognition.clock import local_today, utcnow
from recognition.extensions import db
from recognition.i18n import Form
from recognition.rounds.models import Programme
from recognition.supporting.models import ProgrammeYearFigures

AUDITED_FIELDS = ("output_share_percent", "index_growth_percent")
FIRST_YEAR = 2000  # before any figures the plan compares with
CENT = Decimal("0.01")


class PercentField(DecimalField):
    """A percentage to the cent, with a decimal comma (16,5: Vietnamese) or point (16.5: English).

    A text input: a number input refuses the comma in some browsers. No thousands separator is
    needed below 10 000 %, so a single mark is always the decimal one."""

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        kwargs["places"] = 2
        super().__init__(*args, **kwargs)

    def _value(self) -> str:
        """What was typed, else the figure in the reader's convention (16,50 or 16.50)."""
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else format_decimal(self.data, format="0.00")

    def pre_validate(self, form: BaseForm) -> None:
        """A number that could not be read gets that one message, not a range's besides."""
        if self.process_errors:
            raise StopValidation()

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not isinstance(valuelist[0], str) or not valuelist[0].strip():
            self.data = None
            return
        text = re.sub(r"\s", "", unicodedata.normalize("NFKC", valuelist[0])).replace(",", ".")
        if not re.fullmatch(r"[-+−]?[0-9]+(\.[0-9]*)?|[-+−]?\.[0-9]+", text):
            self.data = None
            raise ValueError(_("Write a number such as 16,5 or 16.5 (no thousands separator)."))
        try:
            self.data = Decimal(text.replace("−", "-")).quantize(CENT, rounding=ROUND_HALF_UP)
        except InvalidOperation as error:  # the regular expression lets through only numbers
            raise ValueError(_("Write a number such as 16,5 or 16.5 (no thousands separator).")) from error


def not_after_this_year(_form: BaseForm, field: Field) -> None:
    """Figures are published after a year ends, at the earliest during it."""
    if field.data is not None and field.data > local_today().year:
        raise ValidationError(_("The year cannot be after this year."))


class YearFiguresForm(Form):
    year = IntegerField(
        _l("Year"), validators=[InputRequired(), NumberRange(min=FIRST_YEAR, max=2100), not_after_this_year]
    )
    output_share_percent = PercentField(
        _l("Share of the city's manufacturing output (%)"),
        validators=[Optional(), NumberRange(min=0, max=100)],
        description=_l(
            "The supporting industries' output as a share of the manufacturing output, e.g. 15,8."
        ),
    )
    index_growth_percent = PercentField(
        _l("Growth of the production index (%)"),
        validators=[Optional(), NumberRange(min=-100, max=1000)],
        description=_l("On the year before, e.g. 11,2; a fall is negative (-3,5)."),
    )
    submit = SubmitField(_l("Save the year's figures"))

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.output_share_percent.data is None and self.index_growth_percent.data is None:
            self.output_share_percent.errors = [_("Enter at least one of the two figures.")]
            return False
        return True


def default_year(today: date) -> int:
    """The statistics office publishes a year's figures in the next: the year before is the usual one."""
    return today.year - 1


def save_year_figures(
    programme: Programme,
    year: int,
    output_share_percent: Decimal | None,
    index_growth_percent: Decimal | None,
    actor: User,
) -> ProgrammeYearFigures:
    """Enter or correct a year's figures (an empty one is cleared); the change joins the programme's
    audit chain. The caller commits."""
    values = {
        "output_share_percent": output_share_percent,
        "index_growth_percent": index_growth_percent,
        "recorded_by_id": actor.id,
        "recorded_at": utcnow(),
    }
    return save_entry(
        db.session.get(ProgrammeYearFigures, (programme.id, year)),
        lambda: ProgrammeYearFigures(programme_id=programme.id, year=year),
        values,
        AUDITED_FIELDS,
        actor,
        "year_figures",
        audit_on=programme,
        year=year,
    )
