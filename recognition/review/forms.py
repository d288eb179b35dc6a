"""The council member's forms: the declaration of interests, and points with a comment per criterion."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from recognition.i18n import Form
from recognition.review.models import Criterion, Score
from recognition.review.services import ScoreInput

# Score.comment and ReviewAssignment.conflict_reason limits.
COMMENT_MAX = 5000
REASON_MAX = 1000


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

    def validate_reason(self, field) -> None:
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

    def show_errors(self, errors: dict[int, object]) -> None:
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
