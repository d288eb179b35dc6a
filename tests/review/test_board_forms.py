"""The review board's buttons post forms: what they send is validated, and what is wrong is said in
the secretariat's language instead of being ignored, or answered with a bare "not found"."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from recognition.cases.models import Application, State
from recognition.extensions import db
from recognition.i18n import Form
from recognition.params import IdField
from recognition.review.forms import OVERRIDE_REASON_MAX
from recognition.review.models import ReviewAssignment
from tests.review.builders import (
    council,
    dossier_under_review,
    english,
    scores_summing_to,
    submit_scores,
)

GARBLED_IDS = ["abc", "1e3", "-1", "²", "１２", "2147483648", " 7"]


def state_of(application: Application) -> State:
    db.session.expire_all()
    return db.session.get(Application, application.id).state


def reviewers_of(application: Application) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ReviewAssignment)
        .where(ReviewAssignment.application_id == application.id)
    )


@pytest.fixture
def under_review(make, rubric_round, secretariat):
    """A dossier under review whose three submitted sheets total 60: the rules say not recommended."""
    application, _members, assignments = dossier_under_review(make, rubric_round, secretariat)
    for assignment in assignments:
        submit_scores(assignment, scores_summing_to(60))
    return application


@pytest.mark.parametrize("user_id", [None, "", *GARBLED_IDS])
def test_a_reviewer_that_is_not_an_id_is_refused_with_a_message(
    app, make, rubric_round, secretariat, user_id
):
    application = make.endorsed(rubric_round)
    council(make, rubric_round)
    data = {} if user_id is None else {"user_id": user_id}
    response = english(app, secretariat).post(
        f"/secretariat/review/applications/{application.id}/reviewers", data=data, follow_redirects=True
    )
    assert response.status_code == 200
    assert f"{application.receipt_code}: Choose a council member from the list." in response.text
    assert reviewers_of(application) == 0


def test_a_reviewer_chosen_from_the_list_is_assigned(app, make, rubric_round, secretariat):
    application = make.endorsed(rubric_round)
    member = council(make, rubric_round)[0]
    response = english(app, secretariat).post(
        f"/secretariat/review/applications/{application.id}/reviewers",
        data={"user_id": str(member.id)},
        follow_redirects=True,
    )
    assert "Reviewer assigned." in response.text
    assert reviewers_of(application) == 1


def test_an_outcome_not_in_the_list_is_refused_not_read_as_the_rules_outcome(app, under_review, secretariat):
    response = english(app, secretariat).post(
        f"/secretariat/review/applications/{under_review.id}/conclude",
        data={"outcome": "approved_by_magic", "override_reason": "Vì sao không"},
        follow_redirects=True,
    )
    assert f"{under_review.receipt_code}: Choose an outcome from the list." in response.text
    assert state_of(under_review) == State.under_review


def test_an_override_reason_past_the_limit_is_refused_with_the_limit(app, under_review, secretariat):
    response = english(app, secretariat).post(
        f"/secretariat/review/applications/{under_review.id}/conclude",
        data={"outcome": "recommended", "override_reason": "x" * (OVERRIDE_REASON_MAX + 1)},
        follow_redirects=True,
    )
    assert f"Write the reason in at most {OVERRIDE_REASON_MAX} characters." in response.text
    assert state_of(under_review) == State.under_review


def test_the_rules_outcome_needs_no_choice_and_an_override_is_recorded(app, under_review, secretariat):
    client = english(app, secretariat)
    url = f"/secretariat/review/applications/{under_review.id}/conclude"
    refused = client.post(
        url, data={"outcome": "recommended", "override_reason": "  "}, follow_redirects=True
    )
    assert "An outcome other than the rules give needs a written reason." in refused.text
    assert state_of(under_review) == State.under_review
    client.post(url, data={"outcome": "", "version": str(under_review.version)})
    assert state_of(under_review) == State.not_recommended


@pytest.mark.parametrize("step", ["open-review", "conclude"])
@pytest.mark.parametrize("version", ["abc", "-1", "1.0", "99999999999"])
def test_a_garbled_version_is_a_bad_request(
    app, make, rubric_round, under_review, secretariat, step, version
):
    application = under_review if step == "conclude" else make.endorsed(rubric_round)
    before = state_of(application)
    response = english(app, secretariat).post(
        f"/secretariat/review/applications/{application.id}/{step}", data={"version": version}
    )
    assert response.status_code == 400
    assert "The request could not be understood." in response.text
    assert state_of(application) == before


def test_a_stale_version_is_still_refused_by_the_workflow(app, under_review, secretariat):
    response = english(app, secretariat).post(
        f"/secretariat/review/applications/{under_review.id}/conclude",
        data={"version": str(under_review.version - 1)},
        follow_redirects=True,
    )
    assert "Someone else acted on this dossier first." in response.text
    assert state_of(under_review) == State.under_review


class _OneId(Form):
    item = IdField()


@pytest.mark.parametrize(
    ("sent", "data", "valid"),
    [
        ([], None, True),
        ([""], None, True),
        (["12"], 12, True),
        (["012"], 12, True),
        (["2147483647"], 2**31 - 1, True),
    ]
    + [([garbled], None, False) for garbled in GARBLED_IDS],
)
def test_an_id_field_reads_ascii_digits_within_the_database_range(app, sent, data, valid):
    with app.test_request_context(method="POST"):
        form = _OneId(formdata=MultiDict([("item", value) for value in sent]), meta={"csrf": False})
        assert form.validate() is valid
        assert form.item.data == data
