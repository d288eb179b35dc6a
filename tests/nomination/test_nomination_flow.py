"""The enterprise's whole side through HTTP: register, fill the sections, upload, submit, follow."""

import io
import os
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from recognition.accounts.models import AdministrativeUnit, Role, Sector
from recognition.cases.models import Application, Document, State
from recognition.clock import local_today
from recognition.extensions import db
from recognition.nomination.services import figure_years
from recognition.rounds.models import DEFAULT_REQUIRED_DOCUMENTS, RoundStatus
from tests import files
from tests.conftest import confirm_and_log_in


def register(client) -> None:
    unit_id = db.session.scalar(select(AdministrativeUnit.id).where(AdministrativeUnit.code == "X-DONGANH"))
    sector_id = db.session.scalar(select(Sector.id).where(Sector.code == "DDT"))
    response = client.post(
        "/register",
        data={
            "enterprise_name": "Công ty Cổ phần Thiết bị điện Đông Anh",
            "tax_code": "0100101234",
            "address": "Tổ 5, xã Đông Anh, Hà Nội",
            "unit_id": unit_id,
            "sector_id": sector_id,
            "full_name": "Phạm Văn Hùng",
            "email": "hung@thietbidien.vn",
            "password": "a long password",
            "confirm": "a long password",
        },
    )
    assert response.status_code == 200
    confirm_and_log_in(client, "hung@thietbidien.vn", "a long password")


def figures_data(revenue="150.000.000.000", **overrides) -> dict:
    data = {}
    for i, year in enumerate(figure_years()):
        data.update(
            {
                f"years-{i}-year": str(year),
                f"years-{i}-production_value_vnd": "180.000.000.000",
                f"years-{i}-revenue_vnd": revenue,
                f"years-{i}-export_value_usd": "2.500.000",
                f"years-{i}-budget_contribution_vnd": "12.000.000.000",
                f"years-{i}-employees": "450",
                f"years-{i}-average_wage_vnd": "11.500.000",
            }
        )
    data.update(overrides)
    return data


PRODUCT = {
    "name": "Máy biến áp phân phối 22 kV",
    "category": "other",
    "description": "Máy biến áp dầu ba pha, hiệu suất cao",
    "year_started": "2012",
    "capacity": "5.000 máy/năm",
    "main_markets": "Việt Nam, Lào, Campuchia",
    "hs_code": "850423",
}


def start_nomination(client) -> int:
    response = client.post(
        "/applicant/applications/new",
        data={"round_id": current_round_id(), "product_id": 0, "product_name": "Máy biến áp"},
    )
    assert response.status_code == 302, response.text
    return int(re.search(r"/applications/(\d+)/product", response.location).group(1))


def current_round_id() -> int:
    from recognition.rounds.models import Round

    return db.session.scalar(select(Round.id))


def fill_sections(client, application_id: int) -> None:
    base = f"/applicant/applications/{application_id}"
    sector_id = db.session.scalar(select(Sector.id).where(Sector.code == "DDT"))
    assert client.post(f"{base}/product", data={**PRODUCT, "sector_id": sector_id}).status_code == 302
    assert client.post(f"{base}/figures", data=figures_data()).status_code == 302
    quality = {
        "certifications-0-standard": "ISO 9001:2015",
        "certifications-0-number": "VN-QMS-2024-118",
        "certifications-0-expires_on": "2027-06-30",
        "technology_level": "modern",
        "rnd_spending_vnd": "3.200.000.000",
        "environmental_compliance": "Giấy phép môi trường số 12/GPMT-UBND",
    }
    assert client.post(f"{base}/quality", data=quality).status_code == 302
    commitment = {"commit_environment": "y", "commit_quality": "y", "commit_ip": "y"}
    assert client.post(f"{base}/commitment", data=commitment).status_code == 302


def upload(client, application_id: int, kind: str, content: bytes, filename: str = "tai-lieu.pdf", **extra):
    return client.post(
        f"/applicant/applications/{application_id}/documents",
        data={"kind": kind, "file": (io.BytesIO(content), filename), **extra},
        content_type="multipart/form-data",
    )


def upload_all(client, application_id: int) -> None:
    for kind in DEFAULT_REQUIRED_DOCUMENTS:
        response = upload(client, application_id, kind, files.pdf(kind), f"{kind}.pdf")
        assert response.status_code == 302, response.text


@pytest.fixture
def applicant(client, make, reference):
    make.round()
    register(client)
    return client


