"""The secretariat's honouring forms, and the public's comment form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from recognition.cases.guards import DECISION_DATE_MISSING_OR_FUTURE
from recognition.i18n import Form
from recognition.validators import NotAfterToday, distinct_choices

if TYPE_CHECKING:
    from recognition.honours.results import PublishedResult
    from recognition.review.scoring import DossierResult


class PublishForm(Form):
    comment_deadline = DateField(_l("Comments accepted until"), validators=[InputRequired()])
    submit = SubmitField(_l("Publish the results for comment"))


class CloseCommentsForm(Form):
    reason = TextAreaField(
        _l("Reason for closing the comment period early"), validators=[DataRequired(), Length(max=2000)]
    )
    submit = SubmitField(_l("Close the comment period now"))


class AnswerForm(Form):
    answer = TextAreaField(_l("Answer or note"), validators=[DataRequired(), Length(max=5000)])
    resolve = BooleanField(_l("Resolved"))
    submit = SubmitField(_l("Save the answer"))


class DecisionForm(Form):
    application_ids = SelectMultipleField(
        _l("Dossiers to recognise"),
        coerce=int,
        validators=[DataRequired(), distinct_choices],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    decision_number = StringField(
        _l("Decision number"),
        validators=[DataRequired(), Length(max=60)],
        render_kw={"placeholder": "1234/QĐ-UBND"},
    )
    decision_date = DateField(
        _l("Decision date"), validators=[InputRequired(), NotAfterToday(DECISION_DATE_MISSING_OR_FUTURE)]
    )
    decision_signer = StringField(_l("Signed by"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Record the decision and recognise"))

    def __init__(self, results: Iterable[DossierResult], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application_ids.choices = [
            SelectChoice(
                r.application.id,
                f"{r.application.receipt_code} · {r.application.enterprise_record.name} · "
                f"{r.application.product_record.name}",
            )
            for r in results
        ]
        if not self.is_submitted():
            self.application_ids.data = [r.application.id for r in results]  # all ticked to start with


class RevokeForm(Form):
    reason = TextAreaField(_l("Reason for revocation"), validators=[DataRequired(), Length(max=2000)])
    decision_number = StringField(_l("Revoking decision number"), validators=[DataRequired(), Length(max=60)])
    submit = SubmitField(_l("Revoke the certificate"))


class CommentForm(Form):
    application_id = SelectField(_l("Dossier"), coerce=int, validators=[DataRequired()])
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    contact = StringField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    is_objection = BooleanField(
        _l("This is an objection (the secretariat must resolve it before recognition)")
    )
    text = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=5000)])
    file = FileField(_l("Supporting file (optional: PDF, JPEG, PNG, DOCX or XLSX)"))
    submit = SubmitField(_l("Send"))

    def __init__(self, results: Iterable[PublishedResult], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application_id.choices = [
            SelectChoice(r.application_id, f"{r.enterprise_name} · {r.product_name}") for r in results
        ]


class TrackForm(Form):
    receipt_code = StringField(_l("Receipt code"), validators=[DataRequired(), Length(max=40)])
    lookup_secret = StringField(_l("Lookup secret"), validators=[DataRequired(), Length(max=12)])
    submit = SubmitField(_l("Look up"))


class CommentLookupForm(Form):
    """The sender of a comment reads the answer with the reference and the secret they were given."""

    reference = StringField(_l("Reference of your comment"), validators=[DataRequired(), Length(max=20)])
    lookup_secret = StringField(_l("Lookup secret"), validators=[DataRequired(), Length(max=12)])
    submit = SubmitField(_l("Read the answer"))
