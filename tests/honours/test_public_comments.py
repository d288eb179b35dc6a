"""What the public and the secretariat do with the comment period (issue 16): the sender of a comment
gets a reference and a secret and reads the answer with them (and is mailed when it is given); the
secretariat opens the attached file; the period can be closed early with a reason, and the decision
follows the round's rule: comments run to the end of the deadline day, so the decision may be
recorded from the next day, or at once after an early close."""

import io
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from recognition import clock
from recognition.accounts.models import Role
from recognition.cases.errors import TransitionRefused
from recognition.cases.models import Application, Notification, RecordChange, State
from recognition.clock import HANOI, format_day, local_today
from recognition.documents.rounds import submission
from recognition.extensions import db
from recognition.honours import services
from recognition.honours.models import Objection, ObjectionStatus
from recognition.rounds.key_dates import key_dates
from tests import files
from tests.conftest import client_for, fire
from tests.honours.test_honours import decide

REASON = "Không còn hồ sơ nào cần lấy thêm ý kiến"


def english_day(day) -> str:
    """A day as the English pages write it (through the app's one formatter)."""
    with force_locale("en"):
        return format_day(day)


@pytest.fixture
def round_(make):
    return make.round(reviewers_per_dossier=1)


@pytest.fixture
def secretariat(app, make):
    """The honours tests' secretariat (tests/honours/conftest.py), reading the pages in English."""
    return client_for(app, make.user(Role.secretariat), "en")


@pytest.fixture
def published(make, round_):
    """A recommended dossier in results published for comment until ten days from now."""
    application = make.recommended(round_)
    make.publish_results(round_, deadline_days_ago=-10)
    return application


def send_comment(client, round_, application, contact="binh@example.vn", file=None):
    data = {
        "application_id": str(application.id),
        "name": "Trần Văn Bình",
        "contact": contact,
        "is_objection": "y",
        "text": "Số liệu xuất khẩu chưa đúng",
    }
    if file is not None:
        data["file"] = (io.BytesIO(file), "bang-chung.pdf")
    client.get("/lang/en")
    response = client.post(f"/results/{round_.id}", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.text
    reference = re.search(r'id="comment-reference">([^<]+)<', response.text).group(1)
    secret = re.search(r'id="comment-secret">([^<]+)<', response.text).group(1)
    return reference, secret


def read_answer(client, reference, secret) -> str:
    response = client.post("/results/answer", data={"reference": reference, "lookup_secret": secret})
    assert response.status_code == 200
    return response.text.split('id="comment-answer"')[1].split("</div>")[0]


# --- the sender's reference, the answer page and the mail ---------------------------------------------


def test_the_sender_reads_the_answer_with_the_reference_and_secret(client, published, round_, secretariat):
    reference, secret = send_comment(client, round_, published)
    assert re.fullmatch(r"YK-\d{6}", reference) and len(secret) == 6
    objection = db.session.scalar(select(Objection))
    assert objection.reference == reference and secret not in (objection.lookup_secret_hash or "")
    before = read_answer(client, reference.lower(), secret.lower())  # typed as on a slip, any case
    assert "Số liệu xuất khẩu chưa đúng" in before and "The secretariat has not answered yet." in before

    secretariat.post(
        f"/secretariat/honours/objections/{objection.id}",
        data={"answer-answer": "Đã đối chiếu tờ khai hải quan: số liệu đúng", "answer-resolve": "y"},
    )
    after = read_answer(client, reference, secret)
    assert "Đã đối chiếu tờ khai hải quan: số liệu đúng" in after
    assert "Resolved" in after


def test_a_wrong_secret_looks_exactly_like_a_missing_reference(client, published, round_):
    reference, secret = send_comment(client, round_, published)
    wrong = read_answer(client, reference, "ZZZZZZ")
    missing = read_answer(client, "YK-999999", secret)
    assert wrong == missing
    assert "No comment matches this reference and lookup secret." in wrong
    assert "Số liệu xuất khẩu" not in wrong


def test_the_mailed_link_fills_in_the_reference(client, published, round_):
    reference, _secret = send_comment(client, round_, published)
    page = client.get(f"/results/answer?reference={reference}").text
    assert f'value="{reference}"' in page


def test_answer_look_ups_are_rate_limited(client, frozen_clock):
    data = {"reference": "YK-000001", "lookup_secret": "ABCDEF"}
    statuses = [client.post("/results/answer", data=data).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]


def test_the_answer_queues_a_mail_to_an_email_contact_only(client, published, round_, secretariat):
    reference, _secret = send_comment(client, round_, published, contact="Binh@Example.vn")
    objection = db.session.scalar(select(Objection))
    secretariat.post(
        f"/secretariat/honours/objections/{objection.id}", data={"answer-answer": "Đang xác minh"}
    )
    mail = db.session.scalars(select(Notification).where(Notification.event == "objection_answered")).one()
    assert mail.payload["email"] == "Binh@example.vn"
    assert mail.payload["reference"] == reference
    assert mail.payload["answer_url"].endswith(f"/results/answer?reference={reference}")
    assert mail.application_id == published.id

    objection.contact = "0912 345 678"  # a contact that is not an address gets no mail
    db.session.commit()
    services.handle_objection(objection, "Đã xác minh", True, secretariat.user)
    db.session.commit()
    assert (
        len(db.session.scalars(select(Notification).where(Notification.event == "objection_answered")).all())
        == 1
    )


# --- the attached file ---------------------------------------------------------------------------------


def test_the_secretariat_opens_the_attached_file(client, published, round_, secretariat):
    content = files.pdf("gop-y")
    send_comment(client, round_, published, file=content)
    objection = db.session.scalar(select(Objection))
    page = secretariat.get(f"/secretariat/honours/rounds/{round_.id}").text
    link = f"/secretariat/honours/objections/{objection.id}/file"
    assert link in page and "bang-chung.pdf" in page
    response = secretariat.get(link)
    assert response.status_code == 200 and response.data == content
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_comment_without_a_file_has_no_file_to_open(client, published, round_, secretariat):
    send_comment(client, round_, published)
    objection = db.session.scalar(select(Objection))
    assert secretariat.get(f"/secretariat/honours/objections/{objection.id}/file").status_code == 404
    assert "/file" not in secretariat.get(f"/secretariat/honours/rounds/{round_.id}").text


# --- closing the comment period early, and the day the decision may be recorded ------------------------


def close(secretariat, round_, reason=REASON):
    return secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/close-comments",
        data={"close-reason": reason},
        follow_redirects=True,
    )


