"""What was submitted and recognised stays as it was: renames after the fact reach no public page,
PDF or API answer about the dossier or its certificate, and the renames are audited."""

import io

from pypdf import PdfReader
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.cases.audit import verify_chains
from recognition.cases.models import Application, RecordChange
from recognition.extensions import db
from recognition.honours.models import Certificate
from tests.conftest import client_for, fire
from tests.honours.test_honours import decide, publish_and_close_comments

OLD_ENTERPRISE = "Công ty Cổ phần Thiết bị điện Đông Anh"
OLD_PRODUCT = "Máy biến áp phân phối ba pha 22 kV"
NEW_ENTERPRISE = "Công ty TNHH Tên Mới Hoàn Toàn"
NEW_PRODUCT = "Sản phẩm Đổi Tên Sau Công Nhận"


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_renames_after_recognition_reach_no_public_record(app, make, client):
    round_ = make.round(reviewers_per_dossier=1)
    enterprise = make.enterprise(name=OLD_ENTERPRISE, address="Tổ 5, xã Đông Anh, Hà Nội")
    application = make.recommended(round_, enterprise=enterprise, product_name=OLD_PRODUCT)
    secretariat = client_for(app, make.user(Role.secretariat))
    publish_and_close_comments(secretariat, round_)
    assert "Đã công nhận 1 trên 1 hồ sơ." in decide(secretariat, round_, [application.id]).text
    certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == application.id))
    applicant = make.applicant_of(application)
    applicant_client = client_for(app, applicant)

    # Rename the enterprise through its profile form ...
    response = applicant_client.post(
        "/applicant/profile",
        data={
            "name": NEW_ENTERPRISE,
            "address": "Số 1 phố Mới, Hà Nội",
            "unit_id": enterprise.unit_id,
            "sector_id": enterprise.sector_id,
        },
    )
    assert response.status_code == 302
    # ... and the product through a new draft of it in another open round.
    other_round = make.round(reviewers_per_dossier=1)
    response = applicant_client.post(
        "/applicant/applications/new", data={"round_id": other_round.id, "product_id": application.product_id}
    )
    assert response.status_code == 302, response.text
    draft_id = db.session.scalar(select(Application.id).where(Application.round_id == other_round.id))
    response = applicant_client.post(
        f"/applicant/applications/{draft_id}/product",
        data={
            "name": NEW_PRODUCT,
            "sector_id": application.product.sector_id,
            "category": "other",
            "description": "Mô tả mới",
            "year_started": 2015,
        },
    )
    assert response.status_code == 302, response.text
    db.session.expire_all()
    assert db.session.get(Application, draft_id).product.name == NEW_PRODUCT  # the live product changed

    public_pages = [
        client.get(f"/verify/{certificate.serial}").text,
        client.get("/registry").text,
        client.get(f"/registry/{certificate.product_id}").text,
        client.get(f"/results/{round_.id}").text,
        client.get("/api/v1/registry").get_data(as_text=True),
        client.get(f"/api/v1/products/{certificate.product_id}").get_data(as_text=True),
        client.get(f"/api/v1/verify/{certificate.serial}").get_data(as_text=True),
        applicant_client.get(f"/applicant/applications/{application.id}/receipt").text,
    ]
    pdfs = [
        pdf_text(secretariat.get(f"/secretariat/honours/certificates/{certificate.id}.pdf").data),
        pdf_text(applicant_client.get(f"/applicant/certificates/{certificate.id}.pdf").data),
        pdf_text(applicant_client.get(f"/applicant/applications/{application.id}/receipt.pdf").data),
    ]
    for text in public_pages + pdfs:
        assert NEW_ENTERPRISE not in text and NEW_PRODUCT not in text
    for text in pdfs:
        assert OLD_ENTERPRISE in text and OLD_PRODUCT in text
    verify_json = client.get(f"/api/v1/verify/{certificate.serial}").get_json()
    assert (verify_json["product_name"], verify_json["enterprise_name"]) == (OLD_PRODUCT, OLD_ENTERPRISE)
    item = client.get("/api/v1/registry").get_json()["items"][0]
    assert item["product"]["name"] == OLD_PRODUCT and item["enterprise"]["name"] == OLD_ENTERPRISE
    assert OLD_PRODUCT in client.get(f"/verify/{certificate.serial}").text
    # The registry is searched by what was recognised, not by the new names.
    assert client.get("/api/v1/registry", query_string={"q": "doi ten sau"}).get_json()["total"] == 0
    assert client.get("/api/v1/registry", query_string={"q": "bien ap phan phoi"}).get_json()["total"] == 1

    # Both renames are in the audit trail, with the old and the new value.
    changes = {
        (c.subject_type, c.action): c.payload
        for c in db.session.scalars(select(RecordChange).order_by(RecordChange.id))
    }
    assert changes[("enterprises", "edit_profile")]["changes"]["name"] == [OLD_ENTERPRISE, NEW_ENTERPRISE]
    assert changes[("products", "edit_product")]["changes"]["name"] == [OLD_PRODUCT, NEW_PRODUCT]
    assert changes[("products", "edit_product")]["application_id"] == draft_id
    assert verify_chains() == []


def test_a_dossier_under_review_keeps_its_submitted_names(app, make):
    application = make.application()
    fire(application, "submit", make.applicant_of(application))
    submitted_name = application.product.name
    application.product.name = "Tên sửa sau khi nộp"
    application.enterprise.name = "Doanh nghiệp đổi tên"
    db.session.commit()
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.product_record.name == submitted_name
    assert application.enterprise_record.name != "Doanh nghiệp đổi tên"
    assert application.snapshot["figures"] and application.snapshot["documents"]


def test_a_draft_reads_the_live_names(make):
    application = make.application()
    application.product.name = "Tên nháp mới"
    db.session.commit()
    assert application.product_record.name == "Tên nháp mới"


def test_resubmission_refreshes_the_record(app, make):
    application = make.application()
    officer = make.officer_of(application)
    applicant = make.applicant_of(application)
    fire(application, "submit", applicant)
    fire(application, "start_vetting", officer)
    fire(application, "request_supplement", officer)
    application.enterprise.address = "Địa chỉ bổ sung theo yêu cầu"
    db.session.commit()
    assert application.enterprise_record.address != "Địa chỉ bổ sung theo yêu cầu"
    fire(application, "resubmit", applicant)
    assert application.enterprise_record.address == "Địa chỉ bổ sung theo yêu cầu"
    assert verify_chains() == []
