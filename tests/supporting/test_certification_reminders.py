"""The sweep's reminder of certifications about to expire (issue 12): exactly one outbox notice per
expiry within the next 90 days, none for later or past ones, again after a renewal; the drain mails
it to every applicant of the enterprise, and the applicant reads it among their notices."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from recognition import clock
from recognition.accounts.models import Role
from recognition.cases.models import Notification
from recognition.cases.sweep import sweep
from recognition.extensions import db
from recognition.notifications.models import OutgoingMail
from recognition.notifications.outbox import queue_mails
from recognition.supporting.dashboard import EXPIRING_WITHIN_DAYS
from recognition.supporting.models import FirmCertification, Standard, SupplierProfile, SupportingSector
from recognition.supporting.reminders import CERTIFICATION_EXPIRING
from tests.conftest import client_for

TODAY = clock.local_today()


@pytest.fixture
def profile(make, reference):
    sector = db.session.scalars(select(SupportingSector).order_by(SupportingSector.code)).first()
    profile = SupplierProfile(enterprise=make.enterprise(), supporting_sector=sector)
    db.session.add(profile)
    db.session.commit()
    return profile


def certify(profile: SupplierProfile, number: str, days: int | None, standard=Standard.iso_9001, name=""):
    certification = FirmCertification(
        standard=standard,
        standard_name=name,
        number=number,
        expires_on=None if days is None else TODAY + timedelta(days=days),
    )
    profile.certifications.append(certification)
    db.session.commit()
    return certification


def reminders() -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.event == CERTIFICATION_EXPIRING).order_by(Notification.id)
        )
    )


def test_an_expiring_certification_is_reminded_exactly_once(profile):
    expiring = certify(profile, "ISO-1", 30)
    certify(profile, "ISO-LATER", 120)
    certify(profile, "ISO-PAST", -1)
    certify(profile, "ISO-NONE", None)
    edge = certify(profile, "ISO-EDGE", EXPIRING_WITHIN_DAYS, Standard.other, "ISO 45001")

    first, second = sweep(TODAY), sweep(TODAY)
    assert (first.certifications_reminded, second.certifications_reminded) == (2, 0)
    queued = reminders()
    assert [n.payload for n in queued] == [
        {
            "certification_id": expiring.id,
            "standard": "ISO 9001",
            "number": "ISO-1",
            "expires_on": expiring.expires_on.isoformat(),
        },
        {
            "certification_id": edge.id,
            "standard": "ISO 45001",
            "number": "ISO-EDGE",
            "expires_on": edge.expires_on.isoformat(),
        },
    ]
    for notification in queued:
        assert notification.application_id is None
        assert notification.recipient_role == Role.applicant.value
        assert notification.recipient_enterprise_id == profile.enterprise_id
    db.session.expire_all()
    assert expiring.reminded_for == expiring.expires_on and edge.reminded_for == edge.expires_on
    assert {c.number: c.reminded_for for c in profile.certifications if c not in (expiring, edge)} == {
        "ISO-LATER": None,
        "ISO-PAST": None,
        "ISO-NONE": None,
    }


def test_a_renewed_certification_is_reminded_again_when_its_new_expiry_comes_near(profile):
    certification = certify(profile, "IATF-7", 10, Standard.iatf_16949)
    sweep(TODAY)
    assert len(reminders()) == 1

    certification.expires_on = TODAY + timedelta(days=3 * 365)  # renewed for three years
    db.session.commit()
    assert sweep(TODAY).certifications_reminded == 0
    near = certification.expires_on - timedelta(days=EXPIRING_WITHIN_DAYS - 5)
    assert sweep(near).certifications_reminded == 1
    assert sweep(near + timedelta(days=1)).certifications_reminded == 0
    assert [n.payload["expires_on"] for n in reminders()] == [
        (TODAY + timedelta(days=10)).isoformat(),
        certification.expires_on.isoformat(),
    ]


def test_the_drained_outbox_mails_every_applicant_of_the_enterprise(app, make, profile):
    applicants = [make.user(Role.applicant, enterprise=profile.enterprise) for _ in range(2)]
    make.user(Role.applicant)  # another enterprise's
    make.user(Role.secretariat)
    certification = certify(profile, "QMS 0042", 45)
    sweep(TODAY)
    (notification,) = reminders()

    queue_mails()
    mails = list(
        db.session.scalars(select(OutgoingMail).where(OutgoingMail.notification_id == notification.id))
    )
    assert sorted(mail.to_address for mail in mails) == sorted(user.email for user in applicants)
    day = clock.format_day(certification.expires_on, "vi")
    for mail in mails:
        assert mail.locale == "vi"
        assert "QMS 0042" in mail.subject and day in mail.subject and "ISO 9001" in mail.subject
        assert "QMS 0042" in mail.body and day in mail.body
        assert "/applicant/supplier-profile/" in mail.body

    # The applicant's notices list it too (no dossier behind it), and open the register entry.
    client = client_for(app, applicants[0], lang="en")
    html = client.get("/notices").text
    assert "QMS 0042" in html and "ISO 9001" in html
    response = client.post("/notices/open", data={"notification_id": notification.id})
    assert response.status_code == 302 and response.location.endswith("/applicant/supplier-profile/")