def test_full_happy_path(applicant):
    client = applicant
    application_id = start_nomination(client)
    fill_sections(client, application_id)
    upload_all(client, application_id)
    page = client.get(f"/applicant/applications/{application_id}/submit").text
    assert "5/5" in page
    response = client.post(f"/applicant/applications/{application_id}/submit", data={"declaration": "y"})
    assert response.status_code == 200
    receipt = response.text
    code = re.search(r'id="receipt-code">([^<]+)<', receipt).group(1)
    secret = re.search(r'id="lookup-secret">([^<]+)<', receipt).group(1)
    assert re.fullmatch(rf"SCT-{local_today():%y%m%d}-0001", code)
    assert len(secret) == 6
    assert "Ủy ban nhân dân Xã Đông Anh" in receipt
    assert "Báo cáo tài chính đã kiểm toán: financial_statements.pdf" in receipt
    overview = client.get(f"/applicant/applications/{application_id}").text
    assert "Hồ sơ đã nộp" in overview or "Đã nộp" in overview
    assert 'id="timeline"' in overview
    home = client.get("/applicant/").text
    assert code in home and "Chờ bắt đầu thẩm định" in home


def test_receipt_pdf_carries_code_secret_and_vietnamese_text(applicant):
    application_id = start_nomination(applicant)
    fill_sections(applicant, application_id)
    upload_all(applicant, application_id)
    page = applicant.post(f"/applicant/applications/{application_id}/submit", data={"declaration": "y"}).text
    secret = re.search(r'id="lookup-secret">([^<]+)<', page).group(1)
    response = applicant.post(
        f"/applicant/applications/{application_id}/receipt.pdf", data={"lookup_secret": secret}
    )
    assert response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    application = db.session.get(Application, application_id)
    assert application.receipt_code in text and secret in text
    assert "Giấy tiếp nhận hồ sơ" in text
    assert "Công ty Cổ phần Thiết bị điện Đông Anh" in text


def test_live_eligibility_check(applicant):
    application_id = start_nomination(applicant)
    url = f"/applicant/applications/{application_id}/eligibility"
    low = applicant.get(url, query_string={"revenue_vnd": "90.000.000.000"}).get_json()
    assert low["eligible"] is False
    assert low["messages"] == ["Sản phẩm này cần có doanh thu từ 100.000.000.000 đồng/năm trở lên."]
    assert applicant.get(url, query_string={"revenue_vnd": "100000000000"}).get_json()["eligible"] is True


def test_figures_page_says_which_rule_fails_after_saving(applicant):
    application_id = start_nomination(applicant)
    base = f"/applicant/applications/{application_id}"
    applicant.post(f"{base}/figures", data=figures_data(revenue="5.000.000.000"))
    page = applicant.get(f"{base}/figures").text
    assert "Sản phẩm này cần có doanh thu từ 100.000.000.000 đồng/năm trở lên." in page


def test_negative_figure_names_the_field_and_keeps_the_rest(applicant):
    application_id = start_nomination(applicant)
    base = f"/applicant/applications/{application_id}/figures"
    applicant.post(base, data=figures_data())
    response = applicant.post(
        base, data=figures_data(**{"years-1-employees": "-3", "years-0-revenue_vnd": "170000"})
    )
    assert response.status_code == 200
    assert "Không được âm." in response.text  # not a range up to 500000 (issue 16)
    assert 'value="170000"' in response.text  # what was typed is kept
    application = db.session.get(Application, application_id)
    assert [f.revenue_vnd for f in application.figures] == [150_000_000_000, 150_000_000_000]  # nothing lost


def test_negative_figure_message_in_english(applicant):
    applicant.get("/lang/en")
    application_id = start_nomination(applicant)
    response = applicant.post(
        f"/applicant/applications/{application_id}/figures",
        data=figures_data(**{"years-0-revenue_vnd": "-1"}),
    )
    assert "Must not be negative." in response.text
    assert "Number must be between" not in response.text
    assert "Revenue (VND)" in response.text


def test_oversized_file_is_refused_naming_the_field(applicant, app):
    application_id = start_nomination(applicant)
    upload(applicant, application_id, "registration_form", files.pdf("kept"))
    big = files.PDF + b"0" * (25 * 1024 * 1024)
    response = upload(applicant, application_id, "other", big, "big.pdf")
    assert response.status_code == 200
    assert "Tệp lớn hơn 20 MB." in response.text
    documents = db.session.scalars(select(Document).where(Document.application_id == application_id)).all()
    assert [d.filename for d in documents] == ["tai-lieu.pdf"]


