"""The secretariat's round settings, criteria and council forms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from recognition.fields import checkbox_list, count_field, date_field, points_field, text_field
from recognition.i18n import Form, SubForm
from recognition.nomination.forms import MAX_USD, MAX_VND, MONEY_HELP, MoneyField
from recognition.reports.support_models import SupportKind
from recognition.rounds.models import (
    DocumentKind,
    Programme,
    Round,
    RoundOutcome,
    RoundStatus,
    SupplementExpiry,
    VettingBody,
    VettingReportKind,
)
from recognition.validators import MaxEntries, MaxLines, distinct_choices

if TYPE_CHECKING:
    from recognition.accounts.models import User
    from recognition.review.models import CouncilMember, Criterion


class RoundForm(Form):
    programme_id = SelectField(_l("Programme"), coerce=int, validators=[DataRequired()])
    year = count_field(_l("Year"), 2000, 2100)
    title = text_field(_l("Title"), 255)
    opens_on = date_field(_l("Nominations open on"))
    closes_on = date_field(_l("Nominations close on"))
    review_starts_on = date_field(_l("Council review starts on (planned)"), required=False)
    review_ends_on = date_field(_l("Council review ends on (planned)"), required=False)
    results_planned_on = date_field(_l("Results published for comment on (planned)"), required=False)
    decision_planned_on = date_field(_l("City's decision on (planned)"), required=False)
    status = SelectField(_l("Status"), choices=RoundStatus.choices())
    vetting_body = SelectField(_l("Who vets the dossiers"), choices=VettingBody.choices())
    outcome = SelectField(
        _l("What the round's decision grants"),
        choices=RoundOutcome.choices(),
        default=RoundOutcome.certificate.value,
    )
    vetting_report = SelectField(
        _l("The vetting body's report"),
        choices=VettingReportKind.choices(),
        default=VettingReportKind.checklist.value,
    )
    support_areas = checkbox_list(
        _l("Support the round offers"),
        distinct_choices,
        choices=SupportKind.choices(),
        description=_l("When any is ticked, the nomination asks which of them the enterprise seeks."),
    )
    legal_bases = TextAreaField(
        _l("Legal bases (one per line)"), validators=[Optional(), Length(max=5000), MaxLines(20, 500)]
    )
    vetting_working_days = count_field(_l("Vetting time limit (working days)"), 1, 200)
    max_supplement_requests = count_field(_l("Requests to supplement allowed per dossier"), 0, 5)
    supplement_working_days = count_field(_l("Default reply time for a supplement (working days)"), 1, 60)
    supplement_expiry = SelectField(_l("When the reply deadline passes"), choices=SupplementExpiry.choices())
    reviewers_per_dossier = count_field(_l("Reviewers per dossier"), 1, 20)
    pass_threshold = count_field(_l("Pass threshold (points out of 100)"), 0, 100)
    top_n = count_field(_l("Top N (tiêu biểu)"), 0, 100)
    spread_flag_points = count_field(
        _l("Flag a dossier when reviewers' totals differ by more than (points)"), 0, 100
    )
    certificate_validity_months = count_field(_l("Certificate validity (months)"), 1, 120)
    min_revenue_high_tech_vnd = MoneyField(
        _l("High-tech product: minimum revenue (VND a year)"),
        validators=[InputRequired(), NumberRange(max=MAX_VND)],
    )
    min_revenue_other_vnd = MoneyField(
        _l("Other product: minimum revenue (VND a year)"),
        validators=[InputRequired(), NumberRange(max=MAX_VND)],
    )
    min_exports_handicraft_usd = MoneyField(
        _l("Handicraft: minimum exports (USD a year)"),
        validators=[InputRequired(), NumberRange(max=MAX_USD)],
        description=MONEY_HELP,
    )
    target_products_min = count_field(_l("Target: products, at least"), required=False)
    target_products_max = count_field(_l("Target: products, at most"), required=False)
    target_enterprises_min = count_field(_l("Target: enterprises, at least"), required=False)
    target_enterprises_max = count_field(_l("Target: enterprises, at most"), required=False)
    submit = SubmitField(_l("Save"))

    def __init__(self, programmes: Iterable[Programme], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locale = str(get_locale())
        self.programme_id.choices = [SelectChoice(p.id, p.name_for(locale)) for p in programmes]

    def validate_closes_on(self, field: DateField) -> None:
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The closing date must not be before the opening date."))

    def validate_support_areas(self, field: SelectMultipleField) -> None:
        if self.outcome.data == RoundOutcome.selection.value and not field.data:
            raise ValidationError(_l("A round that selects enterprises for support must offer some support."))

    def validate_review_ends_on(self, field: DateField) -> None:
        if self.review_starts_on.data and field.data and field.data < self.review_starts_on.data:
            raise ValidationError(_l("The review must not end before it starts."))

    def validate_target_products_max(self, field: IntegerField) -> None:
        if field.data is not None and self.target_products_min.data is not None:
            if field.data < self.target_products_min.data:
                raise ValidationError(_l("The maximum must not be below the minimum."))

    def validate_target_enterprises_max(self, field: IntegerField) -> None:
        if field.data is not None and self.target_enterprises_min.data is not None:
            if field.data < self.target_enterprises_min.data:
                raise ValidationError(_l("The maximum must not be below the minimum."))


class CloneRoundForm(Form):
    """Next year's round from an existing one: the settings are copied, the dates moved by the years."""

    source_id = SelectField(_l("Copy the round"), coerce=int, validators=[DataRequired()])
    year = count_field(_l("Year of the new round"), 2000, 2100)
    title = text_field(_l("Title (empty: the source's title with the new year)"), 255, required=False)
    submit = SubmitField(_l("Create the new round"))

    def __init__(self, rounds: Iterable[Round], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source_id.choices = [
            SelectChoice(r.id, f"{r.year} · {r.programme.code} · {r.title}") for r in rounds
        ]


class RequiredDocumentsForm(Form):
    kinds = checkbox_list(
        _l("Documents a nomination must carry"),
        DataRequired(_l("Tick at least one document.")),
        distinct_choices,
        choices=DocumentKind.choices(),
    )
    submit = SubmitField(_l("Save the required documents"))


class _CodedRowForm(SubForm):
    """A row of the criteria form (a group or a criterion): its id, code and names; the English name
    is optional (the English interface shows the Vietnamese)."""

    id = HiddenField()
    code = text_field(_l("Code"), 20)
    name_vi = text_field(_l("Name (Vietnamese)"), 255)
    name_en = text_field(_l("Name (English)"), 255, required=False)


class CriterionRowForm(_CodedRowForm):
    """One criterion; the English guidance is optional too."""

    max_points = points_field(_l("Maximum points"), 0.5, 100)
    guidance_vi = text_field(_l("Guidance (Vietnamese)"), 2000, required=False, field=TextAreaField)
    guidance_en = text_field(_l("Guidance (English)"), 2000, required=False, field=TextAreaField)
    remove = BooleanField(_l("Remove"))


class NewCriterionRowForm(CriterionRowForm):
    """The blank row for adding a criterion: left empty, it adds nothing and asks for nothing."""

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        if not any(str(field.data or "").strip() for field in self if field.name not in ("id", "remove")):
            return True
        return super().validate(extra_validators)


class GroupRowForm(_CodedRowForm):
    min_points = points_field(_l("Minimum on the group's mean (optional)"), 0, 100, required=False)
    criteria = FieldList(FormField(CriterionRowForm), validators=[MaxEntries(40)])
    new_criterion = FormField(NewCriterionRowForm)


class CriteriaForm(Form):
    groups = FieldList(FormField(GroupRowForm), validators=[MaxEntries(20)])
    submit = SubmitField(_l("Save the criteria"))


class CouncilMemberForm(Form):
    user_id = SelectField(_l("Council member"), coerce=int, validators=[DataRequired()])
    title = text_field(_l("Title on the council (e.g. chair, member)"), 255, required=False)
    submit = SubmitField(_l("Add to the council"))

    def __init__(self, candidates: Iterable[User], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_id.choices = [SelectChoice(u.id, f"{u.full_name} ({u.email})") for u in candidates]


class CriterionAssignmentForm(Form):
    """For each member, the criteria they score; leave all empty for everyone to score everything."""

    submit = SubmitField(_l("Save the assignment of criteria"))


def criterion_assignment_form(
    members: Sequence[CouncilMember], criteria: Iterable[Criterion], assigned: dict[int, set[int]]
) -> CriterionAssignmentForm:
    """A form with one multi-select per council member (fields named member_<user id>)."""

    class _Form(CriterionAssignmentForm):
        pass

    locale = str(get_locale())
    choices = [SelectChoice(str(c.id), f"{c.code} {c.name_for(locale)}") for c in criteria]
    for member in members:
        setattr(
            _Form,
            f"member_{member.user_id}",
            SelectMultipleField(member.user.full_name, choices=choices, validators=[distinct_choices]),
        )
    form = _Form()
    if not form.is_submitted():
        for member in members:
            getattr(form, f"member_{member.user_id}").data = [
                str(c) for c in assigned.get(member.user_id, set())
            ]
    return form


class CalendarExceptionForm(Form):
    day = date_field(_l("Date"))
    is_working_day = SelectField(
        _l("Kind of day"),
        choices=[
            SelectChoice("1", _l("Make-up working day (e.g. a Saturday worked)")),
            SelectChoice("0", _l("Extra day off")),
        ],
    )
    note = text_field(_l("Note (e.g. the decision granting it)"), 255, required=False)
    submit = SubmitField(_l("Add to the calendar"))