def test_closing_early_is_audited_shown_everywhere_and_lets_the_decision_through(
    client, published, round_, secretariat
):
    page = close(secretariat, round_).text
    today = english_day(local_today())
    assert f"Comments closed early on {today}: {REASON}" in page
    db.session.expire_all()
    assert round_.comment_closed_reason == REASON and not services.comments_open(round_)
    change = db.session.scalars(
        select(RecordChange).where(
            RecordChange.subject_type == "rounds", RecordChange.action == "close_comments_early"
        )
    ).one()
    assert change.actor_id == secretariat.user.id and change.payload["reason"] == REASON

    client.get("/lang/en")
    public = client.get(f"/results/{round_.id}").text
    assert f"Comments closed early on {today}: {REASON}" in public
    assert 'name="text"' not in public  # no comment form any more
    assert client.get("/").text.count(f"/results/{round_.id}") == 0  # no longer out for comment
    comments = next(d for d in key_dates(round_) if d.code == "comments")
    assert comments.ends_on == local_today() and REASON in comments.note
    assert f"kết thúc sớm ngày {local_today():%d/%m/%Y} (lý do: {REASON})" in str(
        submission(round_, local_today())
    )

    decided = decide(secretariat, round_, [published.id]).text
    assert "1 of 1 dossiers recognised." in decided
    db.session.expire_all()
    assert db.session.get(Application, published.id).state == State.recognised


def test_closing_needs_a_reason_and_keeps_what_was_typed(published, round_, secretariat):
    page = close(secretariat, round_, reason="   ").text
    assert "This field is required." in page
    db.session.expire_all()
    assert round_.comment_closed_at is None and services.comments_open(round_)
    assert (
        db.session.scalar(select(RecordChange).where(RecordChange.action == "close_comments_early")) is None
    )


def test_a_period_already_over_cannot_be_closed(published, round_, secretariat):
    round_.comment_deadline = local_today() - timedelta(days=1)
    db.session.commit()
    page = close(secretariat, round_, reason="Kết thúc").text
    assert "The comment period is not running." in page
    assert "Kết thúc" in page  # the reason typed is still in the form
    db.session.expire_all()
    assert round_.comment_closed_at is None


def test_comments_sent_after_an_early_close_are_refused(client, published, round_, secretariat):
    close(secretariat, round_)
    client.post(
        f"/results/{round_.id}",
        data={"application_id": str(published.id), "name": "A", "contact": "a@example.vn", "text": "Muộn"},
    )
    assert db.session.scalar(select(Objection)) is None


def test_publishing_again_opens_a_new_period(published, round_, secretariat):
    close(secretariat, round_)
    secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/publish",
        data={"publish-comment_deadline": (local_today() + timedelta(days=5)).isoformat()},
    )
    db.session.expire_all()
    assert round_.comment_closed_at is None and round_.comment_closed_reason is None
    assert services.comments_open(round_)


def at_hanoi(day, hour, minute, monkeypatch):
    moment = datetime.combine(day, time(hour, minute), tzinfo=HANOI).astimezone(UTC)
    monkeypatch.setattr(clock, "_now", lambda: moment)


def test_the_decision_waits_for_the_end_of_the_last_day_of_comments(make, published, round_, monkeypatch):
    """The round's rule: comments are accepted to the end of the deadline day ("đến hết ngày")."""
    deadline = round_.comment_deadline
    secretariat = make.user(Role.secretariat)
    at_hanoi(deadline, 23, 59, monkeypatch)
    with pytest.raises(TransitionRefused) as refused:
        fire(published, "recognise", secretariat)
    assert [r.code for r in refused.value.refusals] == ["comment_period"]
    db.session.rollback()
    at_hanoi(deadline + timedelta(days=1), 0, 0, monkeypatch)
    fire(published, "recognise", secretariat)
    assert published.state == State.recognised


def test_an_open_objection_still_blocks_the_decision_after_an_early_close(
    client, published, round_, secretariat
):
    send_comment(client, round_, published)
    close(secretariat, round_)
    page = decide(secretariat, round_, [published.id]).text
    assert "0 of 1 dossiers recognised." in page
    assert db.session.scalar(select(Objection)).status == ObjectionStatus.open
