"""In-app notices: each notification reaches the users it addresses, with an unread count in the
layout, and nobody else's."""

from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.cases.models import Notification
from recognition.extensions import db
from recognition.notifications import notices
from tests.conftest import fire, login
from tests.queries import counting_queries


def submitted(make):
    application = make.application()
    applicant = make.applicant_of(application)
    officer = make.officer_of(application)
    fire(application, "submit", applicant)
    return application, applicant, officer


def test_a_submission_is_a_notice_for_the_units_officers_and_the_enterprise_only(app, make):
    application, applicant, officer = submitted(make)
    other_unit_officer = make.user(Role.unit_officer, unit=make.unit("P-BADINH"))
    other_applicant = make.user(Role.applicant, enterprise=make.enterprise())
    db.session.commit()

    for user in (officer, applicant):
        assert [n.title for n in notices.notices_of(user)] == [
            f"Hồ sơ {application.receipt_code} đã được tiếp nhận"
        ]
        assert notices.unread_count(user) == 1
    for user in (other_unit_officer, other_applicant):
        assert notices.notices_of(user) == [] and notices.unread_count(user) == 0


def test_the_layout_shows_the_unread_count_and_opening_a_notice_marks_it_read(app, make):
    application, _applicant, officer = submitted(make)
    db.session.commit()
    client = app.test_client()
    login(client, officer)
    client.get("/lang/en")

    page = client.get("/unit/").text
    assert '<span class="badge bg-danger" id="unread-count">1</span>' in page
    listing = client.get("/notices").text
    assert f"Dossier {application.receipt_code} has been received" in listing
    notification_id = db.session.scalar(
        select(Notification.id).where(
            Notification.application_id == application.id, Notification.recipient_role == "unit_officer"
        )
    )

    opened = client.post("/notices/open", data={"notification_id": str(notification_id)})

    assert opened.status_code == 302 and opened.headers["Location"].endswith(
        f"/unit/dossiers/{application.id}"
    )
    assert 'id="unread-count"' not in client.get("/unit/").text


def test_someone_elses_notice_cannot_be_opened(app, make):
    application, _applicant, _officer = submitted(make)
    stranger = make.user(Role.unit_officer, unit=make.unit("P-BADINH"))
    db.session.commit()
    notification_id = db.session.scalar(
        select(Notification.id).where(Notification.application_id == application.id)
    )
    client = app.test_client()
    login(client, stranger)
    assert client.post("/notices/open", data={"notification_id": str(notification_id)}).status_code == 404


def test_mark_all_read_and_account_mails_are_never_notices(app, make):
    application, applicant, _officer = submitted(make)
    db.session.add(
        Notification(
            event="confirm_email",
            recipient_role="account",
            recipient_user_id=applicant.id,
            payload={"confirm_url": "http://x/confirm/secret"},
        )
    )
    db.session.commit()
    assert notices.unread_count(applicant) == 1  # the submission, not the account mail
    client = app.test_client()
    login(client, applicant)
    client.post("/notices/read")
    assert notices.unread_count(applicant) == 0
    assert "confirm/secret" not in client.get("/notices").text


def test_the_notice_list_costs_the_same_queries_for_few_or_many_notices(app, make):
    application, _applicant, officer = submitted(make)
    db.session.commit()
    client = app.test_client()
    login(client, officer)
    with counting_queries() as few:
        client.get("/notices")
    for _ in range(30):
        db.session.add(
            Notification(
                application_id=application.id,
                event="resubmit",
                recipient_role="unit_officer",
                recipient_unit_id=application.enterprise.unit_id,
            )
        )
    db.session.commit()
    with counting_queries() as many:
        page = client.get("/notices").text
    assert page.count('class="badge bg-primary ms-1"') == 31
    assert len(many) == len(few)
