"""The small lifecycles beside the workflow (objections, certificates, mails, review assignments): each is
a table the services ask before they write and the templates ask before they offer the action."""

from __future__ import annotations

import enum
from datetime import timedelta

import pytest
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.clock import local_today, utcnow
from recognition.extensions import db
from recognition.honours.certificates import RevocationRefused, revoke
from recognition.honours.models import (
    CERTIFICATE_LIFECYCLE,
    OBJECTION_LIFECYCLE,
    Certificate,
    CertificateStatus,
    Objection,
    ObjectionStatus,
)
from recognition.honours.services import HonoursError, handle_objection
from recognition.lifecycle import Lifecycle, Move
from recognition.notifications.models import MAIL_LIFECYCLE, MailStatus, OutgoingMail
from recognition.notifications.outbox import may_send_again
from recognition.review.models import ASSIGNMENT_LIFECYCLE, AssignmentStage, ReviewAssignment
from recognition.review.services import ReviewError, declare, save_scores
from tests.security import client_for


class Light(enum.StrEnum):
    red = "red"
    green = "green"
    off = "off"


LIGHTS = Lifecycle({"go": Move((Light.red,), Light.green), "stop": Move((Light.red, Light.green), Light.off)})


def test_a_lifecycle_answers_from_its_table():
    assert LIGHTS.allows(Light.red, "go") and not LIGHTS.allows(Light.green, "go")
    assert not LIGHTS.allows(Light.red, "fly")  # an unknown action is never allowed
    assert LIGHTS.sources("stop") == (Light.red, Light.green) and LIGHTS.dest("go") == Light.green
    assert LIGHTS.actions(Light.red) == ["go", "stop"] and LIGHTS.actions(Light.off) == []


def test_every_final_status_is_final_in_each_table():
    assert CERTIFICATE_LIFECYCLE.actions(CertificateStatus.revoked) == []
    assert CERTIFICATE_LIFECYCLE.actions(CertificateStatus.superseded) == []
    assert OBJECTION_LIFECYCLE.actions(ObjectionStatus.resolved) == []
    assert MAIL_LIFECYCLE.actions(MailStatus.sent) == []
    assert ASSIGNMENT_LIFECYCLE.actions(AssignmentStage.conflicted) == []
    assert ASSIGNMENT_LIFECYCLE.actions(AssignmentStage.submitted) == ["read"]


def _objection(make, status: ObjectionStatus) -> Objection:
    objection = Objection(
        application_id=make.recommended().id, name="Bình", contact="binh@example.vn",
        text="Số liệu chưa đúng", status=status,
        resolved_at=utcnow() if status == ObjectionStatus.resolved else None,
    )  # fmt: skip
    db.session.add(objection)
    db.session.commit()
    return objection


def test_a_resolved_objection_keeps_its_answer_and_offers_no_form(app, make):
    objection = _objection(make, ObjectionStatus.open)
    secretariat = make.user(Role.secretariat)
    handle_objection(objection, "Đã đối chiếu", resolve=False, user=secretariat)
    assert objection.status == ObjectionStatus.answered
    handle_objection(objection, "Đã giải quyết", resolve=True, user=secretariat)
    assert objection.status == ObjectionStatus.resolved
    with pytest.raises(HonoursError):
        handle_objection(objection, "Mở lại", resolve=False, user=secretariat)
    db.session.commit()
    assert objection.status == ObjectionStatus.resolved and objection.answer == "Đã giải quyết"

    page = client_for(app, secretariat).get(f"/secretariat/honours/rounds/{objection.application.round_id}")
    assert page.status_code == 200
    assert f"/secretariat/honours/objections/{objection.id}" not in page.text


def test_an_open_objection_is_offered_the_answer_form(app, make):
    objection = _objection(make, ObjectionStatus.open)
    page = client_for(app, make.user(Role.secretariat)).get(
        f"/secretariat/honours/rounds/{objection.application.round_id}"
    )
    assert f"/secretariat/honours/objections/{objection.id}" in page.text


@pytest.mark.parametrize("status", [s for s in CertificateStatus if s != CertificateStatus.valid])
def test_only_a_valid_certificate_is_revoked(make, status):
    certificate = Certificate(status=status, serial="X", application_id=1)
    with pytest.raises(RevocationRefused):
        revoke(certificate, "Vi phạm", "12/QĐ-UBND", make.user(Role.secretariat), local_today())
    assert certificate.status == status


@pytest.mark.parametrize("status", list(MailStatus))
def test_only_a_failed_or_interrupted_mail_is_sent_again(make, status):
    mail = OutgoingMail(
        to_address="binh@example.vn", subject="s", body="b", locale="vi", status=status,
        next_attempt_at=utcnow() - timedelta(minutes=1),
    )  # fmt: skip
    assert may_send_again(mail) == (status in (MailStatus.failed, MailStatus.interrupted))


def test_an_assignment_moves_through_its_stages(make):
    application = make.endorsed()
    others = make.assign_reviewers(application, count=2)
    member = make.user(Role.council_member)
    assignment = ReviewAssignment(application_id=application.id, reviewer_id=member.id)
    db.session.add(assignment)
    db.session.commit()
    assert assignment.stage == AssignmentStage.undeclared
    with pytest.raises(ReviewError):  # no scoring before the declaration
        save_scores(assignment, application, [], submit=False)
    declare(assignment, has_conflict=False)
    assert assignment.stage == AssignmentStage.declared and assignment.reviews
    declare(assignment, has_conflict=True, reason="Người thân làm ở doanh nghiệp")
    assert assignment.stage == AssignmentStage.conflicted and not assignment.reviews
    db.session.commit()
    reviewing = db.session.scalars(
        select(ReviewAssignment.id).where(
            ReviewAssignment.application_id == application.id, ReviewAssignment.reviews
        )
    ).all()
    assert assignment.id not in reviewing and len(reviewing) == len(others)
