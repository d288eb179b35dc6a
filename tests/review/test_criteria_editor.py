"""The criteria editor as a browser posts it (issue 17): the whole rendered form, the empty "new
criterion" row of every group included; a half-filled new row's errors beside its fields; removing a
criterion a member has a draft score on; and the 500 page after a failed flush."""

from decimal import Decimal
from html.parser import HTMLParser

from sqlalchemy import select

from recognition.extensions import db
from recognition.review import services
from recognition.review.models import Criterion, CriterionGroup, Score
from recognition.rounds import services as round_services
from tests.review.builders import dossier_under_review, english


class FormFields(HTMLParser):
    """The name → value pairs a browser posts for the page's form (checkboxes left unticked)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self.classes: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if name:
            self.classes[name] = attributes.get("class") or ""
        if tag == "input" and name and attributes.get("type") not in ("submit", "checkbox"):
            self.data[name] = attributes.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            # A browser drops the newline that follows <textarea>.
            self.data[self._textarea] += data.removeprefix("\r\n") if not self.data[self._textarea] else data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def form_of(html: str) -> FormFields:
    parser = FormFields()
    parser.feed(html)
    return parser


def posted_form(client, url: str) -> dict[str, str]:
    return form_of(client.get(url).text).data


def first_criterion(round_) -> Criterion:
    group = db.session.scalar(
        select(CriterionGroup).where(CriterionGroup.round_id == round_.id).order_by(CriterionGroup.position)
    )
    return group.criteria[0]


def test_the_whole_form_saves_an_edit_with_every_new_row_left_empty(app, rubric_round, secretariat):
    client = english(app, secretariat)
    url = f"/secretariat/rounds/{rubric_round.id}/criteria"
    page = client.get(url).text
    assert 'id="criteria-frozen"' not in page
    data = posted_form(client, url)
    assert data["groups-1-new_criterion-code"] == "" and "groups-0-criteria-0-max_points" in data
    data["groups-0-criteria-0-max_points"] = "12"
    response = client.post(url, data=data)
    assert response.status_code == 302, response.text
    db.session.expire_all()
    assert first_criterion(rubric_round).max_points == Decimal("12")
    assert len(db.session.scalars(select(Criterion).where(Criterion.round_id == rubric_round.id)).all()) == 12


def test_a_half_filled_new_criterion_is_refused_with_its_errors_beside_its_fields(
    app, rubric_round, secretariat
):
    client = english(app, secretariat)
    url = f"/secretariat/rounds/{rubric_round.id}/criteria"
    data = posted_form(client, url)
    data["groups-0-new_criterion-code"] = "A9"
    response = client.post(url, data=data)
    assert response.status_code == 200
    page, form = response.text, form_of(response.text)
    assert form.data["groups-0-new_criterion-code"] == "A9"  # what was typed stays
    invalid = {name for name, classes in form.classes.items() if "is-invalid" in classes}
    assert invalid == {"groups-0-new_criterion-name_vi", "groups-0-new_criterion-max_points"}
    assert page.count('class="invalid-feedback"') == 2
    assert "This field is required." in page
    assert db.session.scalar(select(Criterion).where(Criterion.code == "A9")) is None


def draft_on(make, round_, criterion: Criterion, secretariat_user):
    application, _members, (assignment, *_others) = dossier_under_review(make, round_, secretariat_user)
    services.declare(assignment, False)
    inputs = [services.ScoreInput(criterion.id, "7", "draft")]
    assert services.save_scores(assignment, application, inputs, submit=False) == {}
    db.session.commit()
    return assignment


def test_removing_a_criterion_with_a_draft_score_discards_the_draft_and_says_so(
    app, make, rubric_round, secretariat
):
    criterion = first_criterion(rubric_round)
    criterion_id, assignment = criterion.id, draft_on(make, rubric_round, criterion, secretariat)
    client = english(app, secretariat)
    url = f"/secretariat/rounds/{rubric_round.id}/criteria"
    data = posted_form(client, url)
    data["groups-0-criteria-0-remove"] = "y"
    response = client.post(url, data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "Draft scores discarded with the removed criteria: 1." in response.text
    assert 'id="criteria-frozen"' not in response.text
    db.session.expire_all()
    assert db.session.get(Criterion, criterion_id) is None
    assert db.session.scalars(select(Score).where(Score.assignment_id == assignment.id)).all() == []


def test_the_500_page_renders_after_a_failed_flush(app, make, rubric_round, secretariat, monkeypatch):
    """A bug that leaves the transaction failed (here a score on a criterion that does not exist) gets
    the error page, not a second crash in the handler."""

    def broken_save(round_, groups_data, actor=None):
        db.session.add(Score(assignment_id=10**6, criterion_id=10**6, points=1))
        db.session.flush()

    monkeypatch.setattr(round_services, "save_criteria", broken_save)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    client = english(app, secretariat)
    url = f"/secretariat/rounds/{rubric_round.id}/criteria"
    response = client.post(url, data=posted_form(client, url))
    assert response.status_code == 500
    assert "Something went wrong on our side." in response.text
    assert secretariat.email in response.text  # the layout read the session again
