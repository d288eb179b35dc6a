"""The register entry's form: the enterprise fills it in its profile, the Department keeps it up to date
with the same form and one field more (active). Forms validate and hand an entry on; they never write."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Self

from flask import request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, FormField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2
from wtforms.validators import DataRequired

from recognition.fields import date_field, text_field
from recognition.i18n import Form, SubForm
from recognition.params import IdField
from recognition.supporting.models import Standard, SupplierProfile, SupplierTier
from recognition.supporting.register import (
    CertificationEntry,
    ProfileEntry,
    entry_problems,
    supporting_sectors,
)
from recognition.validators import MaxEntries, MaxLines, add_error

MAX_CERTIFICATIONS = 20
BLANK_ROWS = 2  # empty certification rows offered below the saved ones, to add more without JavaScript


class FirmCertificationForm(SubForm):
    """One certification row (a sub-form: CSRF is on the enclosing form); `id` names the saved row."""

    certification_id = IdField()
    standard = SelectField(_l("Standard"), choices=[SelectChoice("", "—"), *Standard.choices()])
    standard_name = text_field(_l("Name of the other standard"), 120, required=False)
    number = text_field(_l("Certificate number"), 120, required=False)
    body = text_field(_l("Certification body"), 200, required=False)
    expires_on = date_field(_l("Valid until"), required=False)
    remove = BooleanField(_l("Remove this certification"))

    def entry(self) -> CertificationEntry:
        return CertificationEntry(
            standard=self.standard.data or "",
            standard_name=self.standard_name.data or "",
            number=self.number.data or "",
            body=self.body.data or "",
            expires_on=self.expires_on.data,
            id=self.certification_id.data,
            remove=bool(self.remove.data),
        )


class SupplierProfileForm(Form):
    supporting_sector_id = SelectField(
        _l("Supporting-industry sector"), coerce=int, validators=[DataRequired()]
    )
    products = text_field(
        _l("Components and products"),
        5000,
        MaxLines(100, 200),
        required=False,
        field=TextAreaField,
        description=_l("One per line, as a buyer would search for them (e.g. plastic injection parts)."),
    )
    supplies_multinationals = BooleanField(_l("We supply multinationals in Vietnam"))
    tier = SelectField(
        _l("Tier in their supply chain"),
        choices=[SelectChoice("", _l("Not a supplier of multinationals")), *SupplierTier.choices()],
    )
    customers = text_field(
        _l("Main customers"),
        2000,
        required=False,
        field=TextAreaField,
        description=_l("Seen by the Department only; the public directory does not show it."),
    )
    listing_consent = BooleanField(_l("List our enterprise in the public supplier directory"))
    certifications = FieldList(
        FormField(FirmCertificationForm), min_entries=1, validators=[MaxEntries(MAX_CERTIFICATIONS)]
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        locale = str(get_locale() or "vi")
        self.supporting_sector_id.choices = [
            SelectChoice(sector.id, sector.name_for(locale)) for sector in supporting_sectors()
        ]

    @classmethod
    def for_profile(cls, profile: SupplierProfile | None) -> Self:
        """On a GET, the form filled from the saved entry (or empty) with blank certification rows
        after the saved ones; on a POST, what was posted."""
        if request.method == "POST":
            return cls()
        return cls(data=profile_data(profile))

    def entry(self) -> ProfileEntry:
        return ProfileEntry(
            supporting_sector_id=self.supporting_sector_id.data,
            products=self.products.data or "",
            supplies_multinationals=bool(self.supplies_multinationals.data),
            tier=self.tier.data or None,
            customers=self.customers.data or "",
            listing_consent=bool(self.listing_consent.data),
            certifications=[row.form.entry() for row in self.certifications],
            active=None,
        )

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, then the register's rules (register.entry_problems), each beside
        the field it is about unless that field already says what is wrong."""
        valid = super().validate(extra_validators)
        for problem in entry_problems(self.entry()):
            form = self if problem.row is None else self.certifications[problem.row].form
            target = getattr(form, problem.field)
            if not target.errors:
                add_error(target, str(problem.message))
            valid = False
        return valid


class FirmRegisterForm(SupplierProfileForm):
    """The Department's form: the enterprise's fields, and whether the firm is still active."""

    active = BooleanField(_l("Active in supporting industries"))

    def entry(self) -> ProfileEntry:
        return replace(super().entry(), active=bool(self.active.data))


def profile_data(profile: SupplierProfile | None) -> dict[str, Any]:
    """The saved entry (or a new one: active, nothing else) as the form's data, with blank rows after
    its certifications."""
    blank_rows: list[dict[str, Any]] = [{} for _row in range(BLANK_ROWS)]
    if profile is None:
        return {"active": True, "certifications": blank_rows}
    rows: list[dict[str, Any]] = [
        {
            "certification_id": certification.id,
            "standard": certification.standard.value,
            "standard_name": certification.standard_name,
            "number": certification.number,
            "body": certification.body,
            "expires_on": certification.expires_on,
        }
        for certification in profile.certifications
    ]
    return {
        "supporting_sector_id": profile.supporting_sector_id,
        "products": profile.products,
        "supplies_multinationals": profile.supplies_multinationals,
        "tier": profile.tier.value if profile.tier else "",
        "customers": profile.customers,
        "listing_consent": profile.listing_consent,
        "active": profile.active,
        "certifications": rows + blank_rows,
    }
