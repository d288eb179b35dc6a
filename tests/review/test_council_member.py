"""The council member's side through HTTP: declaration, scoring, the panel, independence and access."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from recognition.accounts.models import Role, User
from recognition.cases.models import Application, Notification
from recognition.extensions import db
from recognition.review import services
from recognition.review.models import Criterion, CriterionAssignment, ReviewAssignment, Score
from recognition.review.rubric import apply_default_rubric
from tests.conftest import fire
from tests.queries import counting_queries
from tests.review.builders import client_for

# The default rubric's criteria in order, with their maximum points.
CODES = ["A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3", "D1", "D2", "D3"]
MAXIMA = dict(zip(CODES, [10, 10, 10, 10, 8, 7, 10, 10, 10, 5, 5, 5], strict=True))


@dataclass(eq=False)
class Member:
    user: User
    client: object
    assignment_id: int

    @property
    def base(self) -> str:
        return f"/council/assignments/{self.assignment_id}"

    def page(self, suffix: str = "") -> str:
        response = self.client.get(self.base + suffix)
        assert response.status_code == 200, response.status_code
        return response.text


@dataclass
class Review:
    application: Application
    members: list[Member]
    criteria: dict[str, Criterion]
    secretariat: User


def endorsed_application(make, round_=None) -> Application:
    """An application of a round with the default rubric, submitted, vetted and endorsed."""
    if round_ is None:
        round_ = make.round()
        apply_default_rubric(round_)
        db.session.commit()
    return make.endorsed(round_)


def assign(app, make, application, count: int = 3) -> list[Member]:
    members = []
    for _ in range(count):
        user = make.user(Role.council_member)
        services.add_council_member(application.round, user)
        assignment = services.assign_reviewer(application, user)
        db.session.commit()
        members.append(Member(user, client_for(app, user), assignment.id))
    return members


def criteria_of(application) -> dict[str, Criterion]:
    rows = db.session.scalars(select(Criterion).where(Criterion.round_id == application.round_id))
    return {c.code: c for c in rows}


@pytest.fixture
def review(app, make) -> Review:
    """An endorsed dossier, three council members assigned, the review opened."""
    application = endorsed_application(make)
    members = assign(app, make, application)
    secretariat = make.user(Role.secretariat)
    fire(application, "open_review", secretariat)
    return Review(application, members, criteria_of(application), secretariat)


def declare_none(member: Member) -> None:
    response = member.client.post(f"{member.base}/declare", data={"conflict": "no"})
    assert response.status_code == 302


def score_form(criteria, points: dict[str, str], comments: dict[str, str] | None = None, submit=False):
    data = {"submit" if submit else "save": "x"}
    for code, value in points.items():
        data[f"points_{criteria[code].id}"] = value
    for code, text in (comments or {}).items():
        data[f"comment_{criteria[code].id}"] = text
    return data


def submit_scores(member: Member, criteria, points: list | dict, comments: dict[str, str] | None = None):
    """Declare no conflict and submit; `points` in CODES order, or {code: points}."""
    declare_none(member)
    points = points if isinstance(points, dict) else dict(zip(CODES, points, strict=True))
    response = member.client.post(
        f"{member.base}/score",
        data=score_form(criteria, {k: str(v) for k, v in points.items()}, comments, submit=True),
    )
    assert response.status_code == 302, response.text
    assert response.location.endswith(f"{member.base}#panel")


def cell(html: str, element_id: str) -> str:
    """The text of the panel cell with this id, without the comment under the points."""
    match = re.search(rf'id="{re.escape(element_id)}">(.*?)</t[dh]>', html, re.S)
    assert match, f"no #{element_id} in the page"
    return re.sub(r"<[^>]+>", "", match.group(1).split("<div")[0]).strip()


def fieldset(html: str, code: str) -> str:
    match = re.search(rf'<fieldset[^>]*id="criterion-{code}">(.*?)</fieldset>', html, re.S)
    assert match, f"no fieldset for {code}"
    return match.group(1)


def reload(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def stored_scores(assignment_id: int) -> dict[int, Score]:
    db.session.expire_all()
    return {
        s.criterion_id: s
        for s in db.session.scalars(select(Score).where(Score.assignment_id == assignment_id))
    }


# 1. The whole path of one member --------------------------------------------------------------------


def test_declare_draft_submit_then_see_the_panel(review):
    member, criteria = review.members[0], review.criteria
    home = member.client.get("/council/").text
    assert review.application.receipt_code in home
    assert review.application.enterprise.name in home and review.application.product.name in home
    assert review.application.round.title in home
    assert 'data-step="declare"' in home

    response = member.client.post(f"{member.base}/declare", data={"conflict": "no"})
    assert response.location == f"{member.base}/score"
    assignment = reload(ReviewAssignment, member.assignment_id)
    assert assignment.has_conflict is False and assignment.declared_at is not None
    assert 'data-step="score"' in member.client.get("/council/").text

    form = member.page("/score")
    for code in CODES:
        assert f'name="points_{criteria[code].id}"' in form
    assert "Tốc độ tăng doanh thu" in form  # A1's guidance
    assert 'id="panel"' not in member.page()

    # A partial draft, with a comma decimal, is kept and shown again.
    response = member.client.post(
        f"{member.base}/score",
        data=score_form(criteria, {"A1": "7,5", "B2": "6"}, {"A1": "Tăng trưởng đều hai năm"}),
    )
    assert response.location == f"{member.base}/score"
    saved = stored_scores(member.assignment_id)
    assert {criteria["A1"].id: Decimal("7.5"), criteria["B2"].id: Decimal("6")} == {
        cid: s.points for cid, s in saved.items()
    }
    assert reload(ReviewAssignment, member.assignment_id).submitted_at is None
    form = member.page("/score")
    assert 'value="7,5"' in fieldset(form, "A1") and "Tăng trưởng đều hai năm" in fieldset(form, "A1")
    assert 'value="6"' in fieldset(form, "B2")
    assert 'value=""' in fieldset(form, "A2")

    # Submitting with criteria missing is refused, and the draft is untouched.
    response = member.client.post(
        f"{member.base}/score", data=score_form(criteria, {"A1": "7,5", "B2": "6"}, submit=True)
    )
    assert response.status_code == 200
    assert "is-invalid" in fieldset(response.text, "A2") and "is-invalid" not in fieldset(response.text, "A1")
    assert reload(ReviewAssignment, member.assignment_id).submitted_at is None

    points = dict(zip(CODES, ["7,5", "8", "6", "9", "6", "5", "8", "9", "7", "4", "3", "5"], strict=True))
    response = member.client.post(f"{member.base}/score", data=score_form(criteria, points, submit=True))
    assert response.location.endswith(f"{member.base}#panel")
    assignment = reload(ReviewAssignment, member.assignment_id)
    assert assignment.submitted_at is not None and assignment.total_score == Decimal("77.5")
    assert len(stored_scores(member.assignment_id)) == 12

    page = member.page()
    assert 'id="panel"' in page
    assert cell(page, f"total-{member.assignment_id}") == "77,5"
    assert cell(page, "dossier-total") == "77,5"
    assert cell(page, "mean-A1") == "7,5"
    for other in review.members[1:]:
        assert member.user.full_name in page and other.user.full_name in page
        assert cell(page, f"score-{other.assignment_id}-A1") == "—"
    assert 'data-step="submitted"' in member.client.get("/council/").text
    # Submitted scores are final: the scoring page sends the member to the dossier.
    response = member.client.get(f"{member.base}/score")
    assert response.status_code == 302 and response.location == member.base


# 2. The panel's numbers against a hand computation ---------------------------------------------------


def test_panel_means_and_totals_match_a_hand_computation(review):
    first, second, third = review.members
    #                A1   A2    A3  B1  B2  B3  C1  C2  C3  D1  D2  D3
    submit_scores(first, review.criteria, [8, 7, 6, 9, 6, 5, 8, 9, 7, 4, 3, 5])  # total 77
    submit_scores(second, review.criteria, [7, "7.5", 6, 8, 5, 6, 9, 8, 8, 4, 4, 4])  # total 76.5
    submit_scores(third, review.criteria, [9, 6, 5, 7, 7, 4, 7, 10, 6, 5, 3, 3])  # total 72
    # Means, each rounded to the cent:
    #   A1 (8+7+9)/3 = 8      A2 (7+7.5+6)/3 = 6.8333 → 6.83   A3 (6+6+5)/3 = 5.6667 → 5.67
    #   B1 (9+8+7)/3 = 8      B2 (6+5+7)/3 = 6                 B3 (5+6+4)/3 = 5
    #   C1 (8+9+7)/3 = 8      C2 (9+8+10)/3 = 9                C3 (7+8+6)/3 = 7
    #   D1 (4+4+5)/3 = 4.3333 → 4.33   D2 (3+4+3)/3 = 3.3333 → 3.33   D3 (5+4+3)/3 = 4
    # Total = the sum of the exact means, rounded once = the mean of the totals, 225.5 / 3 = 75.17;
    # group D = 13/3 + 10/3 + 4 = 11.67 (summing the rounded means would give 11.66 and 75.16).
    expected_means = {
        "A1": "8", "A2": "6,83", "A3": "5,67", "B1": "8", "B2": "6", "B3": "5",
        "C1": "8", "C2": "9", "C3": "7", "D1": "4,33", "D2": "3,33", "D3": "4",
    }  # fmt: skip
    expected_groups = {"A": "20,5", "B": "19", "C": "24", "D": "11,67"}
    for member in review.members:
        page = member.page()
        assert {code: cell(page, f"mean-{code}") for code in CODES} == expected_means
        assert {g: cell(page, f"group-{g}") for g in "ABCD"} == expected_groups
        assert cell(page, "dossier-total") == "75,17"
        assert cell(page, f"total-{first.assignment_id}") == "77"
        assert cell(page, f"total-{second.assignment_id}") == "76,5"
        assert cell(page, f"total-{third.assignment_id}") == "72"
        assert cell(page, f"score-{second.assignment_id}-A2") == "7,5"
        assert cell(page, f"score-{third.assignment_id}-C2") == "10"


def test_panel_in_english_uses_decimal_points(review):
    first, second, third = review.members
    submit_scores(first, review.criteria, [8, 7, 6, 9, 6, 5, 8, 9, 7, 4, 3, 5])
    submit_scores(second, review.criteria, [7, "7.5", 6, 8, 5, 6, 9, 8, 8, 4, 4, 4])
    first.client.get("/lang/en")
    page = first.page()
    assert "The council's scores" in page
    assert cell(page, "mean-A2") == "7.25"  # (7 + 7.5) / 2
    assert cell(page, f"total-{second.assignment_id}") == "76.5"
    assert cell(page, "dossier-total") == "76.75"  # (77 + 76.5) / 2, every criterion scored by both
    assert "Not submitted yet" in page  # the third member


# 3. Independence: nothing of another member's scores before one's own submission ---------------------


def test_a_member_never_sees_another_members_scores_before_submitting(review):
    a, b, _c = review.members
    secret_comment = "Ghi chú riêng XK-4711 của thành viên A"
    # A gives 6.37 to A1 (a number no page shows otherwise); A's total is 73.37.
    submit_scores(
        a, review.criteria, ["6.37", 7, 6, 9, 6, 5, 8, 9, 7, 4, 3, 3], comments={"A1": secret_comment}
    )
    assert reload(ReviewAssignment, a.assignment_id).total_score == Decimal("73.37")
    leaks = ("6,37", "6.37", "73,37", "73.37", "XK-4711", secret_comment)

    declare_none(b)
    b.client.post(f"{b.base}/score", data=score_form(review.criteria, {"A1": "5"}, {"A1": "Nháp của B"}))
    before = [b.page(), b.page("/score"), b.client.get("/council/").text]
    b.client.get("/lang/en")
    before += [b.page(), b.page("/score"), b.client.get("/council/").text]
    for html in before:
        for leak in leaks:
            assert leak not in html
        assert 'id="panel"' not in html
        assert not re.search(re.escape(a.user.full_name) + r"(?!\d)", html)

    # A, who has submitted, sees B's name but not B's draft.
    page_of_a = a.page()
    assert cell(page_of_a, f"score-{b.assignment_id}-A1") == "—"
    assert "Nháp của B" not in page_of_a

    submit_scores(b, review.criteria, [5, 7, 6, 9, 6, 5, 8, 9, 7, 4, 3, 3])
    after = b.page()
    assert cell(after, f"score-{a.assignment_id}-A1") == "6.37"  # still in English
    assert secret_comment in after
    assert cell(after, f"total-{a.assignment_id}") == "73.37"


# 4. A declared conflict removes the member -----------------------------------------------------------


def test_a_declared_conflict_removes_the_member_from_the_dossier(review):
    member = review.members[0]
    response = member.client.post(f"{member.base}/declare", data={"conflict": "yes", "reason": ""})
    assert response.status_code == 200
    assert "is-invalid" in response.text
    assert reload(ReviewAssignment, member.assignment_id).has_conflict is None

    reason = "Tôi là cổ đông của doanh nghiệp"
    response = member.client.post(f"{member.base}/declare", data={"conflict": "yes", "reason": reason})
    assert response.status_code == 302 and response.location == "/council/"
    assignment = reload(ReviewAssignment, member.assignment_id)
    assert assignment.has_conflict is True and assignment.conflict_reason == reason
    notice = db.session.scalar(
        select(Notification).where(
            Notification.application_id == review.application.id, Notification.event == "conflict_declared"
        )
    )
    assert notice.recipient_role == "secretariat" and notice.payload == {"reviewer_id": member.user.id}

    assert review.application.receipt_code not in member.client.get("/council/").text
    document = review.application.documents[0]
    for path in ("/score", "", "/declare", f"/documents/{document.id}"):
        assert member.client.get(member.base + path).status_code == 404, path
    response = member.client.post(
        f"{member.base}/score", data=score_form(review.criteria, {"A1": "5"}, submit=False)
    )
    assert response.status_code == 404
    assert stored_scores(member.assignment_id) == {}


def test_conflict_after_a_draft_still_removes_the_member(review):
    member = review.members[1]
    declare_none(member)
    member.client.post(f"{member.base}/score", data=score_form(review.criteria, {"A1": "5"}))
    response = member.client.post(f"{member.base}/declare", data={"conflict": "yes", "reason": "Người thân"})
    assert response.status_code == 302
    assert member.client.get(f"{member.base}/score").status_code == 404


def test_no_declaration_after_submission(review):
    member = review.members[0]
    submit_scores(member, review.criteria, [5] * 12)
    response = member.client.post(
        f"{member.base}/declare", data={"conflict": "yes", "reason": "Muộn"}, follow_redirects=True
    )
    assert "alert-danger" in response.text
    assert reload(ReviewAssignment, member.assignment_id).has_conflict is False


# 5. Criteria assigned to particular members ------------------------------------------------------------


def test_assigned_criteria_only_and_the_total_is_the_sum_of_means(review):
    first, second, third = review.members
    c = review.criteria
    plan = {
        first: ["A1", "A2", "A3", "B1", "B2", "B3"],
        second: ["C1", "C2", "C3", "D1", "D2", "D3"],
        third: ["A1", "B1", "C1", "D1"],
    }
    for member, codes in plan.items():
        db.session.add_all(
            CriterionAssignment(criterion_id=c[code].id, user_id=member.user.id) for code in codes
        )
    db.session.commit()

    declare_none(third)
    form = third.page("/score")
    for code in CODES:
        assert (f'name="points_{c[code].id}"' in form) == (code in plan[third]), code
    # A value posted for a criterion not theirs is ignored; the others are saved.
    third.client.post(f"{third.base}/score", data=score_form(c, {"A1": "6", "A2": "9", "C2": "1"}))
    assert set(stored_scores(third.assignment_id)) == {c["A1"].id}

    submit_scores(first, c, {"A1": 8, "A2": 7, "A3": 6, "B1": 9, "B2": 6, "B3": 5})  # total 41
    submit_scores(second, c, {"C1": 8, "C2": 9, "C3": 7, "D1": 4, "D2": 3, "D3": 5})  # total 36
    submit_scores(third, c, {"A1": 6, "B1": 7, "C1": 9, "D1": 5, "A2": 1, "D3": 0})  # total 27
    assert set(stored_scores(third.assignment_id)) == {c[k].id for k in plan[third]}
    # Means: A1 (8+6)/2 = 7, A2 7, A3 6, B1 (9+7)/2 = 8, B2 6, B3 5,
    #        C1 (8+9)/2 = 8.5, C2 9, C3 7, D1 (4+5)/2 = 4.5, D2 3, D3 5.
    # Total = 7+7+6+8+6+5+8.5+9+7+4.5+3+5 = 76 (the mean of the totals would be 104/3 = 34.67).
    page = first.page()
    assert {code: cell(page, f"mean-{code}") for code in CODES} == {
        "A1": "7", "A2": "7", "A3": "6", "B1": "8", "B2": "6", "B3": "5",
        "C1": "8,5", "C2": "9", "C3": "7", "D1": "4,5", "D2": "3", "D3": "5",
    }  # fmt: skip
    assert cell(page, "dossier-total") == "76"
    assert cell(page, f"total-{first.assignment_id}") == "41"
    assert cell(page, f"total-{second.assignment_id}") == "36"
    assert cell(page, f"total-{third.assignment_id}") == "27"
    assert cell(page, f"score-{third.assignment_id}-A2") == "—"
    assert cell(page, f"score-{first.assignment_id}-C1") == "—"


# 6. Field errors ------------------------------------------------------------------------------------------


BAD = {"A1": "11", "A2": "-1", "A3": "abc", "B1": "7,25", "B2": "9"}


def test_out_of_range_points_are_shown_next_to_the_field_and_kept(review):
    member = review.members[0]
    declare_none(member)
    response = member.client.post(
        f"{member.base}/score", data=score_form(review.criteria, BAD, {"A3": "Chưa rõ số liệu"})
    )
    assert response.status_code == 200
    html = response.text
    assert 'id="score-errors"' in html
    for code in ("A1", "A2", "A3", "B2"):
        part = fieldset(html, code)
        assert "is-invalid" in part and 'class="invalid-feedback"' in part, code
    assert "is-invalid" not in fieldset(html, "B1")
    for code, value in BAD.items():
        assert f'value="{value}"' in fieldset(html, code)
    assert "Chưa rõ số liệu" in fieldset(html, "A3")
    assert stored_scores(member.assignment_id) == {}


def error_of(html: str, code: str) -> str:
    match = re.search(r'class="invalid-feedback">([^<]*)<', fieldset(html, code))
    assert match, f"no error for {code}"
    return match.group(1)


def test_field_messages_in_english(review):
    member = review.members[0]
    declare_none(member)
    member.client.get("/lang/en")
    points = {"A1": "11", "A3": "abc", "B2": "9", "D1": "-1", "B1": "7,25"}
    html = member.client.post(
        f"{member.base}/score", data=score_form(review.criteria, points, submit=True)
    ).text
    assert error_of(html, "A1") == "Between 0 and 10 points."
    assert error_of(html, "A3") == "Enter a number."
    assert error_of(html, "B2") == "Between 0 and 8 points."
    assert error_of(html, "D1") == "Between 0 and 5 points."
    assert error_of(html, "A2") == "Score this criterion."
    assert "is-invalid" not in fieldset(html, "B1")
    assert 'value="7,25"' in fieldset(html, "B1")
    assert "Some scores need correcting; nothing was saved." in html
    assert stored_scores(member.assignment_id) == {}


def test_points_are_kept_to_the_cent(review):
    """A third decimal is refused (the columns keep two), and nothing is saved."""
    member = review.members[0]
    declare_none(member)
    member.client.get("/lang/en")
    html = member.client.post(
        f"{member.base}/score", data=score_form(review.criteria, {"C1": "7.555", "C2": "7,55"})
    ).text
    assert error_of(html, "C1") == "Use at most two decimal places."
    assert "is-invalid" not in fieldset(html, "C2")
    assert stored_scores(member.assignment_id) == {}
    member.client.post(
        f"{member.base}/score", data=score_form(review.criteria, {"C1": "7.500", "C2": "7,55"})
    )
    saved = {s.points for s in stored_scores(member.assignment_id).values()}
    assert saved == {Decimal("7.5"), Decimal("7.55")}


# Order of things: declaration first, scoring only under review ---------------------------------------


def test_scoring_and_dossier_need_the_declaration_first(review):
    member = review.members[0]
    for path in ("/score", ""):
        response = member.client.get(member.base + path)
        assert response.status_code == 302 and response.location == f"{member.base}/declare"
    page = member.client.get(f"{member.base}/score", follow_redirects=True).text
    assert 'name="conflict"' in page and "alert-warning" in page
    response = member.client.post(f"{member.base}/score", data=score_form(review.criteria, {"A1": "5"}))
    assert response.location == f"{member.base}/declare"
    assert stored_scores(member.assignment_id) == {}


def test_scoring_waits_for_the_review_to_open(app, make):
    application = endorsed_application(make)
    member = assign(app, make, application, count=1)[0]
    criteria = criteria_of(application)
    response = member.client.post(f"{member.base}/declare", data={"conflict": "no"})
    assert response.location == member.base
    assert 'data-step="wait"' in member.client.get("/council/").text
    page = member.page("/score")
    assert 'id="scoring-closed"' in page and 'name="points_' not in page
    member.client.get("/lang/en")
    assert "Scoring opens when the secretariat opens the council review" in member.page("/score")
    response = member.client.post(f"{member.base}/score", data=score_form(criteria, {"A1": "5"}))
    assert response.status_code == 302 and response.location == f"{member.base}/score"
    flashed = member.page("/score")
    assert "Scoring is open only while the dossier is under council review." in flashed
    assert stored_scores(member.assignment_id) == {}


def test_member_document_download(app, review):
    import os

    storage = app.extensions["evidence_storage"]
    document = review.application.documents[0]
    os.makedirs(os.path.dirname(storage.path_for(document.sha256)), exist_ok=True)
    with open(storage.path_for(document.sha256), "wb") as stored:
        stored.write(b"%PDF-1.4\n%%EOF\n")
    member = review.members[0]
    declare_none(member)
    assert f"{member.base}/documents/{document.id}" in member.page()
    url = f"{member.base}/documents/{document.id}"
    inline = member.client.get(url, query_string={"inline": "1"})
    assert inline.headers["Content-Disposition"].startswith("inline")
    assert member.client.get(url).headers["Content-Disposition"].startswith("attachment")
    assert member.client.get(f"{member.base}/documents/999999").status_code == 404


# 7. Access ------------------------------------------------------------------------------------------------


def blueprint_routes(app) -> list[tuple[str, str]]:
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("review.") and "<int:assignment_id>" in rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


ROUTES = [
    ("GET", "/council/assignments/<int:assignment_id>"),
    ("GET", "/council/assignments/<int:assignment_id>/declare"),
    ("POST", "/council/assignments/<int:assignment_id>/declare"),
    ("GET", "/council/assignments/<int:assignment_id>/documents/<int:document_id>"),
    ("GET", "/council/assignments/<int:assignment_id>/score"),
    ("POST", "/council/assignments/<int:assignment_id>/score"),
]


def test_every_route_of_the_blueprint_is_listed(app):
    assert blueprint_routes(app) == sorted(ROUTES)


@pytest.mark.parametrize(("method", "rule"), ROUTES)
def test_another_members_assignment_is_not_found(app, make, review, method, rule):
    owner = review.members[0]
    submit_scores(owner, review.criteria, [5] * 12)
    outsider = make.user(Role.council_member)
    services.add_council_member(review.application.round, outsider)  # on the council, not on this dossier
    db.session.commit()
    client = client_for(app, outsider)
    url = rule.replace("<int:assignment_id>", str(owner.assignment_id)).replace(
        "<int:document_id>", str(review.application.documents[0].id)
    )
    data = {"conflict": "yes", "reason": "x", "submit": "x", f"points_{review.criteria['A1'].id}": "1"}
    assert client.open(url, method=method, data=data).status_code == 404
    # Also another member of the same dossier.
    neighbour = review.members[1]
    assert neighbour.client.open(url, method=method, data=data).status_code == 404
    assignment = reload(ReviewAssignment, owner.assignment_id)
    assert assignment.has_conflict is False and assignment.total_score == Decimal(60)


def test_other_roles_are_forbidden(app, make, review):
    secretariat = client_for(app, review.secretariat)
    assert secretariat.get("/council/").status_code == 403
    assert secretariat.get(review.members[0].base).status_code == 403
    assert app.test_client().get("/council/").status_code == 302  # to the login page


# The home page's queries -----------------------------------------------------------------------------------


def home_queries(client) -> tuple[int, str]:
    client.get("/council/")
    with counting_queries() as statements:
        html = client.get("/council/").text
    return len(statements), html


def test_home_lists_every_assignment_with_a_constant_number_of_queries(app, make):
    round_ = make.round()
    apply_default_rubric(round_)
    db.session.commit()
    member = make.user(Role.council_member)
    services.add_council_member(round_, member)
    db.session.commit()
    client = client_for(app, member)
    applications = [endorsed_application(make, round_) for _ in range(4)]
    services.assign_reviewer(applications[0], member)
    db.session.commit()
    one, _html = home_queries(client)
    for application in applications[1:]:
        services.assign_reviewer(application, member)
    db.session.commit()
    four, html = home_queries(client)
    assert one == four
    assert all(a.receipt_code in html for a in applications)
    assert db.session.scalar(select(func.count()).select_from(ReviewAssignment)) == 4
    assert html.count('data-step="declare"') == 4
