"""H10: a step POSTed in a state it does not leave is refused with a message, nothing moves.
H11: an old, once-valid POST replayed after the dossier moved on loses (version token)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from recognition.accounts.models import Role
from recognition.cases.models import Application, AuditEvent, Notification, State
from recognition.clock import local_today
from recognition.extensions import db
from recognition.honours.models import Certificate
from tests.conftest import fire
from tests.security import changed_tables, client_for, fingerprint

REPORT = {
    "site_visit_date": (local_today() - timedelta(days=2)).isoformat(),
    "eligibility_confirmed": "y",
    "business_registration_valid": "yes",
    "no_tax_arrears": "yes",
    "social_insurance_paid": "yes",
    "environmental_compliance": "yes",
    "no_violations": "yes",
    "recommendation": "Đề nghị Hội đồng xem xét",
}
NOT_NOW = "Hiện không thể thực hiện bước này."
WRONG_STATE = "Không thể thực hiện bước này khi hồ sơ đang ở trạng thái"
TOO_LATE = "Người khác đã xử lý hồ sơ này trước bạn"


def state_of(application) -> State:
    db.session.expire_all()
    return db.session.get(Application, application.id).state


def events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.fixture
def submitted(make):
    application = make.application()
    fire(application, "submit", make.applicant_of(application))
    return application


@pytest.mark.parametrize(
    ("suffix", "data"),
    [
        ("endorse", REPORT),
        ("reject", {"reason": "Không đạt"}),
        (
            "supplement",
            {"items-0": "Thiếu báo cáo", "deadline": (local_today() + timedelta(days=20)).isoformat()},
        ),
    ],
)
def test_vetting_step_on_a_submitted_dossier_is_refused(app, make, submitted, suffix, data):
    officer = client_for(app, make.officer_of(submitted))
    before, count = fingerprint(), events()
    response = officer.post(f"/unit/dossiers/{submitted.id}/{suffix}", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert NOT_NOW in response.text
    assert state_of(submitted) == State.submitted
    assert events() == count
    assert changed_tables(before, fingerprint()) == []


def test_start_twice_is_refused_with_the_state_named(app, make, submitted):
    officer = client_for(app, make.officer_of(submitted))
    officer.post(f"/unit/dossiers/{submitted.id}/start", data={})
    assert state_of(submitted) == State.vetting
    before = fingerprint()
    response = officer.post(f"/unit/dossiers/{submitted.id}/start", data={}, follow_redirects=True)
    assert WRONG_STATE in response.text
    assert state_of(submitted) == State.vetting
    assert changed_tables(before, fingerprint()) == []


def test_secretariat_steps_out_of_order_are_refused(app, make, submitted):
    """open_review on a submitted dossier, conclude on one not under review: refused, nothing written."""
    secretariat = client_for(app, make.user(Role.secretariat))
    before = fingerprint()
    for suffix in ("open-review", "conclude"):
        response = secretariat.post(
            f"/secretariat/review/applications/{submitted.id}/{suffix}", data={}, follow_redirects=True
        )
        assert response.status_code == 200
        assert WRONG_STATE in response.text, suffix
    assert state_of(submitted) == State.submitted
    assert changed_tables(before, fingerprint()) == []


def test_recognising_a_dossier_that_was_never_recommended_is_refused(app, make, submitted):
    secretariat = client_for(app, make.user(Role.secretariat))
    before = fingerprint()
    response = secretariat.post(
        f"/secretariat/honours/rounds/{submitted.round_id}/recognise",
        data={
            "decision-application_ids": [str(submitted.id)],
            "decision-decision_number": "1/QĐ-UBND",
            "decision-decision_date": local_today().isoformat(),
        },
    )
    assert state_of(submitted) == State.submitted
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    assert changed_tables(before, fingerprint()) == []
    assert response.status_code == 200


def test_applicant_cannot_submit_twice(app, make, submitted):
    applicant = client_for(app, make.applicant_of(submitted))
    before = fingerprint()
    response = applicant.post(
        f"/applicant/applications/{submitted.id}/submit",
        data={"declaration": "y", "version": submitted.version},
    )
    assert WRONG_STATE in response.text
    assert state_of(submitted) == State.submitted
    assert changed_tables(before, fingerprint()) == []


def test_stale_endorsement_replayed_after_start_loses(app, make, submitted):
    """An officer keeps an endorse form open from before; meanwhile the dossier moved on twice."""
    officer_user = make.officer_of(submitted)
    officer = client_for(app, officer_user)
    officer.post(f"/unit/dossiers/{submitted.id}/start", data={"version": submitted.version})
    db.session.expire_all()
    stale = db.session.get(Application, submitted.id).version
    fire(db.session.get(Application, submitted.id), "reject_in_unit", officer_user)
    before, count = fingerprint(), events()
    response = officer.post(
        f"/unit/dossiers/{submitted.id}/endorse", data={**REPORT, "version": stale}, follow_redirects=True
    )
    assert NOT_NOW in response.text or TOO_LATE in response.text
    assert state_of(submitted) == State.unit_rejected
    assert events() == count
    assert changed_tables(before, fingerprint()) == []


def test_replayed_post_with_an_old_version_is_refused(app, make, submitted):
    """The same valid endorsement, replayed with the version the form was rendered with, after a
    colleague has requested a supplement and the enterprise has answered (state is vetting again)."""
    officer_user = make.officer_of(submitted)
    officer = client_for(app, officer_user)
    officer.post(f"/unit/dossiers/{submitted.id}/start", data={"version": submitted.version})
    db.session.expire_all()
    application = db.session.get(Application, submitted.id)
    stale = application.version
    fire(application, "request_supplement", make.officer_of(submitted))
    fire(application, "resubmit", make.applicant_of(submitted), answers=["Đã bổ sung"])
    assert state_of(submitted) == State.vetting
    before, count = fingerprint(), events()
    response = officer.post(f"/unit/dossiers/{submitted.id}/endorse", data={**REPORT, "version": stale})
    assert response.status_code == 200
    assert TOO_LATE in response.text
    assert state_of(submitted) == State.vetting
    assert events() == count
    assert changed_tables(before, fingerprint()) == []


def test_replayed_withdrawal_after_vetting_started_is_refused(app, make, submitted):
    applicant = client_for(app, make.applicant_of(submitted))
    form = applicant.get(f"/applicant/applications/{submitted.id}/withdraw")
    assert form.status_code == 200
    stale = submitted.version
    fire(submitted, "start_vetting", make.officer_of(submitted))
    notifications = db.session.scalar(select(func.count()).select_from(Notification))
    response = applicant.post(
        f"/applicant/applications/{submitted.id}/withdraw", data={"reason": "Rút", "version": stale}
    )
    assert response.status_code == 200
    assert TOO_LATE in response.text
    assert state_of(submitted) == State.vetting
    assert db.session.scalar(select(func.count()).select_from(Notification)) == notifications


def test_replayed_open_review_with_an_old_version_is_refused(app, make, submitted):
    officer = make.officer_of(submitted)
    fire(submitted, "start_vetting", officer)
    fire(submitted, "endorse", officer)
    stale = submitted.version
    make.assign_reviewers(submitted, count=submitted.round.reviewers_per_dossier)
    secretariat_user = make.user(Role.secretariat)
    fire(submitted, "open_review", secretariat_user)
    secretariat = client_for(app, secretariat_user)
    before = fingerprint()
    response = secretariat.post(
        f"/secretariat/review/applications/{submitted.id}/conclude",
        data={"version": stale},
        follow_redirects=True,
    )
    assert TOO_LATE in response.text
    assert state_of(submitted) == State.under_review
    assert changed_tables(before, fingerprint()) == []
