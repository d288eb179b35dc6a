"""The results published for comment are frozen at publication: /results/<round> shows that list,
ranked 1..n over the published dossiers, whatever happens to scores or states afterwards."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from recognition.cases.models import Application, State
from recognition.clock import local_today
from recognition.extensions import db
from recognition.honours.models import Certificate, Objection
from recognition.review.models import ReviewAssignment
from tests.conftest import fire
from tests.honours.test_honours import decide


@pytest.fixture
def round_(make):
    return make.round(reviewers_per_dossier=1, top_n=1)


def named(make, name):
    return make.enterprise(name=name)


def publish(secretariat, round_) -> None:
    response = secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/publish",
        data={"publish-comment_deadline": (local_today() + timedelta(days=10)).isoformat()},
    )
    assert response.status_code == 302


def published_rows(client, round_) -> list[list[str]]:
    """The cells of the public results table, tags stripped."""
    html = client.get(f"/results/{round_.id}").text
    table = html.split('id="results"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_published_list_does_not_shift_after_publication(app, make, round_, secretariat, client):
    first = make.recommended(round_, enterprise=named(make, "Công ty Cơ khí Đông Anh"), score=85)
    second = make.recommended(round_, enterprise=named(make, "Công ty Dệt may Hà Nội"), score=80)
    publish(secretariat, round_)
    client.get("/lang/en")
    before = published_rows(client, round_)
    assert [
        (row[0], "Công ty Cơ khí Đông Anh" in row, "Công ty Dệt may Hà Nội" in row) for row in before
    ] == [
        ("1 Top 1", True, False),
        ("2", False, True),
    ]

    # After publication: a later conclusion with a higher total, and a score that changes.
    late = make.recommended(round_, enterprise=named(make, "Công ty Điện tử Sóc Sơn"), score=95)
    sheet = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.application_id == second.id))
    sheet.total_score = 99
    db.session.commit()

    after = published_rows(client, round_)
    assert after == before
    assert all("Công ty Điện tử Sóc Sơn" not in cell for row in after for cell in row)
    assert [row[1] for row in after] == [first.receipt_code, second.receipt_code]
    assert "85" in after[0] and "80" in after[1]
    # The dossier that was not published takes no comment.
    response = client.post(
        f"/results/{round_.id}",
        data={
            "application_id": late.id,
            "name": "Phạm Thị Dung",
            "contact": "dung@example.vn",
            "text": "Góp ý",
        },
    )
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Objection)) == 0
    # The secretariat's page shows the list as published too.
    page = secretariat.get(f"/secretariat/honours/rounds/{round_.id}").text
    publication = page.split('id="publication"')[1].split("</section>")[0]
    assert "Công ty Điện tử Sóc Sơn" not in publication


def test_ranks_run_from_one_over_the_published_dossiers_and_top_n_follows(
    app, make, round_, secretariat, client
):
    """A dossier with a higher total that is not recommended ranks on the board, not in the list."""
    overruled = make.application(round=round_, enterprise=named(make, "Công ty Nhựa Gia Lâm"))
    officer = make.officer_of(overruled)
    fire(overruled, "submit", make.applicant_of(overruled))
    fire(overruled, "start_vetting", officer)
    fire(overruled, "endorse", officer)
    make.assign_reviewers(overruled, scores=[92], count=1)
    fire(overruled, "open_review", secretariat.user)
    fire(
        overruled,
        "conclude_review",
        secretariat.user,
        outcome="not_recommended",
        override_reason="Vi phạm môi trường",
    )
    assert overruled.state == State.not_recommended
    only = make.recommended(round_, enterprise=named(make, "Công ty Dệt may Hà Nội"), score=80)
    publish(secretariat, round_)

    rows = published_rows(client, round_)

    assert len(rows) == 1
    assert rows[0][0] == "1 Top 1"
    assert any("Công ty Dệt may Hà Nội" in cell for cell in rows[0])
    # The certificate carries the Top N mark the published list gave.
    db.session.expire_all()
    round_.comment_deadline = local_today() - timedelta(days=1)
    db.session.commit()
    assert "Đã công nhận 1 trên 1 hồ sơ." in decide(secretariat, round_, [only.id]).text
    db.session.expire_all()
    assert db.session.get(Application, only.id).state == State.recognised
    certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == only.id))
    assert certificate.top_n is True
