"""The secretariat's form for logging support an enterprise received."""

from __future__ import annotations

import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SubmitField, TextAreaField
from wtforms.validators import ValidationError

from recognition.fields import date_field, member_field, text_field
from recognition.i18n import Form
from recognition.nomination.forms import amount
from recognition.reports.support import support_date_problem
from recognition.reports.support_models import SupportKind


class SupportForm(Form):
    kind = member_field(_l("Kind of support"), SupportKind)
    date = date_field(_l("Date received"))
    programme = text_field(
        _l("Support programme"),
        255,
        description=_l("The city's or the Department's programme the support came from."),
    )
    amount_vnd = amount(_l("Amount (VND, where there is one)"), required=False)
    note = text_field(_l("Note"), 2000, required=False, field=TextAreaField)
    submit = SubmitField(_l("Record the support"))

    def __init__(self, since: datetime.date | None = None, *args: Any, **kwargs: Any) -> None:
        """`since`: the recognition support counts from, so the date is checked with the other fields."""
        super().__init__(*args, **kwargs)
        self.since = since

    def validate_date(self, field: DateField) -> None:
        problem = support_date_problem(field.data, self.since) if field.data and self.since else None
        if problem is not None:
            raise ValidationError(str(problem))