def test_exe_renamed_pdf_is_refused(applicant):
    application_id = start_nomination(applicant)
    response = upload(applicant, application_id, "other", files.EXE, "bao-cao.pdf")
    assert response.status_code == 200
    assert "Chỉ chấp nhận tệp PDF, JPEG, PNG, DOCX và XLSX" in response.text
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (files.HTML, "trang.pdf"),
        (b"<svg onload=alert(1)>", "logo.png"),
        (b"", "rong.pdf"),
        (b"PK\x03\x04xx", "x.docx"),
    ],
)
def test_hostile_uploads_are_refused(applicant, content, name):
    application_id = start_nomination(applicant)
    response = upload(applicant, application_id, "other", content, name)
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (files.PNG, "anh.png"),
        (files.JPEG, "anh.jpg"),
        (files.office("word"), "don.docx"),
        (files.office("xl"), "so-lieu.xlsx"),
    ],
)
def test_each_accepted_type(applicant, content, name):
    application_id = start_nomination(applicant)
    assert upload(applicant, application_id, "other", content, name).status_code == 302


def test_same_file_twice_is_stored_once(applicant, app):
    application_id = start_nomination(applicant)
    upload(applicant, application_id, "other", files.pdf("same"), "a.pdf")
    response = upload(applicant, application_id, "other", files.pdf("same"), "b.pdf")
    assert response.status_code == 302
    rows = db.session.scalars(select(Document).where(Document.application_id == application_id)).all()
    assert len(rows) == 1
    storage = app.extensions["evidence_storage"]
    path = storage.path_for(rows[0].sha256)
    assert os.path.exists(path)
    same_named = [f for _d, _s, names in os.walk(storage.root) for f in names if f == rows[0].sha256]
    assert len(same_named) == 1


def test_replaced_document_keeps_its_history(applicant):
    application_id = start_nomination(applicant)
    upload(applicant, application_id, "financial_statements", files.pdf("v1"), "bctc-v1.pdf")
    first = db.session.scalar(select(Document).where(Document.application_id == application_id))
    response = upload(
        applicant,
        application_id,
        "financial_statements",
        files.pdf("v2"),
        "bctc-v2.pdf",
        replaces=str(first.id),
    )
    assert response.status_code == 302
    page = applicant.get(f"/applicant/applications/{application_id}/documents").text
    assert "bctc-v2.pdf" in page and "Tài liệu đã thay thế" in page
    db.session.expire_all()
    assert db.session.get(Document, first.id).superseded_at is not None


