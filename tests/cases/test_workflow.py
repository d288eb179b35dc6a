"""The workflow through its public function advance(): paths, refusals, audit, receipts."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from recognition.accounts.models import Role
from recognition.cases.audit import verify_chains
from recognition.cases.errors import ActorNotAllowed, ConcurrentChange, InvalidTrigger, TransitionRefused
from recognition.cases.models import Application, AuditEvent, Notification, State, StateWriteError
from recognition.cases.receipts import SECRET_ALPHABET, lookup_secret_matches
from recognition.cases.workflow import STEPS, advance, allowed_triggers
from recognition.clock import local_today
from recognition.extensions import db
from recognition.rounds.models import VettingBody
from tests.conftest import fire, valid_data


def audit_count(application) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.application_id == application.id)
    )


def test_unit_vetted_round_runs_the_whole_path(make):
    application = make.application()
    applicant, officer = make.applicant_of(application), make.officer_of(application)
    secretariat = make.user(Role.secretariat)

    result = fire(application, "submit", applicant)
    assert application.state == State.submitted
    assert application.vetting_body == VettingBody.unit
    assert application.vetting_unit_id == application.enterprise.unit_id
    assert result.lookup_secret and application.submitted_at is not None
    fire(application, "start_vetting", officer)
    fire(application, "request_supplement", officer)
    assert application.state == State.supplement_requested
    assert application.supplement_requests[0].items == ["Báo cáo tài chính năm 2025 có kiểm toán"]
    fire(application, "resubmit", applicant)
    assert application.supplement_requests[0].answers == ["Đã bổ sung báo cáo tài chính"]
    fire(application, "endorse", officer)
    make.assign_reviewers(application, scores=[80, 75, 72])
    fire(application, "open_review", secretariat)
    fire(application, "conclude_review", secretariat)
    assert application.state == State.recommended
    make.publish_results(application.round)
    fire(application, "recognise", secretariat)

    assert application.state == State.recognised
    assert application.decision_number == "1234/QĐ-UBND"
    trail = db.session.scalars(
        select(AuditEvent).where(AuditEvent.application_id == application.id).order_by(AuditEvent.seq)
    ).all()
    assert [(e.trigger, e.to_state, e.actor_role) for e in trail] == [
        ("submit", "submitted", "applicant"),
        ("start_vetting", "vetting", "unit_officer"),
        ("request_supplement", "supplement_requested", "unit_officer"),
        ("resubmit", "vetting", "applicant"),
        ("endorse", "endorsed", "unit_officer"),
        ("open_review", "under_review", "secretariat"),
        ("conclude_review", "recommended", "secretariat"),
        ("recognise", "recognised", "secretariat"),
    ]
    assert trail[4].payload["recommendation"] == "Đề nghị Hội đồng xem xét"
    assert trail[4].payload["site_visit_date"] == (local_today() - timedelta(days=1)).isoformat()
    assert verify_chains() == []


def test_secretariat_vetted_round_needs_no_unit_officer(make):
    round_ = make.round(vetting_body=VettingBody.secretariat)
    application = make.application(round=round_)
    applicant, officer = make.applicant_of(application), make.officer_of(application)
    secretariat = make.user(Role.secretariat)

    fire(application, "submit", applicant)
    assert application.vetting_body == VettingBody.secretariat
    assert application.vetting_unit_id is None
    for trigger in ("start_vetting", "request_supplement", "endorse", "reject_in_unit"):
        with pytest.raises(ActorNotAllowed):
            advance(application, trigger, officer, **valid_data(trigger))
        db.session.rollback()
    assert allowed_triggers(application, officer) == []
    fire(application, "start_vetting", secretariat)
    fire(application, "endorse", secretariat)
    make.assign_reviewers(application, scores=[90, 85, 88])
    fire(application, "open_review", secretariat)
    fire(application, "conclude_review", secretariat)
    make.publish_results(round_)
    fire(application, "recognise", secretariat)
    assert application.state == State.recognised
    roles = set(
        db.session.scalars(select(AuditEvent.actor_role).where(AuditEvent.application_id == application.id))
    )
    assert roles == {"applicant", "secretariat"}


def test_rejection_in_unit_records_the_reason(make):
    application = make.application()
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    result = fire(application, "reject_in_unit", officer, reason="Doanh thu chưa đạt 100 tỷ đồng")
    assert application.state == State.unit_rejected
    assert result.event.payload == {"reason": "Doanh thu chưa đạt 100 tỷ đồng"}


def test_low_scores_conclude_as_not_recommended(make):
    application = make.application()
    secretariat = make.user(Role.secretariat)
    walk_to_under_review(make, application, secretariat, scores=[60, 65, 70])
    fire(application, "conclude_review", secretariat)
    assert application.state == State.not_recommended


def test_override_of_the_rule_outcome_needs_a_reason(make):
    application = make.application()
    secretariat = make.user(Role.secretariat)
    walk_to_under_review(make, application, secretariat, scores=[60, 65, 70])
    with pytest.raises(TransitionRefused) as refused:
        advance(application, "conclude_review", secretariat, outcome="recommended")
    assert [r.code for r in refused.value.refusals] == ["override_reason"]
    db.session.rollback()
    result = fire(
        application,
        "conclude_review",
        secretariat,
        outcome="recommended",
        override_reason="Sản phẩm khởi nghiệp",
    )
    assert application.state == State.recommended
    assert result.event.payload["override_reason"] == "Sản phẩm khởi nghiệp"


def test_missing_score_blocks_conclusion_and_names_the_reviewer(make):
    application = make.application()
    secretariat = make.user(Role.secretariat)
    reviewers = walk_to_under_review(make, application, secretariat, scores=[80, 75, 72])
    from recognition.review.models import ReviewAssignment

    assignment = db.session.scalar(
        select(ReviewAssignment).where(ReviewAssignment.reviewer_id == reviewers[1].id)
    )
    assignment.submitted_at = assignment.total_score = None  # not submitted: no total
    db.session.commit()
    with pytest.raises(TransitionRefused) as refused:
        advance(application, "conclude_review", secretariat)
    assert reviewers[1].full_name in refused.value.messages[0]


def walk_to_under_review(make, application, secretariat, scores):
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    fire(application, "endorse", officer)
    reviewers = make.assign_reviewers(application, scores=scores)
    fire(application, "open_review", secretariat)
    return reviewers


def test_refused_step_changes_nothing(make):
    application = make.application(complete=False)
    applicant = make.applicant_of(application)
    with pytest.raises(TransitionRefused) as refused:
        advance(application, "submit", applicant, declaration=False)
    db.session.rollback()
    codes = [r.code for r in refused.value.refusals]
    assert "figures" in codes and "document_financial_statements" in codes and "declaration" in codes
    db.session.refresh(application)
    assert application.state == State.draft
    assert application.receipt_code is None
    assert audit_count(application) == 0


@pytest.mark.parametrize(
    "trigger", ["start_vetting", "endorse", "open_review", "recognise", "no_such_trigger"]
)
def test_trigger_not_leaving_the_current_state_is_refused(make, trigger):
    application = make.application()
    actor = (
        make.user(Role.secretariat)
        if trigger in ("open_review", "recognise")
        else make.officer_of(application)
    )
    expected = ActorNotAllowed if trigger == "no_such_trigger" else InvalidTrigger
    with pytest.raises((InvalidTrigger, expected)):
        advance(application, trigger, actor, **(valid_data(trigger) if trigger in STEPS_BY_NAME else {}))
    db.session.rollback()
    assert application.state == State.draft


STEPS_BY_NAME = {step.trigger for step in STEPS}


def test_applicant_of_another_enterprise_cannot_act(make):
    application = make.application()
    stranger = make.user(Role.applicant)
    with pytest.raises(ActorNotAllowed):
        advance(application, "submit", stranger, declaration=True)


def test_officer_of_another_unit_cannot_vet(make):
    application = make.application()
    fire(application, "submit", make.applicant_of(application))
    other_officer = make.user(Role.unit_officer, unit=make.unit("P-HADONG"))
    with pytest.raises(ActorNotAllowed):
        advance(application, "start_vetting", other_officer)


def test_officer_who_is_also_applicant_of_the_enterprise_cannot_vet(make):
    from recognition.accounts.services import grant_role

    application = make.application()
    officer = make.officer_of(application)
    grant_role(officer, Role.applicant, enterprise=application.enterprise)
    db.session.commit()
    fire(application, "submit", officer)
    with pytest.raises(ActorNotAllowed):
        advance(application, "start_vetting", officer)


def test_vetting_unit_is_kept_when_the_enterprise_moves(make):
    application = make.application()
    fire(application, "submit", make.applicant_of(application))
    original_unit = application.vetting_unit_id
    application.enterprise.unit = make.unit("P-HADONG")
    db.session.commit()
    assert application.vetting_unit_id == original_unit
    fire(
        application,
        "start_vetting",
        make.user(Role.unit_officer, unit=db.session.get(type(make.unit()), original_unit)),
    )
    assert application.state == State.vetting


def test_state_cannot_be_assigned_outside_the_machine(make):
    application = make.application()
    with pytest.raises(StateWriteError):
        application.state = State.recognised
    with pytest.raises(StateWriteError):
        Application(state=State.endorsed)


def test_stale_version_is_someone_else_acting_first(make):
    application = make.application()
    applicant = make.applicant_of(application)
    version_seen_by_form = application.version
    fire(application, "submit", applicant)
    with pytest.raises(ConcurrentChange) as refused:
        advance(application, "withdraw", applicant, expected_version=version_seen_by_form, reason="x")
    assert "Người khác đã xử lý hồ sơ này trước bạn" in refused.value.messages[0]


def test_supplement_limit_from_the_round(make):
    application = make.application()
    applicant, officer = make.applicant_of(application), make.officer_of(application)
    fire(application, "submit", applicant)
    fire(application, "start_vetting", officer)
    fire(application, "request_supplement", officer)
    fire(application, "resubmit", applicant)
    with pytest.raises(TransitionRefused) as refused:
        advance(application, "request_supplement", officer, **valid_data("request_supplement"))
    assert [r.code for r in refused.value.refusals] == ["supplement_limit"]


def test_withdraw_from_every_pre_review_state_but_not_after(make):
    for target in ("draft", "submitted", "vetting", "supplement_requested"):
        application = make.application()
        applicant, officer = make.applicant_of(application), make.officer_of(application)
        path = {
            "submitted": ["submit"],
            "vetting": ["submit", "start_vetting"],
            "supplement_requested": ["submit", "start_vetting", "request_supplement"],
        }.get(target, [])
        for trigger in path:
            fire(application, trigger, applicant if trigger == "submit" else officer)
        fire(application, "withdraw", applicant)
        assert application.state == State.withdrawn
    application = make.application()
    officer = make.officer_of(application)
    applicant = make.applicant_of(application)
    for trigger in ("submit", "start_vetting", "endorse"):
        fire(application, trigger, applicant if trigger == "submit" else officer)
    with pytest.raises(InvalidTrigger):
        advance(application, "withdraw", applicant, reason="x")


def test_receipt_code_pattern_daily_sequence_and_secret(make, app):
    first, second = make.application(), make.application()
    r1 = fire(first, "submit", make.applicant_of(first))
    r2 = fire(second, "submit", make.applicant_of(second))
    day = local_today().strftime("%y%m%d")
    assert re.fullmatch(rf"SCT-{day}-\d{{4}}", first.receipt_code)
    assert int(second.receipt_code[-4:]) == int(first.receipt_code[-4:]) + 1
    for result, application in ((r1, first), (r2, second)):
        assert len(result.lookup_secret) == 6 and set(result.lookup_secret) <= set(SECRET_ALPHABET)
        assert result.lookup_secret not in application.lookup_secret_hash
        assert lookup_secret_matches(application.lookup_secret_hash, result.lookup_secret.lower())
        assert not lookup_secret_matches(application.lookup_secret_hash, "AAAAAA")
    assert not set("0O1IL") & set(SECRET_ALPHABET)


def test_withdrawn_dossier_keeps_its_code_and_it_is_never_reissued(make):
    first = make.application()
    applicant = make.applicant_of(first)
    fire(first, "submit", applicant)
    fire(first, "withdraw", applicant)
    second = make.application()
    fire(second, "submit", make.applicant_of(second))
    assert first.receipt_code != second.receipt_code
    assert first.receipt_code is not None


def test_notifications_are_queued_with_the_step(make):
    application = make.application()
    fire(application, "submit", make.applicant_of(application))
    rows = db.session.scalars(select(Notification).where(Notification.application_id == application.id)).all()
    assert sorted((n.event, n.recipient_role) for n in rows) == [
        ("submit", "applicant"),
        ("submit", "unit_officer"),
    ]
    assert {n.recipient_unit_id for n in rows if n.recipient_role == "unit_officer"} == {
        application.vetting_unit_id
    }


def test_failure_after_the_state_change_rolls_everything_back(make, monkeypatch):
    application = make.application()
    applicant = make.applicant_of(application)

    def explode(*_args, **_kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr("recognition.cases.workflow._queue_notifications", explode)
    with pytest.raises(RuntimeError):
        advance(application, "submit", applicant, declaration=True)
    db.session.rollback()
    assert db.session.get(Application, application.id).state == State.draft
    assert audit_count(application) == 0
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_tampered_event_is_detected(make, app):
    application = make.application()
    applicant = make.applicant_of(application)
    fire(application, "submit", applicant)
    fire(application, "withdraw", applicant)
    assert verify_chains() == []
    db.session.execute(
        text("UPDATE audit_events SET payload = :p WHERE application_id = :a AND seq = 1"),
        {"p": '{"declaration": false}', "a": application.id},
    )
    db.session.commit()
    breaks = verify_chains()
    assert [(b.chain, b.seq) for b in breaks] == [(f"application {application.id}", 1)]
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 1
    assert f"application {application.id}, event 1" in result.output


def test_state_changed_behind_the_workflow_is_detected(make, app):
    application = make.application()
    fire(application, "submit", make.applicant_of(application))
    db.session.execute(
        text("UPDATE applications SET state = 'endorsed' WHERE id = :a"), {"a": application.id}
    )
    db.session.commit()
    assert [b.reason for b in verify_chains()] == ["state endorsed but the trail ends at submitted"]


def test_verify_audit_command_on_an_intact_trail(make, app):
    application = make.application()
    fire(application, "submit", make.applicant_of(application))
    result = app.test_cli_runner().invoke(args=["verify-audit"])
    assert result.exit_code == 0
    assert "audit trail intact" in result.output
