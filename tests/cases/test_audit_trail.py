"""The audit trail beyond the workflow's steps: what the council and the secretariat do is audited,
the rules freeze with the criteria, and the trail resists re-hashing, deletion and rollback."""

import io
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select, text
from werkzeug.datastructures import FileStorage

from recognition.accounts.models import Role
from recognition.cases.audit import (
    anchor_day,
    anchor_export,
    compute_hash,
    verify_anchor_export,
    verify_chains,
)
from recognition.cases.models import Application, AuditAnchor, AuditEvent, RecordChange, State
from recognition.cases.queries import timeline_of
from recognition.cases.sweep import sweep
from recognition.cases.workflow import advance
from recognition.clock import local_today
from recognition.config import ConfigError, load_config
from recognition.extensions import db
from recognition.nomination.services import attach_document
from recognition.review import services
from recognition.review.rubric import apply_default_rubric
from recognition.rounds.models import DocumentKind
from tests.conftest import client_for, fire
from tests.files import pdf
from tests.review.builders import council, scores_summing_to, submit_scores


@pytest.fixture
def rubric_round(make):
    round_ = make.round(year=2030)  # within the settings form's range, whatever the factory's counter
    apply_default_rubric(round_)
    db.session.commit()
    return round_


def under_review(make, round_, secretariat, members):
    application = make.endorsed(round_)
    assignments = [services.assign_reviewer(application, m, secretariat) for m in members]
    db.session.commit()
    fire(application, "open_review", secretariat)
    return application, assignments


def test_assignments_declarations_and_scores_join_the_dossier_chain(make, rubric_round):
    secretariat = make.user(Role.secretariat)
    members = council(make, rubric_round)
    application, assignments = under_review(make, rubric_round, secretariat, members)
    submit_scores(assignments[0], scores_summing_to(80))
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.application_id == application.id).order_by(AuditEvent.seq)
    ).all()
    by_trigger = {}
    for event in events:
        by_trigger.setdefault(event.trigger, []).append(event)
    assert [e.payload["reviewer_id"] for e in by_trigger["assign_reviewer"]] == [m.id for m in members]
    assert {e.actor_id for e in by_trigger["assign_reviewer"]} == {secretariat.id}
    declaration = by_trigger["declare_interest"][0]
    assert (declaration.actor_id, declaration.payload["has_conflict"]) == (members[0].id, False)
    scores = by_trigger["submit_scores"][0]
    assert scores.actor_id == members[0].id and scores.payload["total"] == "80"
    assert len(scores.payload["scores"]) == 12
    assert all(e.from_state == e.to_state for e in by_trigger["submit_scores"])
    # The council's internals stay out of the timeline the enterprise and the public see.
    assert {e.trigger for e in timeline_of(application)} == {
        "submit",
        "start_vetting",
        "endorse",
        "open_review",
    }
    assert verify_chains() == []


def test_review_cannot_conclude_when_every_reviewer_declares_a_conflict_after_it_opens(make, rubric_round):
    secretariat = make.user(Role.secretariat)
    members = council(make, rubric_round)
    application, assignments = under_review(make, rubric_round, secretariat, members)
    for assignment in assignments:
        services.declare(assignment, True, "Người thân làm việc tại doanh nghiệp")
    db.session.commit()
    with pytest.raises(Exception) as refused:
        advance(application, "conclude_review", secretariat)
    db.session.rollback()
    with force_locale("en"):
        assert "At least 3 submitted score sheets" in str(refused.value.refusals[0].message)
    with force_locale("vi"):
        assert "Cần ít nhất 3 phiếu chấm đã nộp" in str(refused.value.refusals[0].message)
    assert db.session.get(Application, application.id).state == State.under_review


def test_one_sheet_short_of_the_minimum_is_refused(make, rubric_round):
    secretariat = make.user(Role.secretariat)
    members = council(make, rubric_round)
    application, assignments = under_review(make, rubric_round, secretariat, members)
    submit_scores(assignments[0], scores_summing_to(80))
    submit_scores(assignments[1], scores_summing_to(75))
    services.declare(assignments[2], True, "Cổ đông của doanh nghiệp")
    db.session.commit()
    with pytest.raises(Exception) as refused:
        advance(application, "conclude_review", secretariat)
    db.session.rollback()
    with force_locale("en"):
        assert "(now 2)" in str(refused.value.refusals[0].message)


