"""The council member's forms (the declaration of interests, points with a comment per criterion) and
the secretariat's on the review board (a reviewer to assign, opening review, the conclusion)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal

from flask_babel import LazyString, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs are 3.2
from wtforms.validators import InputRequired, Length, ValidationError

from recognition.cases.models import CONCLUDED_STATES, STATE_LABELS
from recognition.i18n import Form
from recognition.params import IdField
from recognition.review.models import Criterion, Score
from recognition.review.services import ScoreInput

# Score.comment and ReviewAssignment.conflict_reason limits.
COMMENT_MAX = 5000
REASON_MAX = 1000
OVERRIDE_REASON_MAX = 5000  # kept in the conclusion's audit event


def format_points(value: Decimal | None) -> str:
    """Points in the visitor's language, without grouping so the text reads back as the same number
    ("7,5" in Vietnamese, "7.5" in English)."""
    if value is None:
        return ""
    return format_decimal(value, format="0.##")


class DeclarationForm(Form):
    """The member's declaration on one dossier, before they may read or score it."""

    conflict = RadioField(
        _l("Conflict of interest"),
        choices=[
            SelectChoice("no", _l("I have no conflict of interest with this enterprise or its product")),
            SelectChoice("yes", _l("I have a conflict of interest")),
        ],
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        _l("Reason for the conflict"),
        description=_l("For example: you work for, advise or own shares in the enterprise or a competitor."),
        validators=[Length(max=REASON_MAX)],
    )
    submit = SubmitField(_l("Record my declaration"))

    def validate_reason(self, field: TextAreaField) -> None:
        if self.conflict.data == "yes" and not (field.data or "").strip():
            raise ValidationError(_("Give the reason for the conflict of interest."))

    @property
    def has_conflict(self) -> bool:
        return self.conflict.data == "yes"


class ScoreForm(Form):
    """Points and a comment for each criterion the member scores; build it with `score_form_for`.

    Fields are named by criterion id (points_<id>, comment_<id>): a value posted for any other
    criterion is simply not read. The points have no validator here: the service judges them all at
    once (a number, within the criterion's range, to the cent), so every wrong one is shown together.
    """

    save = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit scores"))

    criteria: list[Criterion] = []

    def rows(self) -> Iterator[tuple[Criterion, StringField, TextAreaField]]:
        for criterion in self.criteria:
            yield criterion, self[f"points_{criterion.id}"], self[f"comment_{criterion.id}"]

    @property
    def submitting(self) -> bool:
        return bool(self.submit.data)

    def inputs(self) -> list[ScoreInput]:
        return [
            ScoreInput(criterion.id, (points.data or "").strip(), comment.data or "")
            for criterion, points, comment in self.rows()
        ]

    def show_errors(self, errors: Mapping[int, LazyString]) -> None:
        """Put the service's {criterion id: message} next to each criterion's points."""
        for criterion, points, _comment in self.rows():
            if criterion.id in errors:
                points.errors = [*points.errors, errors[criterion.id]]

    @property
    def has_errors(self) -> bool:
        return any(points.errors or comment.errors for _c, points, comment in self.rows())


def score_form_for(criteria: list[Criterion], saved: Iterable[Score]) -> ScoreForm:
    """A score form for these criteria, filled with the member's saved draft (posted data wins)."""
    locale = str(get_locale())

    class MemberScoreForm(ScoreForm):
        pass

    for criterion in criteria:
        setattr(
            MemberScoreForm,
            f"points_{criterion.id}",
            StringField(
                _l("Points (0 to %(max)s)", max=format_points(criterion.max_points)),
                description=criterion.guidance_for(locale),
                render_kw={"inputmode": "decimal", "autocomplete": "off"},
            ),
        )
        setattr(
            MemberScoreForm,
            f"comment_{criterion.id}",
            TextAreaField(_l("Comment"), validators=[Length(max=COMMENT_MAX)], render_kw={"rows": 2}),
        )
    data = {}
    for score in saved:
        data[f"points_{score.criterion_id}"] = format_points(score.points)
        data[f"comment_{score.criterion_id}"] = score.comment
    form = MemberScoreForm(data=data)
    form.criteria = criteria
    return form


class AddReviewerForm(Form):
    """One council member to assign to a dossier (the select on the assignments page); the service
    checks that they sit on the round's council and have no conflict."""

    user_id = IdField(
        validators=[InputRequired(message=_l("Choose a council member from the list."))],
        invalid_message=_l("Choose a council member from the list."),
    )


class BoardStepForm(Form):
    """A board step with no data of its own (opening review). `version`, the dossier's version the
    page was rendered with, guards against acting on a stale page; absent, the loaded one counts."""

    version = IdField()

    def step_data(self) -> dict:
        """What the step takes besides the version: nothing here."""
        return {}


class ConclusionForm(BoardStepForm):
    """The secretariat's conclusion: the outcome the rules give (no choice), or another one with a
    written reason (the workflow's `override_has_reason` guard asks for it)."""

    outcome = SelectField(
        _l("Outcome"),
        choices=[SelectChoice("", _l("As the rules give"))]
        + [SelectChoice(s.value, STATE_LABELS[s]) for s in CONCLUDED_STATES],
        default="",
        validate_choice=False,  # validate_outcome says it in the secretariat's words
    )
    override_reason = TextAreaField(
        _l("Reason"),
        validators=[
            Length(max=OVERRIDE_REASON_MAX, message=_l("Write the reason in at most %(max)d characters."))
        ],
    )

    def validate_outcome(self, field: SelectField) -> None:
        # The choices are SelectChoice objects (WTForms 3.3); the stubs know only 3.2's tuples.
        if field.data not in {choice.value for choice in field.choices}:  # type: ignore[union-attr]
            raise ValidationError(_("Choose an outcome from the list."))

    def step_data(self) -> dict:
        """What conclude_review takes: nothing for the rules' outcome, else the outcome and reason."""
        if not self.outcome.data:
            return {}
        return {"outcome": self.outcome.data, "override_reason": self.override_reason.data or ""}
