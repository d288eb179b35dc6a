"""The nomination's sections, one form each; forms validate and hand data on, they never write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask_babel import LazyString, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import TextInput

from recognition.accounts.forms import offer_units_and_sectors
from recognition.accounts.services import current_sectors
from recognition.cases.models import Product, ProductCategory, TechnologyLevel
from recognition.clock import local_today
from recognition.fields import checkbox_list, date_field, member_field, points_field, text_field
from recognition.i18n import Form, SubForm, or_unnamed
from recognition.nomination.services import figure_years
from recognition.reports.support_models import SupportKind
from recognition.rounds.models import DocumentKind, Round
from recognition.validators import MaxEntries, check_entries, filled, not_negative, parse_amount

if TYPE_CHECKING:
    from recognition.review.models import Criterion

MAX_VND = 10**16  # ten million billion đồng: above any plausible figure for one firm
MAX_USD = 10**12


MONEY_HELP = _l(
    "Thousands with dots or commas (1.234.567 or 1,234,567); decimals after the other mark (1.234,50 or"
    " 1,234.50), rounded to a whole amount. A single mark before three digits groups thousands: 1,234 is"
    " 1234."
)


class MoneyField(IntegerField):
    """Whole VND (or USD) in the Vietnamese or the English grouping (validators.parse_amount).

    A text input (a number input would refuse the thousands separators people type).
    """

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        kwargs["validators"] = [*kwargs.get("validators", ()), not_negative]  # no amount is below zero
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not isinstance(valuelist[0], str) or not valuelist[0].strip():
            super().process_formdata(valuelist)
            return
        try:
            self.data = parse_amount(valuelist[0])
        except ValueError:
            self.data = None
            raise


def amount(
    label: LazyString | str, maximum: int = MAX_VND, required: bool = True, description: LazyString | str = ""
) -> MoneyField:
    validators = [InputRequired() if required else Optional(), NumberRange(max=maximum)]
    return MoneyField(label, validators=validators, description=description)


class EnterpriseProfileForm(Form):
    """The tax code is the enterprise's identity and is not editable here."""

    name = text_field(_l("Enterprise name"), 255)
    address = text_field(_l("Head office address"), 500)
    unit_id = SelectField(_l("Administrative unit"), coerce=int, validators=[DataRequired()])
    sector_id = SelectField(_l("Sector"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_units_and_sectors(self)


class NewNominationForm(Form):
    round_id = SelectField(_l("Round"), coerce=int, validators=[DataRequired()])
    product_id = SelectField(_l("Product"), coerce=int, validate_choice=True)
    # No Optional(): it would stop the chain on an empty name before validate_product_name runs.
    product_name = StringField(_l("Name of the new product"), validators=[Length(max=255)])
    submit = SubmitField(_l("Start the nomination"))

    def __init__(
        self, rounds: Iterable[Round], products: Iterable[Product], *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.round_id.choices = [SelectChoice(r.id, r.title) for r in rounds]
        self.product_id.choices = [SelectChoice(0, _l("A new product"))] + [
            SelectChoice(p.id, or_unnamed(p.name)) for p in products
        ]

    def validate_product_name(self, field: StringField) -> None:
        """A new product needs a name: a nameless draft could not be told apart, nor opened by it."""
        if self.product_id.data == 0 and not (field.data or "").strip():
            raise ValidationError(_l("Name the new product."))


class ProductForm(Form):
    name = text_field(_l("Product name"), 255)
    sector_id = SelectField(_l("Sector"), coerce=int, validators=[DataRequired()])
    category = member_field(_l("Category"), ProductCategory)
    description = text_field(_l("Description"), 5000, field=TextAreaField)
    year_started = IntegerField(_l("Year production started"), validators=[InputRequired()])
    capacity = text_field(_l("Production capacity"), 255, required=False)
    main_markets = text_field(_l("Main markets"), 500, required=False)
    hs_code = StringField(
        _l("HS code (optional)"),
        validators=[Optional(), Regexp(r"^\d{4,10}$", message=_l("An HS code has 4 to 10 digits."))],
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locale = str(get_locale() or "vi")
        self.sector_id.choices = [
            SelectChoice(s.id, s.name_for(locale)) for s in current_sectors(local_today())
        ]

    def validate_year_started(self, field: IntegerField) -> None:
        """Up to this year in Hanoi, read at each submit (not once, when the module was imported)."""
        NumberRange(min=1900, max=local_today().year)(self, field)


class YearFiguresForm(SubForm):
    """One year's figures (a sub-form: CSRF is on the enclosing form)."""

    year = HiddenField()
    production_value_vnd = amount(_l("Production value (VND)"))
    revenue_vnd = amount(_l("Revenue (VND)"))
    export_value_usd = amount(_l("Export value (USD)"), maximum=MAX_USD, description=MONEY_HELP)
    budget_contribution_vnd = amount(_l("Contribution to the state budget (VND)"))
    employees = IntegerField(
        _l("Employees"), validators=[InputRequired(), not_negative, NumberRange(max=500_000)]
    )
    average_wage_vnd = amount(_l("Average monthly wage (VND)"), maximum=10**9)


FIGURE_FIELDS = (
    "production_value_vnd",
    "revenue_vnd",
    "export_value_usd",
    "budget_contribution_vnd",
    "employees",
    "average_wage_vnd",
)


class FiguresForm(Form):
    years = FieldList(FormField(YearFiguresForm), min_entries=2)
    submit = SubmitField(_l("Save"))

    def validate_years(self, field: FieldList) -> None:
        """Exactly the two years asked for (a posted third row, or another year, is refused)."""
        first, second = figure_years()
        if [entry.year.data for entry in field] != [str(first), str(second)]:
            raise ValidationError(
                _("Enter the figures for %(first)s and %(second)s.", first=first, second=second)
            )

    def rows(self) -> list[dict]:
        return [
            {key: value for key, value in entry.data.items() if key != "csrf_token"}
            | {"year": int(filled(entry.year.data))}
            for entry in self.years
        ]


class CertificationForm(SubForm):
    standard = text_field(_l("Standard (e.g. ISO 9001:2015)"), 120, required=False)
    number = text_field(_l("Certificate number"), 120, required=False)
    expires_on = date_field(_l("Valid until"), required=False)


class QualityForm(Form):
    certifications = FieldList(FormField(CertificationForm), min_entries=3, validators=[MaxEntries(10)])
    technology_level = member_field(_l("Technology level"), TechnologyLevel)
    rnd_spending_vnd = amount(_l("Research and development spending last year (VND)"))
    environmental_compliance = text_field(
        _l("Environmental compliance (permits, environmental impact assessment, treatment systems)"),
        5000,
        field=TextAreaField,
    )
    submit = SubmitField(_l("Save"))


class CommitmentForm(Form):
    commit_environment = BooleanField(_l("We comply with the law on environmental protection."))
    commit_quality = BooleanField(_l("We comply with the law on product quality and standards."))
    commit_ip = BooleanField(_l("We comply with the law on intellectual property."))
    submit = SubmitField(_l("Save"))

    @property
    def all_given(self) -> bool:
        return bool(self.commit_environment.data and self.commit_quality.data and self.commit_ip.data)


class SupportSoughtForm(Form):
    """The support the enterprise seeks, among the areas its round offers."""

    areas = checkbox_list(
        _l("Support sought"), DataRequired(_l("Choose the support the enterprise seeks from this round."))
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, offered: Iterable[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas.choices = [SelectChoice(kind.value, kind.label) for kind in SupportKind if kind in offered]


class DocumentUploadForm(Form):
    kind = member_field(_l("Kind of document"), DocumentKind)
    file = FileField(
        _l("File (PDF, JPEG, PNG, DOCX or XLSX)"),
        validators=[FileRequired(message=_l("Choose a file to upload."))],
    )
    replaces = HiddenField()
    submit = SubmitField(_l("Upload"))

    @property
    def document_kind(self) -> DocumentKind:
        return DocumentKind(self.kind.data)


class ReceiptSecretForm(Form):
    """The lookup secret the receipt page shows, posted back so that the PDF prints it too (only once
    it matches the dossier's hash: recognition/nomination/views.py receipt_as_pdf)."""

    lookup_secret = HiddenField(
        validators=[Optional(), Length(max=12)],
        filters=[lambda value: value.strip().upper() if value else value],
    )


class SubmitNominationForm(Form):
    version = HiddenField()
    declaration = BooleanField(
        _l("We declare that the information and documents in this dossier are true and complete.")
    )
    submit = SubmitField(_l("Submit the dossier"))


class WithdrawForm(Form):
    version = HiddenField()
    reason = text_field(_l("Reason for withdrawing"), 2000, field=TextAreaField)
    submit = SubmitField(_l("Withdraw the dossier"))


class SupplementAnswerForm(Form):
    version = HiddenField()
    answers = FieldList(TextAreaField(validators=[DataRequired(), Length(max=5000)]))
    submit = SubmitField(_l("Send the supplement"))

    def __init__(self, items: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        while len(self.answers) < len(items):
            self.answers.append_entry()
        for entry, item in zip(self.answers, items, strict=False):
            entry.label.text = item

    def validate_answers(self, field: FieldList) -> None:
        """One answer per listed item, no more."""
        check_entries(len(field.entries), len(self.items))


def self_assessment_form(criteria: Iterable[Criterion], saved: dict, locale: str) -> Form:
    """One points field (0..max) and one justification per criterion of the round."""

    class SelfAssessmentForm(Form):
        submit = SubmitField(_l("Save"))

    for criterion in criteria:
        setattr(
            SelfAssessmentForm,
            f"points_{criterion.id}",
            points_field(
                f"{criterion.code}. {criterion.name_for(locale)} (0–{criterion.max_points_text})",
                0,
                criterion.max_points,
            ),
        )
        setattr(
            SelfAssessmentForm,
            f"justification_{criterion.id}",
            text_field(_l("Justification"), 3000, field=TextAreaField),
        )
    form = SelfAssessmentForm()
    if not form.is_submitted():
        for criterion_id, (points, justification) in saved.items():
            if hasattr(form, f"points_{criterion_id}"):
                getattr(form, f"points_{criterion_id}").data = points
                getattr(form, f"justification_{criterion_id}").data = justification
    return form