def test_download_is_an_attachment_with_a_safe_name(applicant):
    application_id = start_nomination(applicant)
    upload(applicant, application_id, "other", files.pdf("dl"), '../../wsgi"\r\n.pdf')
    document = db.session.scalar(select(Document).where(Document.application_id == application_id))
    assert document.filename == "wsgi.pdf"
    response = applicant.get(f"/applicant/applications/{application_id}/documents/{document.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data == files.pdf("dl")


def test_missing_document_is_listed_with_a_link_and_nothing_is_lost(applicant):
    application_id = start_nomination(applicant)
    fill_sections(applicant, application_id)
    for kind in DEFAULT_REQUIRED_DOCUMENTS[:-1]:
        upload(applicant, application_id, kind, files.pdf(kind), f"{kind}.pdf")
    response = applicant.post(f"/applicant/applications/{application_id}/submit", data={"declaration": "y"})
    assert response.status_code == 200
    assert "Còn thiếu: Thuyết minh sản phẩm." in response.text
    assert f'href="/applicant/applications/{application_id}/documents"' in response.text
    application = db.session.get(Application, application_id)
    assert application.state == State.draft
    assert len(application.documents) == len(DEFAULT_REQUIRED_DOCUMENTS) - 1


def test_submission_after_the_round_closed_is_refused(applicant):
    from datetime import timedelta

    from recognition.rounds.models import Round

    application_id = start_nomination(applicant)
    fill_sections(applicant, application_id)
    upload_all(applicant, application_id)
    round_ = db.session.scalar(select(Round))
    round_.closes_on = local_today() - timedelta(days=1)
    db.session.commit()
    response = applicant.post(f"/applicant/applications/{application_id}/submit", data={"declaration": "y"})
    assert f"đã kết thúc nhận hồ sơ ngày {round_.closes_on:%d/%m/%Y}" in response.text
    assert db.session.get(Application, application_id).state == State.draft


def test_declaration_must_be_ticked(applicant):
    application_id = start_nomination(applicant)
    fill_sections(applicant, application_id)
    upload_all(applicant, application_id)
    response = applicant.post(f"/applicant/applications/{application_id}/submit", data={})
    assert "Hãy đánh dấu cam kết rằng thông tin kê khai là đúng sự thật." in response.text


def test_sections_are_locked_after_submission(applicant):
    application_id = start_nomination(applicant)
    fill_sections(applicant, application_id)
    upload_all(applicant, application_id)
    applicant.post(f"/applicant/applications/{application_id}/submit", data={"declaration": "y"})
    sector_id = db.session.scalar(select(Sector.id))
    response = applicant.post(
        f"/applicant/applications/{application_id}/product",
        data={**PRODUCT, "name": "Đổi tên", "sector_id": sector_id},
    )
    assert response.status_code == 302
    assert db.session.get(Application, application_id).product.name == PRODUCT["name"]


def test_withdraw_with_a_reason(applicant):
    application_id = start_nomination(applicant)
    response = applicant.post(f"/applicant/applications/{application_id}/withdraw", data={"reason": ""})
    assert "Trường này là bắt buộc." in response.text
    applicant.post(f"/applicant/applications/{application_id}/withdraw", data={"reason": "Chưa đủ điều kiện"})
    assert db.session.get(Application, application_id).state == State.withdrawn


def test_answer_a_request_to_supplement(applicant, make):
    from tests.conftest import fire

    application_id = start_nomination(applicant)
    fill_sections(applicant, application_id)
    upload_all(applicant, application_id)
    applicant.post(f"/applicant/applications/{application_id}/submit", data={"declaration": "y"})
    application = db.session.get(Application, application_id)
    officer = make.officer_of(application)
    fire(application, "start_vetting", officer)
    fire(
        application, "request_supplement", officer, items=["Bổ sung giấy phép môi trường", "Bổ sung hợp đồng"]
    )
    page = applicant.get(f"/applicant/applications/{application_id}").text
    assert "Bổ sung giấy phép môi trường" in page
    form = applicant.get(f"/applicant/applications/{application_id}/supplement").text
    assert "Bổ sung hợp đồng" in form
    assert (
        upload(
            applicant, application_id, "environmental_compliance", files.pdf("gpmt"), "gpmt.pdf"
        ).status_code
        == 302
    )
    response = applicant.post(
        f"/applicant/applications/{application_id}/supplement",
        data={
            "answers-0": "Đã tải lên giấy phép",
            "answers-1": "Đã ký hợp đồng",
            "version": application.version,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application_id).state == State.vetting


def test_stale_form_gets_someone_else_first(applicant):
    application_id = start_nomination(applicant)
    application = db.session.get(Application, application_id)
    stale = application.version
    applicant.post(f"/applicant/applications/{application_id}/withdraw", data={"reason": "Lần 1"})
    response = applicant.post(
        f"/applicant/applications/{application_id}/withdraw", data={"reason": "Lần 2", "version": stale}
    )
    assert response.status_code == 404  # withdrawn: the form is no longer offered


def test_no_open_round_means_no_nomination(client, make, reference):
    make.round(status=RoundStatus.closed)
    register(client)
    response = client.get("/applicant/applications/new")
    assert response.status_code == 302
    assert "Hiện không có đợt xét chọn nào đang nhận hồ sơ." in client.get("/applicant/").text


def test_profile_is_editable_but_not_the_tax_code(applicant):
    unit_id = db.session.scalar(select(AdministrativeUnit.id).where(AdministrativeUnit.code == "P-HADONG"))
    sector_id = db.session.scalar(select(Sector.id).where(Sector.code == "DDT"))
    response = applicant.post(
        "/applicant/profile",
        data={
            "name": "Công ty CP Thiết bị điện Hà Đông",
            "address": "Hà Đông",
            "unit_id": unit_id,
            "sector_id": sector_id,
            "tax_code": "9999999999",
        },
    )
    assert response.status_code == 302
    from recognition.accounts.models import Enterprise

    enterprise = db.session.scalar(select(Enterprise))
    assert enterprise.name == "Công ty CP Thiết bị điện Hà Đông"
    assert enterprise.tax_code == "0100101234"


def test_other_roles_cannot_open_applicant_pages(login_as):
    assert login_as(Role.unit_officer).get("/applicant/").status_code == 403


def test_home_lists_products_applications_and_the_open_round(applicant):
    start_nomination(applicant)
    home = applicant.get("/applicant/").text
    assert 'id="products"' in home and "Máy biến áp" in home
    assert "hạn nộp hồ sơ ngày" in home
    assert "Hoàn thiện các mục rồi nộp hồ sơ" in home
