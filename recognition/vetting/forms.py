"""The vetting body's forms: queue filters, request to supplement, vetting report, rejection."""

from __future__ import annotations

from typing import TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    HiddenField,
    RadioField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2
from wtforms.validators import InputRequired, ValidationError

from recognition.cases.guards import DEADLINE_NOT_AFTER_TODAY, SITE_VISIT_IN_FUTURE, VETTING_CHECKS
from recognition.fields import checkbox_list, date_field, text_field
from recognition.i18n import Form
from recognition.rounds.models import VettingReportKind
from recognition.supporting.models import Standard
from recognition.validators import AfterToday, MaxEntries, NotAfterToday

FormT = TypeVar("FormT", bound=Form)

CHECK_LABELS = {
    "business_registration_valid": _l("The business registration is valid"),
    "no_tax_arrears": _l("No tax arrears"),
    "social_insurance_paid": _l("Social insurance paid in full"),
    "environmental_compliance": _l("Complies with environmental rules"),
    "no_violations": _l("No violations in the last two years"),
}
YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]


class StepForm(Form):
    """A step with no data of its own; the version guards against acting on a stale page."""

    version = HiddenField()
    submit = SubmitField(_l("Start vetting"))


SUPPLEMENT_MAX_ITEMS = 30
SUPPLEMENT_ITEM_MAX_LENGTH = 500


class SupplementRequestForm(Form):
    version = HiddenField()
    items = FieldList(
        text_field(_l("Missing item"), SUPPLEMENT_ITEM_MAX_LENGTH, required=False),
        min_entries=3,
        validators=[MaxEntries(SUPPLEMENT_MAX_ITEMS)],
    )
    deadline = date_field(_l("Reply deadline"), AfterToday(DEADLINE_NOT_AFTER_TODAY))
    submit = SubmitField(_l("Send the request to supplement"))

    def validate_items(self, field: FieldList) -> None:
        if not self.item_list():
            # A plain string (not lazy), so the template can tell it from the entries' error lists.
            raise ValidationError(_("List at least one missing item, each with a description."))

    def item_list(self) -> list[str]:
        return [entry.data.strip() for entry in self.items if entry.data and entry.data.strip()]


def _with_checks(cls: type[FormT]) -> type[FormT]:
    """Add a yes/no answer and a note for each compliance check of the vetting report."""
    for check, label in CHECK_LABELS.items():
        setattr(cls, check, RadioField(label, choices=YES_NO, validators=[InputRequired()]))
        setattr(cls, f"{check}_note", text_field(_l("Note"), 1000, required=False))
    return cls


@_with_checks
class VettingReportForm(Form):
    version = HiddenField()
    site_visit_date = date_field(_l("Date of the site visit"), NotAfterToday(SITE_VISIT_IN_FUTURE))
    eligibility_confirmed = BooleanField(_l("The enterprise and product meet the round's eligibility rules"))
    recommendation = text_field(_l("Recommendation"), 5000, field=TextAreaField)
    submit = SubmitField(_l("Endorse the dossier"))

    def report(self) -> dict:
        """The report as the workflow's endorse step (and its audit event) takes it."""
        data = {
            "site_visit_date": self.site_visit_date.data,
            "eligibility_confirmed": bool(self.eligibility_confirmed.data),
            "recommendation": self.recommendation.data,
        }
        for check in VETTING_CHECKS:
            data[check] = getattr(self, check).data == "yes"
            data[f"{check}_note"] = getattr(self, f"{check}_note").data or ""
        return data


class SurveyReportForm(VettingReportForm):
    """The survey of a firm (khảo sát) a round may ask for instead: the checklist, and what the
    officer saw of its capacity, its certifications and its place in supply chains."""

    capacity_assessment = text_field(
        _l("Production capacity, equipment and workforce as seen"), 5000, field=TextAreaField
    )
    certifications_seen = checkbox_list(_l("Certifications seen"), choices=Standard.choices())
    supply_chain_note = text_field(
        _l("Place in supply chains (customers, multinationals supplied)"),
        5000,
        required=False,
        field=TextAreaField,
    )

    def report(self) -> dict:
        return {
            **super().report(),
            "capacity_assessment": self.capacity_assessment.data,
            "certifications_seen": list(self.certifications_seen.data or []),
            "supply_chain_note": self.supply_chain_note.data or "",
        }


# The endorse step's form, by the report the round asks for (its `vetting_report` setting).
ENDORSE_FORMS: dict[VettingReportKind, type[VettingReportForm]] = {
    VettingReportKind.checklist: VettingReportForm,
    VettingReportKind.survey: SurveyReportForm,
}


class RejectForm(Form):
    version = HiddenField()
    reason = text_field(_l("Reasons for rejection"), 5000, field=TextAreaField)
    submit = SubmitField(_l("Reject the dossier"))
