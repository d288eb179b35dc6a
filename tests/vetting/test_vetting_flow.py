"""The vetting body's side through HTTP: the whole loop, refusals, access and the secretariat's rounds."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.accounts.services import grant_role
from recognition.cases.models import Application, AuditEvent, State
from recognition.clock import local_today
from recognition.extensions import db
from recognition.rounds.calendar import add_working_days
from recognition.rounds.models import VettingBody
from tests.conftest import client_for, fire

REPORT = {
    "site_visit_date": (local_today() - timedelta(days=2)).isoformat(),
    "eligibility_confirmed": "y",
    "business_registration_valid": "yes",
    "no_tax_arrears": "yes",
    "social_insurance_paid": "yes",
    "environmental_compliance": "yes",
    "environmental_compliance_note": "Có giấy phép môi trường",
    "no_violations": "no",
    "no_violations_note": "Bị nhắc nhở năm 2024, đã khắc phục",
    "recommendation": "Đề nghị Hội đồng xem xét",
}


@pytest.fixture
def submitted(make):
    application = make.application()
    fire(application, "submit", make.applicant_of(application))
    return application


@pytest.fixture
def officer(app, make, submitted):
    return client_for(app, make.officer_of(submitted))


@pytest.fixture
def applicant(app, make, submitted):
    return client_for(app, make.applicant_of(submitted))


def reload(application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def test_the_whole_loop_through_http(officer, applicant, submitted):
    base = f"/unit/dossiers/{submitted.id}"
    queue = officer.get("/unit/").text
    assert submitted.receipt_code in queue
    page = officer.get(base).text
    assert "Bắt đầu thẩm định" in page and submitted.product.name in page
    officer.post(f"{base}/start", data={"version": submitted.version})
    assert reload(submitted).state == State.vetting

    form = officer.get(f"{base}/supplement").text
    default_deadline = add_working_days(local_today(), 10)
    assert f'value="{default_deadline.isoformat()}"' in form
    response = officer.post(
        f"{base}/supplement",
        data={
            "items-0": "Báo cáo tài chính năm 2025 đã kiểm toán",
            "items-1": "",
            "items-2": "Giấy phép môi trường",
            "deadline": default_deadline.isoformat(),
        },
    )
    assert response.status_code == 302
    application = reload(submitted)
    assert application.state == State.supplement_requested
    assert application.due_on == default_deadline
    assert application.supplement_requests[0].items == [
        "Báo cáo tài chính năm 2025 đã kiểm toán",
        "Giấy phép môi trường",
    ]

    overview = applicant.get(f"/applicant/applications/{submitted.id}").text
    assert "Giấy phép môi trường" in overview
    response = applicant.post(
        f"/applicant/applications/{submitted.id}/supplement",
        data={"answers-0": "Đã tải lên báo cáo", "answers-1": "Đã tải lên giấy phép"},
    )
    assert response.status_code == 302
    assert reload(submitted).state == State.vetting

    response = officer.post(f"{base}/endorse", data=REPORT)
    assert response.status_code == 302
    application = reload(submitted)
    assert application.state == State.endorsed
    assert application.due_on is None
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.application_id == application.id, AuditEvent.trigger == "endorse")
    )
    assert event.payload["no_violations"] is False
    assert event.payload["no_violations_note"] == "Bị nhắc nhở năm 2024, đã khắc phục"
    assert event.payload["recommendation"] == "Đề nghị Hội đồng xem xét"
    assert event.actor_role == "unit_officer"


def test_rejection_shows_the_reasons_to_the_applicant(officer, applicant, submitted):
    base = f"/unit/dossiers/{submitted.id}"
    officer.post(f"{base}/start", data={})
    response = officer.post(f"{base}/reject", data={"reason": "Doanh thu năm 2025 chưa đạt 100 tỷ đồng"})
    assert response.status_code == 302
    assert reload(submitted).state == State.unit_rejected
    overview = applicant.get(f"/applicant/applications/{submitted.id}").text
    assert "Không đạt thẩm định" in overview
    assert "Doanh thu năm 2025 chưa đạt 100 tỷ đồng" in overview


def test_rejection_without_reasons_keeps_the_form(officer, submitted):
    base = f"/unit/dossiers/{submitted.id}"
    officer.post(f"{base}/start", data={})
    response = officer.post(f"{base}/reject", data={"reason": ""})
    assert response.status_code == 200
    assert "Trường này là bắt buộc." in response.text
    assert reload(submitted).state == State.vetting


def test_incomplete_report_is_refused_and_keeps_what_was_typed(officer, submitted):
    base = f"/unit/dossiers/{submitted.id}"
    officer.post(f"{base}/start", data={})
    incomplete = {k: v for k, v in REPORT.items() if k != "no_tax_arrears"}
    response = officer.post(f"{base}/endorse", data=incomplete)
    assert response.status_code == 200
    assert "Trường này là bắt buộc." in response.text
    assert "Bị nhắc nhở năm 2024, đã khắc phục" in response.text
    assert reload(submitted).state == State.vetting


def test_second_request_beyond_the_limit_is_refused_with_a_message(officer, applicant, submitted, make):
    base = f"/unit/dossiers/{submitted.id}"
    officer.post(f"{base}/start", data={})
    deadline = add_working_days(local_today(), 10).isoformat()
    officer.post(f"{base}/supplement", data={"items-0": "Thiếu hồ sơ", "deadline": deadline})
    applicant.post(f"/applicant/applications/{submitted.id}/supplement", data={"answers-0": "Đã bổ sung"})
    response = officer.post(
        f"{base}/supplement", data={"items-0": "Thiếu lần hai", "deadline": deadline}, follow_redirects=True
    )
    assert "Hiện không thể thực hiện bước này." in response.text or "tối đa 1 lần" in response.text
    assert reload(submitted).state == State.vetting
    assert len(reload(submitted).supplement_requests) == 1


def test_supplement_limit_message_when_the_round_allows_none(officer, submitted):
    submitted.round.max_supplement_requests = 0
    db.session.commit()
    base = f"/unit/dossiers/{submitted.id}"
    officer.post(f"{base}/start", data={})
    deadline = add_working_days(local_today(), 10).isoformat()
    response = officer.post(f"{base}/supplement", data={"items-0": "Thiếu hồ sơ", "deadline": deadline})
    assert "Đợt xét chọn này chỉ cho phép yêu cầu bổ sung hồ sơ tối đa 0 lần." in response.text


def test_request_without_items_keeps_the_deadline(officer, submitted):
    base = f"/unit/dossiers/{submitted.id}"
    officer.post(f"{base}/start", data={})
    response = officer.post(f"{base}/supplement", data={"items-0": " ", "deadline": "2031-01-15"})
    assert "Hãy nêu ít nhất một nội dung cần bổ sung, kèm mô tả." in response.text
    assert 'value="2031-01-15"' in response.text


def test_stale_page_loses_to_the_first_officer(app, make, submitted):
    first, second = client_for(app, make.officer_of(submitted)), client_for(app, make.officer_of(submitted))
    stale_version = submitted.version
    first.post(f"/unit/dossiers/{submitted.id}/start", data={"version": stale_version})
    response = second.post(
        f"/unit/dossiers/{submitted.id}/start", data={"version": stale_version}, follow_redirects=True
    )
    assert "Người khác đã xử lý hồ sơ này trước bạn" in response.text
    assert (
        db.session.scalar(
            select(db.func.count()).select_from(AuditEvent).where(AuditEvent.trigger == "start_vetting")
        )
        == 1
    )


VETTING_ROUTES = [
    ("GET", "/unit/dossiers/{id}"),
    ("POST", "/unit/dossiers/{id}/start"),
    ("GET", "/unit/dossiers/{id}/supplement"),
    ("POST", "/unit/dossiers/{id}/supplement"),
    ("GET", "/unit/dossiers/{id}/endorse"),
    ("POST", "/unit/dossiers/{id}/endorse"),
    ("GET", "/unit/dossiers/{id}/reject"),
    ("POST", "/unit/dossiers/{id}/reject"),
    ("GET", "/unit/dossiers/{id}/documents/{doc}"),
    ("GET", "/unit/dossiers/{id}/supplement-request.pdf"),
    ("GET", "/unit/dossiers/{id}/refusal.pdf"),
]


def test_every_route_is_listed(app):
    rules = {
        r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("vetting.") and "<int:" in r.rule
    }
    listed = {
        path.replace("{id}", "<int:application_id>").replace("{doc}", "<int:document_id>")
        for _m, path in VETTING_ROUTES
    }
    assert rules == listed


@pytest.mark.parametrize(("method", "path"), VETTING_ROUTES)
def test_officer_of_another_unit_gets_404(app, make, submitted, method, path):
    other = client_for(app, make.user(Role.unit_officer, unit=make.unit("P-HADONG")))
    url = path.format(id=submitted.id, doc=submitted.documents[0].id)
    assert other.open(url, method=method, data={"reason": "x"}).status_code == 404
    assert reload(submitted).state == State.submitted


def test_queue_of_another_unit_shows_nothing_even_with_parameters(app, make, submitted):
    other = client_for(app, make.user(Role.unit_officer, unit=make.unit("P-HADONG")))
    page = other.get("/unit/", query_string={"q": submitted.enterprise.tax_code, "state": "submitted"}).text
    assert submitted.receipt_code not in page
    assert "Không có hồ sơ phù hợp." in page


def test_officer_who_is_applicant_of_the_enterprise_cannot_act(app, make, submitted):
    officer = make.officer_of(submitted)
    grant_role(officer, Role.applicant, enterprise=submitted.enterprise)
    db.session.commit()
    client = client_for(app, officer)
    page = client.get(f"/unit/dossiers/{submitted.id}").text
    assert "Bạn không có thao tác nào ở bước này." in page
    response = client.post(f"/unit/dossiers/{submitted.id}/start", data={}, follow_redirects=True)
    assert "Bạn không được thực hiện bước này đối với hồ sơ này." in response.text
    assert reload(submitted).state == State.submitted


def test_search_ignores_diacritics_and_case(app, make):
    enterprise = make.enterprise(name="Công ty Cơ khí Hà Nội")
    other = make.enterprise(name="Công ty Dệt may Thăng Long")
    found = make.application(enterprise=enterprise)
    hidden = make.application(enterprise=other)
    for application in (found, hidden):
        fire(application, "submit", make.applicant_of(application))
    client = client_for(app, make.officer_of(found))
    page = client.get("/unit/", query_string={"q": "co khi ha noi"}).text
    assert found.receipt_code in page and hidden.receipt_code not in page
    page = client.get("/unit/", query_string={"q": "CƠ KHÍ"}).text
    assert found.receipt_code in page
    page = client.get("/unit/", query_string={"q": enterprise.tax_code}).text
    assert found.receipt_code in page and hidden.receipt_code not in page


def test_filters_and_counts(app, make, submitted):
    client = client_for(app, make.officer_of(submitted))
    page = client.get("/unit/", query_string={"state": "endorsed"}).text
    assert submitted.receipt_code not in page
    assert 'Đã nộp <span class="badge bg-secondary">1</span>' in page
    page = client.get(
        "/unit/", query_string={"round": submitted.round_id, "sector": submitted.product.sector_id}
    ).text
    assert submitted.receipt_code in page


def test_overdue_badge(app, make, submitted):
    submitted.due_on = local_today() - timedelta(days=1)
    db.session.commit()
    client = client_for(app, make.officer_of(submitted))
    assert "quá hạn" in client.get("/unit/").text


def test_secretariat_vets_its_own_rounds_with_the_same_pages(app, make):
    application = make.application(round=make.round(vetting_body=VettingBody.secretariat))
    fire(application, "submit", make.applicant_of(application))
    unit_officer = client_for(app, make.officer_of(application))
    assert application.receipt_code not in unit_officer.get("/unit/").text
    assert unit_officer.get(f"/unit/dossiers/{application.id}").status_code == 404
    secretariat = client_for(app, make.user(Role.secretariat))
    assert application.receipt_code in secretariat.get("/secretariat/vetting/").text
    base = f"/secretariat/vetting/dossiers/{application.id}"
    secretariat.post(f"{base}/start", data={})
    assert secretariat.post(f"{base}/endorse", data=REPORT).status_code == 302
    assert reload(application).state == State.endorsed
    assert unit_officer.get("/secretariat/vetting/").status_code == 403


def test_document_preview_inline_and_download(app, make, submitted):
    import os

    storage = app.extensions["evidence_storage"]
    document = submitted.documents[0]
    os.makedirs(os.path.dirname(storage.path_for(document.sha256)), exist_ok=True)
    with open(storage.path_for(document.sha256), "wb") as stored:
        stored.write(b"%PDF-1.4\n%%EOF\n")
    client = client_for(app, make.officer_of(submitted))
    url = f"/unit/dossiers/{submitted.id}/documents/{document.id}"
    inline = client.get(url, query_string={"inline": "1"})
    assert inline.headers["Content-Disposition"].startswith("inline")
    assert inline.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(url).headers["Content-Disposition"].startswith("attachment")


def test_out_of_range_numbers_in_the_queue_query_are_ignored(officer, submitted):
    for params in ({"page": "99999999999999999999"}, {"round": "99999999999"}, {"sector": "-1"}):
        response = officer.get("/unit/", query_string=params)
        assert response.status_code == 200, params
