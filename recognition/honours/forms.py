"""The secretariat's honouring forms, and the public's comment form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2
from wtforms.validators import DataRequired, Email

from recognition.cases.guards import DECISION_DATE_MISSING_OR_FUTURE
from recognition.fields import checkbox_list, date_field, text_field
from recognition.i18n import Form
from recognition.params import parse_id
from recognition.rounds.models import RoundOutcome
from recognition.validators import NotAfterToday, distinct_choices

if TYPE_CHECKING:
    from recognition.cases.models import Application
    from recognition.honours.results import PublishedResult


class PublishForm(Form):
    comment_deadline = date_field(_l("Comments accepted until"))
    submit = SubmitField(_l("Publish the results for comment"))


class CloseCommentsForm(Form):
    reason = text_field(_l("Reason for closing the comment period early"), 2000, field=TextAreaField)
    submit = SubmitField(_l("Close the comment period now"))


class AnswerForm(Form):
    answer = text_field(_l("Answer or note"), 5000, field=TextAreaField)
    resolve = BooleanField(_l("Resolved"))
    submit = SubmitField(_l("Save the answer"))


class DecisionForm(Form):
    application_ids = checkbox_list(_l("Dossiers to recognise"), DataRequired(), distinct_choices, coerce=int)
    decision_number = text_field(_l("Decision number"), 60, render_kw={"placeholder": "1234/QĐ-UBND"})
    decision_date = date_field(_l("Decision date"), NotAfterToday(DECISION_DATE_MISSING_OR_FUTURE))
    decision_signer = text_field(_l("Signed by"), 200, required=False)
    submit = SubmitField(_l("Record the decision and recognise"))

    def __init__(
        self,
        applications: Iterable[Application],
        *args: Any,
        outcome: RoundOutcome = RoundOutcome.certificate,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if outcome == RoundOutcome.selection:  # the Department's decision selects for support
            self.application_ids.label.text = str(_l("Dossiers to select for support"))
            self.submit.label.text = str(_l("Record the decision and select for support"))
        applications = list(applications)
        self.application_ids.choices = [
            SelectChoice(a.id, f"{a.receipt_code} · {a.enterprise_record.name} · {a.product_record.name}")
            for a in applications
        ]
        if not self.is_submitted():
            self.application_ids.data = [a.id for a in applications]  # all ticked to start with


MAX_POSTED_IDS = 1000  # far above a page of the decision form (50)


def posted_ids(values: list[str]) -> list[int]:
    """The distinct ids a decision form posted, odd ones dropped, at most MAX_POSTED_IDS of them (the
    form is built from those still waiting: only a page of them is ever offered)."""
    ids = {parsed for value in values[:MAX_POSTED_IDS] if (parsed := parse_id(value)) is not None}
    return sorted(ids)


class RevokeForm(Form):
    reason = text_field(_l("Reason for revocation"), 2000, field=TextAreaField)
    decision_number = text_field(_l("Revoking decision number"), 60)
    submit = SubmitField(_l("Revoke the certificate"))


class CommentForm(Form):
    application_id = SelectField(_l("Dossier"), coerce=int, validators=[DataRequired()])
    name = text_field(_l("Your name"), 200)
    contact = text_field(_l("E-mail"), 254, Email())
    is_objection = BooleanField(
        _l("This is an objection (the secretariat must resolve it before recognition)")
    )
    text = text_field(_l("Comment"), 5000, field=TextAreaField)
    file = FileField(_l("Supporting file (optional: PDF, JPEG, PNG, DOCX or XLSX)"))
    submit = SubmitField(_l("Send"))

    def __init__(self, results: Iterable[PublishedResult], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application_id.choices = [_published_choice(r) for r in results]


def _published_choice(result: PublishedResult) -> SelectChoice:
    """A published dossier as the public names it: its enterprise and product, as published."""
    return SelectChoice(result.application_id, f"{result.enterprise_name} · {result.product_name}")


class TrackForm(Form):
    receipt_code = text_field(_l("Receipt code"), 40)
    lookup_secret = text_field(_l("Lookup secret"), 12)
    submit = SubmitField(_l("Look up"))


class CommentLookupForm(Form):
    """The sender of a comment reads the answer with the reference and the secret they were given."""

    reference = text_field(_l("Reference of your comment"), 20)
    lookup_secret = text_field(_l("Lookup secret"), 12)
    submit = SubmitField(_l("Read the answer"))
