"""The whole dossier: the secretariat reads every dossier of every round (acting only where the step is
its own), and the vetting body reads the enterprise's answers to its requests to supplement."""

import io
import os
import re

import pytest
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.cases.models import Application, Document
from recognition.extensions import db
from recognition.review import services
from recognition.review.rubric import apply_default_rubric
from recognition.review.scoring import criteria_of
from recognition.rounds.models import VettingBody
from tests import files
from tests.conftest import client_for, fire
from tests.queries import queries_to_get

ITEMS = ["Báo cáo tài chính năm 2024 có kiểm toán", "Giấy phép môi trường"]
ANSWERS = ["Đã tải lên báo cáo tài chính đã kiểm toán", "Giấy phép môi trường số 12/GP-UBND đã gửi kèm"]


def supplemented(app, make, round_=None):
    """A unit-vetted dossier whose enterprise answered a two-item request and uploaded one file."""
    application = make.application(round=round_)
    applicant, officer = make.applicant_of(application), make.officer_of(application)
    fire(application, "submit", applicant)
    fire(application, "start_vetting", officer)
    fire(application, "request_supplement", officer, items=ITEMS)
    response = client_for(app, applicant, "en").post(
        f"/applicant/applications/{application.id}/documents",
        data={"kind": "financial_statements", "file": (io.BytesIO(files.pdf("bctc")), "bctc-2024.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(application)
    fire(application, "resubmit", applicant, answers=ANSWERS)
    return application, officer


def evidence_of(application) -> Document:
    return db.session.scalar(
        select(Document).where(
            Document.application_id == application.id, Document.filename == "bctc-2024.pdf"
        )
    )


def answers_beside_items(page: str) -> bool:
    """Each item and its answer in the same table row."""
    return all(
        re.search(re.escape(item) + r"</td><td[^>]*>" + re.escape(answer), page)
        for item, answer in zip(ITEMS, ANSWERS, strict=True)
    )


def test_vetting_officer_reads_the_answers_and_the_evidence_beside_the_request(app, make):
    application, officer = supplemented(app, make)
    page = client_for(app, officer, "en").get(f"/unit/dossiers/{application.id}").text
    assert answers_beside_items(page)
    evidence = evidence_of(application)
    assert f'href="/unit/dossiers/{application.id}/documents/{evidence.id}">bctc-2024.pdf</a>' in page


def test_an_unanswered_request_says_so(app, make):
    application = make.application()
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    fire(application, "request_supplement", officer, items=ITEMS)
    page = client_for(app, officer, "en").get(f"/unit/dossiers/{application.id}").text
    assert page.count("Not answered yet") == 2


@pytest.fixture
def reviewed(app, make):
    """A unit-vetted dossier supplemented, endorsed, and scored by two members with comments."""
    round_ = make.round()
    apply_default_rubric(round_)
    db.session.commit()
    application, officer = supplemented(app, make, round_)
    fire(application, "endorse", officer, recommendation="Đề nghị Hội đồng xét chọn sản phẩm")
    members = [make.user(Role.council_member) for _ in range(3)]
    assignments = []
    for member in members:
        services.add_council_member(round_, member)
        assignments.append(services.assign_reviewer(application, member))
    db.session.commit()
    fire(application, "open_review", make.user(Role.secretariat))
    for assignment, points in zip(assignments[:2], ("4", "5"), strict=True):
        services.declare(assignment, False)
        inputs = [
            services.ScoreInput(c.id, points, f"Nhận xét {c.code} của thành viên {assignment.reviewer_id}")
            for c in criteria_of(round_.id)
        ]
        assert services.save_scores(assignment, application, inputs, submit=True) == {}
    services.declare(assignments[2], False)
    draft = [services.ScoreInput(criteria_of(round_.id)[0].id, "1", "Bản nháp chưa nộp")]
    assert services.save_scores(assignments[2], application, draft, submit=False) == {}
    db.session.commit()
    return application, assignments


def test_secretariat_reads_a_dossier_its_units_vet(app, make, reviewed):
    application, assignments = reviewed
    secretariat = client_for(app, make.user(Role.secretariat), "en")
    response = secretariat.get(f"/secretariat/dossiers/{application.id}")
    assert response.status_code == 200
    page = response.text
    assert application.receipt_code in page
    assert "Đề nghị Hội đồng xét chọn sản phẩm" in page  # the vetting report
    assert answers_beside_items(page)  # the supplement and the enterprise's answers
    evidence = evidence_of(application)
    assert f'href="/secretariat/dossiers/{application.id}/documents/{evidence.id}"' in page
    assert 'id="timeline"' in page and "Supplement answered" in page
    # The score sheets: per member, per criterion, with comments; a draft stays its author's.
    first, second, unsubmitted = assignments
    assert f'id="score-{first.id}-A1"' in page and f"Nhận xét A1 của thành viên {first.reviewer_id}" in page
    assert f"Nhận xét D3 của thành viên {second.reviewer_id}" in page
    assert "Bản nháp chưa nộp" not in page
    assert f'id="total-{unsubmitted.id}"' in page and "Not submitted yet" in page
    # Read-only: the step is the unit's, so no vetting form is offered.
    assert "/secretariat/vetting/dossiers/" not in page


def test_secretariat_documents_go_through_the_scoped_checks(app, make, reviewed):
    application, _assignments = reviewed
    secretariat = client_for(app, make.user(Role.secretariat), "en")
    evidence = evidence_of(application)
    response = secretariat.get(f"/secretariat/dossiers/{application.id}/documents/{evidence.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    other = make.application()
    fire(other, "submit", make.applicant_of(other))
    path = app.extensions["evidence_storage"].path_for(other.documents[0].sha256)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as stored:
        stored.write(files.PDF)
    assert (
        secretariat.get(f"/secretariat/dossiers/{other.id}/documents/{other.documents[0].id}").status_code
        == 200
    )
    # Another dossier's document under this dossier's id is not found.
    assert (
        secretariat.get(
            f"/secretariat/dossiers/{application.id}/documents/{other.documents[0].id}"
        ).status_code
        == 404
    )


def test_a_draft_is_not_the_secretariats(app, make):
    draft = make.application()
    secretariat = client_for(app, make.user(Role.secretariat), "en")
    assert secretariat.get(f"/secretariat/dossiers/{draft.id}").status_code == 404
    assert (
        secretariat.get(f"/secretariat/dossiers/{draft.id}/documents/{draft.documents[0].id}").status_code
        == 404
    )
    assert draft.product_record.name not in secretariat.get("/secretariat/dossiers/").text


def test_only_the_secretariat_opens_the_whole_view(app, make, reviewed):
    application, _assignments = reviewed
    officer = client_for(app, make.officer_of(application), "en")
    assert officer.get(f"/secretariat/dossiers/{application.id}").status_code == 403
    assert officer.get("/secretariat/dossiers/").status_code == 403


def test_buttons_only_for_the_secretariats_own_steps(app, make):
    secretariat_user = make.user(Role.secretariat)
    secretariat = client_for(app, secretariat_user, "en")
    own = make.application(round=make.round(vetting_body=VettingBody.secretariat))
    fire(own, "submit", make.applicant_of(own))
    fire(own, "start_vetting", secretariat_user)
    page = secretariat.get(f"/secretariat/dossiers/{own.id}").text
    assert f'href="/secretariat/vetting/dossiers/{own.id}/endorse"' in page
    assert f'href="/secretariat/vetting/dossiers/{own.id}/supplement"' in page
    assert "The Department (secretariat)" in page

    units = make.application()
    officer = make.officer_of(units)
    fire(units, "submit", make.applicant_of(units))
    fire(units, "start_vetting", officer)
    page = secretariat.get(f"/secretariat/dossiers/{units.id}").text
    assert "/secretariat/vetting/dossiers/" not in page
    assert "No action is open to you at this stage." in page
    assert units.vetting_unit.name in page
    fire(units, "endorse", officer)
    page = secretariat.get(f"/secretariat/dossiers/{units.id}").text
    assert f'href="/secretariat/review/rounds/{units.round_id}/assignments">Open review</a>' in page


def test_board_and_reviewers_pages_link_to_the_dossier(app, make, reviewed):
    application, _assignments = reviewed
    secretariat = client_for(app, make.user(Role.secretariat), "en")
    link = f'href="/secretariat/dossiers/{application.id}"'
    assert link in secretariat.get(f"/secretariat/review/rounds/{application.round_id}/board").text
    assert link in secretariat.get(f"/secretariat/review/rounds/{application.round_id}/assignments").text


def submitted_many(make, count: int, round_=None) -> list[Application]:
    round_ = round_ or make.round()
    applications = []
    for _ in range(count):
        application = make.application(round=round_)
        fire(application, "submit", make.applicant_of(application))
        applications.append(application)
    return applications


def test_list_of_every_round_filters_and_searches(app, make):
    unit_round, department_round = make.round(), make.round(vetting_body=VettingBody.secretariat)
    first = submitted_many(make, 2, unit_round)
    second = submitted_many(make, 1, department_round)
    officer = make.officer_of(first[0])
    fire(first[0], "start_vetting", officer)
    secretariat = client_for(app, make.user(Role.secretariat), "en")
    page = secretariat.get("/secretariat/dossiers/").text
    assert all(a.receipt_code in page for a in first + second)
    assert f'href="/secretariat/dossiers/{first[0].id}"' in page
    page = secretariat.get(f"/secretariat/dossiers/?round={department_round.id}").text
    assert second[0].receipt_code in page and first[0].receipt_code not in page
    page = secretariat.get("/secretariat/dossiers/?state=vetting").text
    assert first[0].receipt_code in page and first[1].receipt_code not in page
    tax_code = first[1].enterprise.tax_code
    page = secretariat.get(f"/secretariat/dossiers/?q={tax_code}").text
    assert first[1].receipt_code in page and first[0].receipt_code not in page


def test_list_issues_the_same_number_of_queries_for_few_and_many(app, make):
    secretariat = client_for(app, make.user(Role.secretariat), "en")
    submitted_many(make, 2)
    few = queries_to_get(secretariat, "/secretariat/dossiers/")
    submitted_many(make, 12, make.round(vetting_body=VettingBody.secretariat))
    assert queries_to_get(secretariat, "/secretariat/dossiers/") == few


def test_list_is_paginated(app, make, monkeypatch):
    monkeypatch.setattr("recognition.dossiers.queries.PAGE_SIZE", 2)
    applications = submitted_many(make, 3)
    secretariat = client_for(app, make.user(Role.secretariat), "en")
    first_page = secretariat.get("/secretariat/dossiers/").text
    assert "1 / 2" in first_page and 'href="/secretariat/dossiers/?page=2"' in first_page
    second_page = secretariat.get("/secretariat/dossiers/?page=2").text
    shown = [a.receipt_code for a in applications if a.receipt_code in second_page]
    assert len(shown) == 1 and shown[0] not in first_page