def settings_form(round_, **changes) -> dict:
    data = {
        "programme_id": round_.programme_id, "year": round_.year, "title": round_.title,
        "opens_on": round_.opens_on.isoformat(), "closes_on": round_.closes_on.isoformat(),
        "status": round_.status.value, "vetting_body": round_.vetting_body.value, "legal_bases": "",
        "vetting_working_days": round_.vetting_working_days,
        "max_supplement_requests": round_.max_supplement_requests,
        "supplement_working_days": round_.supplement_working_days,
        "supplement_expiry": round_.supplement_expiry.value,
        "reviewers_per_dossier": round_.reviewers_per_dossier, "pass_threshold": round_.pass_threshold,
        "top_n": round_.top_n, "spread_flag_points": round_.spread_flag_points,
        "certificate_validity_months": round_.certificate_validity_months,
        "min_revenue_high_tech_vnd": round_.min_revenue_high_tech_vnd,
        "min_revenue_other_vnd": round_.min_revenue_other_vnd,
        "min_exports_handicraft_usd": round_.min_exports_handicraft_usd,
        "target_products_min": 25, "target_products_max": 30,
        "target_enterprises_min": 20, "target_enterprises_max": 25,
    }  # fmt: skip
    data.update(changes)
    return data


def test_round_settings_are_audited_and_the_outcome_rules_freeze_with_the_criteria(app, make, rubric_round):
    secretariat = make.user(Role.secretariat)
    client = client_for(app, secretariat)
    client.get("/lang/en")
    response = client.post(
        f"/secretariat/rounds/{rubric_round.id}", data=settings_form(rubric_round, pass_threshold=75)
    )
    assert response.status_code == 302
    change = db.session.scalars(select(RecordChange).where(RecordChange.action == "edit_settings")).one()
    assert (change.subject_type, change.subject_id, change.actor_id) == (
        "rounds",
        rubric_round.id,
        secretariat.id,
    )
    assert change.payload["pass_threshold"] == [70, 75]

    members = council(make, rubric_round)
    _application, assignments = under_review(make, rubric_round, secretariat, members)
    submit_scores(assignments[0], scores_summing_to(80))
    db.session.expire_all()
    for field, value in (("pass_threshold", 60), ("top_n", 3)):
        page = client.post(
            f"/secretariat/rounds/{rubric_round.id}", data=settings_form(rubric_round, **{field: value})
        )
        assert page.status_code == 200
        assert "Frozen: a council member has already submitted scores." in page.text
        assert f'value="{value}"' in page.text  # what was typed is kept
    db.session.expire_all()
    assert (rubric_round.pass_threshold, rubric_round.top_n) == (75, 10)
    # Other settings still change, and the frozen fields are shown read-only.
    page = client.post(
        f"/secretariat/rounds/{rubric_round.id}",
        data=settings_form(rubric_round, vetting_working_days=20),
        follow_redirects=True,
    )
    assert "The pass threshold and Top N are frozen" in page.text
    assert "readonly" in page.text
    assert db.session.scalar(
        select(RecordChange.payload)
        .where(RecordChange.action == "edit_settings")
        .order_by(RecordChange.id.desc())
    ) == {"vetting_working_days": [15, 20]}


def test_evidence_added_to_a_supplement_is_audited(app, make):
    application = make.application()
    applicant = make.applicant_of(application)
    officer = make.officer_of(application)
    fire(application, "submit", applicant)
    fire(application, "start_vetting", officer)
    fire(application, "request_supplement", officer)
    upload = FileStorage(io.BytesIO(pdf("bổ sung")), filename="bao-cao-tai-chinh.pdf")
    document, created = attach_document(application, DocumentKind.financial_statements, upload, applicant)
    db.session.commit()
    assert created
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.trigger == "add_evidence")).one()
    assert (event.actor_id, event.payload["sha256"]) == (applicant.id, document.sha256)
    assert event.from_state == event.to_state == State.supplement_requested
    assert "add_evidence" in [e.trigger for e in timeline_of(application)]
    assert verify_chains() == []


def recognised_trail(make):
    application = make.application()
    applicant = make.applicant_of(application)
    officer = make.officer_of(application)
    fire(application, "submit", applicant)
    fire(application, "start_vetting", officer)
    return application


