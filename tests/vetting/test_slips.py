"""The one-stop slips (Circular 01/2018/TT-VPCP): the request to supplement (Mẫu 02) and the refusal
with reasons (Mẫu 03), downloaded by the vetting body and by the enterprise, read back with pypdf."""

import pytest

from recognition.accounts.models import Role
from recognition.clock import format_day
from recognition.extensions import db
from recognition.rounds.models import VettingBody
from tests.conftest import client_for, fire, valid_data
from tests.documents import NATIONAL_HEADING, PLACE_DATE, overprinted, pdf_text, text_runs

ITEMS = ["Báo cáo tài chính năm 2025 có kiểm toán", "Giấy chứng nhận ISO 9001 còn hiệu lực"]
REASON = "Doanh thu năm 2025 là 80 tỷ đồng, dưới mức 100 tỷ đồng của Hướng dẫn 1520/HD-SCT."


def slip_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == "application/pdf"
    assert overprinted(text_runs(response.data)) == []
    return pdf_text(response.data)


@pytest.fixture
def requested(make):
    """A unit-vetted dossier its officer asked to supplement."""
    application = make.application(enterprise=make.enterprise(name="Công ty Cổ phần Điện cơ Đông Anh"))
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    fire(application, "request_supplement", officer, items=ITEMS)
    return application, officer


def test_request_to_supplement_slip_for_the_unit_and_the_enterprise(app, make, requested):
    application, officer = requested
    deadline = valid_data("request_supplement")["deadline"]
    urls = {
        officer: f"/unit/dossiers/{application.id}/supplement-request.pdf",
        make.applicant_of(application): f"/applicant/applications/{application.id}/supplement-request.pdf",
    }
    for user, url in urls.items():
        text = slip_text(client_for(app, user, "en"), url)
        for line in (*NATIONAL_HEADING, "ỦY BAN NHÂN DÂN", application.vetting_unit.name.upper()):
            assert line in text
        assert PLACE_DATE.search(text)
        assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
        record = application.enterprise_record
        assert f"Hồ sơ của: {record.name}" in text and f"Mã số thuế: {record.tax_code}" in text
        assert f"Mã hồ sơ: {application.receipt_code}" in text and application.product_record.name in text
        assert f"1. {ITEMS[0]}" in text and f"2. {ITEMS[1]}" in text
        assert f"đến hết ngày {format_day(deadline)}" in text
        assert f"NGƯỜI HƯỚNG DẪN {officer.full_name}" in text


def test_refusal_slip_of_the_secretariat_for_it_and_the_enterprise(app, make):
    round_ = make.round(vetting_body=VettingBody.secretariat)
    application = make.application(round=round_)
    secretariat = make.user(Role.secretariat)
    applicant = make.applicant_of(application)
    fire(application, "submit", applicant)
    fire(application, "start_vetting", secretariat)
    fire(application, "reject_in_unit", secretariat, reason=REASON)
    for user, url in (
        (secretariat, f"/secretariat/vetting/dossiers/{application.id}/refusal.pdf"),
        (applicant, f"/applicant/applications/{application.id}/refusal.pdf"),
    ):
        text = slip_text(client_for(app, user, "en"), url)
        for line in (*NATIONAL_HEADING, "UBND THÀNH PHỐ HÀ NỘI", "SỞ CÔNG THƯƠNG"):
            assert line in text
        assert PLACE_DATE.search(text)
        assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in text
        assert application.enterprise_record.name in text and application.receipt_code in text
        assert REASON in text
        assert f"NGƯỜI THẨM ĐỊNH HỒ SƠ {secretariat.full_name}" in text


def test_a_slip_the_dossier_does_not_have_sends_back_with_a_message(app, make, requested):
    application, officer = requested
    client = client_for(app, officer, "en")
    response = client.get(f"/unit/dossiers/{application.id}/refusal.pdf")
    assert response.status_code == 302 and response.headers["Location"] == f"/unit/dossiers/{application.id}"
    assert "This dossier was not refused." in client.get(response.headers["Location"]).text
    response = client.get(
        f"/unit/dossiers/{application.id}/supplement-request.pdf?number=2", follow_redirects=True
    )
    assert "This dossier has no such request to supplement." in response.text


def test_slips_of_another_dossier_are_not_found(app, make, requested):
    application, _officer = requested
    unit, applicant = "/unit/dossiers", "/applicant/applications"
    paths = [f"{base}/{application.id}/{name}" for base in (unit, applicant)
             for name in ("supplement-request.pdf", "refusal.pdf")]  # fmt: skip
    other_officer = client_for(app, make.user(Role.unit_officer, unit=make.unit("P-HADONG")), "en")
    other_applicant = client_for(app, make.user(Role.applicant), "en")
    assert [other_officer.get(p).status_code for p in paths[:2]] == [404, 404]
    assert [other_applicant.get(p).status_code for p in paths[2:]] == [404, 404]
    secretariat = client_for(app, make.user(Role.secretariat), "en")
    assert (
        secretariat.get(f"/secretariat/vetting/dossiers/{application.id}/supplement-request.pdf").status_code
        == 404
    )
    council = client_for(app, make.user(Role.council_member), "en")
    assert [council.get(p).status_code for p in paths] == [403] * 4


def test_dossier_pages_link_the_slips(app, make, requested):
    application, officer = requested
    link = f'href="/unit/dossiers/{application.id}/supplement-request.pdf?number=1"'
    assert link in client_for(app, officer, "en").get(f"/unit/dossiers/{application.id}").text
    page = (
        client_for(app, make.applicant_of(application), "en")
        .get(f"/applicant/applications/{application.id}")
        .text
    )
    assert f'href="/applicant/applications/{application.id}/supplement-request.pdf?number=1"' in page
    assert "refusal.pdf" not in page
    fire(application, "resubmit", make.applicant_of(application), answers=["Đã bổ sung", "Đã bổ sung"])
    fire(application, "reject_in_unit", officer, reason=REASON)
    db.session.expire_all()
    assert (
        f"/unit/dossiers/{application.id}/refusal.pdf"
        in client_for(app, officer, "en").get(f"/unit/dossiers/{application.id}").text
    )
