"""Field factories the domains' forms share: a field's rules (required or optional, at most the
column's length, within a range) read as one call instead of the same validators written out each time."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask_babel import LazyString
from wtforms import DateField, DecimalField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from recognition.labels import LabelledEnum


def text_field(
    label: LazyString | str,
    max_length: int,
    *checks: Callable[..., object],
    required: bool = True,
    field: type[StringField] = StringField,
    **kwargs: Any,
) -> StringField:
    """A `field` (a StringField, or a text area, e-mail or password field) of at most `max_length`
    characters, required unless told, with `checks` (an Email(), a Regexp) run between the two."""
    presence = DataRequired() if required else Optional()
    return field(label, validators=[presence, *checks, Length(max=max_length)], **kwargs)


def member_field(label: LazyString | str, members: type[LabelledEnum]) -> SelectField:
    """A required choice among an enum's members, each shown by its label."""
    return SelectField(label, choices=members.choices(), validators=[DataRequired()])


def date_field(label: LazyString | str, *checks: Callable[..., object], required: bool = True) -> DateField:
    """A day, required unless told, with `checks` (not after today, after today) once it is given."""
    presence = InputRequired() if required else Optional()
    return DateField(label, validators=[presence, *checks])


def count_field(
    label: LazyString | str, minimum: int = 0, maximum: int = 1000, required: bool = True
) -> IntegerField:
    """A whole number from `minimum` to `maximum`, required unless told."""
    presence = InputRequired() if required else Optional()
    return IntegerField(label, validators=[presence, NumberRange(min=minimum, max=maximum)])


def points_field(
    label: LazyString | str, minimum: Decimal | float, maximum: Decimal | float, required: bool = True
) -> DecimalField:
    """Points to the cent (a criterion's maximum, a group's minimum, a self-assessment), in a range."""
    presence = InputRequired() if required else Optional()
    return DecimalField(label, places=2, validators=[presence, NumberRange(min=minimum, max=maximum)])


def checkbox_list(
    label: LazyString | str, *checks: Callable[..., object], **kwargs: Any
) -> SelectMultipleField:
    """Several choices ticked in a list of checkboxes (`choices`, `coerce`, `description` as for any
    SelectMultipleField), with `checks` (a DataRequired(), distinct_choices)."""
    return SelectMultipleField(
        label, validators=list(checks), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
        **kwargs,
    )  # fmt: skip