def test_a_rehashed_chain_fails_its_keyed_seal(make):
    application = recognised_trail(make)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.application_id == application.id).order_by(AuditEvent.seq)
    ).all()
    # Someone with write access to the database rewrites the first event and re-hashes the whole chain.
    events[0].payload = {"declaration": False, "forged": True}
    prev = events[0].prev_hash
    for event in events:
        event.prev_hash = prev
        event.hash = compute_hash(event)
        prev = event.hash
    db.session.commit()
    reasons = {b.reason for b in verify_chains()}
    assert reasons == {"the keyed seal does not match (re-hashed or forged)"}


def test_deleting_the_last_event_and_rolling_the_state_back_breaks_the_anchor(make):
    application = recognised_trail(make)
    anchor_day(local_today())
    db.session.commit()
    assert verify_chains() == []
    last = db.session.scalars(
        select(AuditEvent).where(AuditEvent.application_id == application.id).order_by(AuditEvent.seq.desc())
    ).first()
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": last.id})
    db.session.execute(
        text("UPDATE applications SET state = 'submitted' WHERE id = :id"), {"id": application.id}
    )
    db.session.commit()
    breaks = verify_chains()
    assert [str(b) for b in breaks] == [
        f"anchor {local_today().isoformat()}, state: the chains' heads differ from the anchor "
        "(events removed or altered)"
    ]


def test_an_archived_anchor_file_detects_a_rollback_even_if_the_anchors_are_rewritten(make):
    application = recognised_trail(make)
    archived = anchor_export(anchor_day(local_today()))
    db.session.commit()
    assert verify_anchor_export(archived) == []
    last = db.session.scalars(
        select(AuditEvent).where(AuditEvent.application_id == application.id).order_by(AuditEvent.seq.desc())
    ).first()
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": last.id})
    db.session.execute(text("DELETE FROM audit_anchors"))
    db.session.commit()
    reasons = [b.reason for b in verify_anchor_export(archived)]
    assert "the database no longer holds this anchor as archived" in reasons
    assert any(r.startswith("1 archived head(s) changed") for r in reasons)
    assert verify_anchor_export("garbage")[0].reason == "not an anchor file"


def test_a_tampered_submitted_record_is_detected(make):
    application = recognised_trail(make)
    snapshot = dict(application.snapshot)
    snapshot["product"] = {**snapshot["product"], "name": "Tên giả mạo"}
    application.snapshot = snapshot
    db.session.commit()
    assert [b.reason for b in verify_chains()] == ["the submitted record differs from what was sealed"]


def test_the_sweep_anchors_yesterday_once_and_the_secretariat_downloads_it(app, make):
    recognised_trail(make)
    today = local_today()
    sweep(today)
    sweep(today)
    anchors = db.session.scalars(select(AuditAnchor)).all()
    assert [a.day for a in anchors] == [today - timedelta(days=1)]
    client = client_for(app, make.user(Role.secretariat))
    page = client.get("/secretariat/audit/anchors")
    assert anchors[0].digest[:16] in page.text
    download = client.get(f"/secretariat/audit/anchors/{anchors[0].day.isoformat()}.txt")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert verify_anchor_export(download.get_data(as_text=True)) == []
    assert client.get("/secretariat/audit/anchors/not-a-day.txt").status_code == 404
    assert client.get("/secretariat/audit/anchors/1999-01-01.txt").status_code == 404


def test_verify_audit_command_checks_an_archived_file(app, make, tmp_path):
    application = recognised_trail(make)
    archived = tmp_path / "anchor.txt"
    archived.write_text(anchor_export(anchor_day(local_today())), encoding="utf-8")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["verify-audit", "--anchor", str(archived)])
    assert result.exit_code == 0 and "audit trail intact" in result.output
    db.session.execute(
        text("DELETE FROM audit_events WHERE application_id = :a AND seq = 2"), {"a": application.id}
    )
    db.session.execute(
        text("UPDATE applications SET state = 'submitted' WHERE id = :id"), {"id": application.id}
    )
    db.session.commit()
    result = runner.invoke(args=["verify-audit", "--anchor", str(archived)])
    assert result.exit_code == 1
    assert "archived head(s) changed" in result.output


def test_production_needs_its_own_audit_key(monkeypatch, tmp_path):
    monkeypatch.setenv("RECOGNITION_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    with pytest.raises(ConfigError, match="AUDIT_KEY"):
        load_config(str(tmp_path))
    monkeypatch.setenv("AUDIT_KEY", "a" * 40)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://chuluc.example.vn")
    assert load_config(str(tmp_path))["AUDIT_KEY"] == "a" * 40
