"""Honouring and the public face: results for comment, the city's decision, certificates, registry,
verification and tracking."""

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from recognition import clock
from recognition.accounts.models import Role
from recognition.cases.audit import verify_chains
from recognition.cases.models import Application, State
from recognition.clock import local_today
from recognition.extensions import db
from recognition.honours.certificates import add_months, revoke
from recognition.honours.models import Certificate, CertificateStatus, Objection, ObjectionStatus
from recognition.honours.pdf import qr_png
from recognition.honours.services import recognise_many
from tests.conftest import client_for, fire


@pytest.fixture
def round_(make):
    return make.round(reviewers_per_dossier=1, certificate_validity_months=36)


def publish_and_close_comments(secretariat, round_):
    deadline = local_today() + timedelta(days=10)
    response = secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/publish",
        data={"publish-comment_deadline": deadline.isoformat()},
    )
    assert response.status_code == 302
    db.session.expire_all()
    round_.comment_deadline = local_today() - timedelta(days=1)  # the comment period is over
    db.session.commit()


def decide(secretariat, round_, ids, number="1234/QĐ-UBND"):
    return secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/recognise",
        data={
            "decision-application_ids": [str(i) for i in ids],
            "decision-decision_number": number,
            "decision-decision_date": local_today().isoformat(),
            "decision-decision_signer": "Phó Chủ tịch UBND TP",
        },
        follow_redirects=True,
    )


def test_round_from_submission_to_certificate_pdf(app, make, round_, secretariat):
    enterprise = make.enterprise(name="Công ty Cổ phần Dệt may Thăng Long")
    application = make.recommended(round_, enterprise=enterprise)
    publish_and_close_comments(secretariat, round_)
    page = decide(secretariat, round_, [application.id]).text
    assert "Đã công nhận 1 trên 1 hồ sơ." in page
    certificate = db.session.scalar(select(Certificate))
    assert certificate.serial == f"CNCL-{round_.year}-0001"
    assert certificate.valid_until == add_months(local_today(), 36)
    assert certificate.decision_number == "1234/QĐ-UBND"
    pdf = secretariat.get(f"/secretariat/honours/certificates/{certificate.id}.pdf")
    assert pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Công ty Cổ phần Dệt may Thăng Long" in text
    assert "Sản phẩm công nghiệp chủ lực" in text
    assert certificate.serial in text
    # Outside production the QR code names the address the request came to (the test client's).
    url = f"http://localhost/verify/{certificate.serial}"
    assert url in text
    # The embedded QR image is exactly the QR code of the verify URL.
    from PIL import Image, ImageChops

    embedded = reader.pages[0].images[0].image.convert("1")
    expected = Image.open(io.BytesIO(qr_png(url))).convert("1")
    assert embedded.size == expected.size
    assert ImageChops.difference(embedded, expected).getbbox() is None
    assert verify_chains() == []


def test_verify_page_says_valid_then_revoked_with_its_date(app, make, round_, secretariat, client):
    application = make.recommended(round_)
    publish_and_close_comments(secretariat, round_)
    decide(secretariat, round_, [application.id])
    certificate = db.session.scalar(select(Certificate))
    page = client.get(f"/verify/{certificate.serial}")
    assert page.status_code == 200
    assert "Còn hiệu lực" in page.text
    response = secretariat.post(
        f"/secretariat/honours/certificates/{certificate.id}/revoke",
        data={"revoke-reason": "Vi phạm quy định môi trường", "revoke-decision_number": "99/QĐ-UBND"},
    )
    assert response.status_code == 302
    page = client.get(f"/verify/{certificate.serial}").text
    assert "Đã thu hồi" in page
    assert f"thu hồi ngày {local_today():%d/%m/%Y} theo quyết định 99/QĐ-UBND" in page
    assert "Vi phạm quy định môi trường" not in page  # the reason is not published
    assert verify_chains() == []  # the revocation joined the application's hash chain


def test_unknown_serial_is_not_found(client):
    response = client.get("/verify/CNCL-2099-9999")
    assert response.status_code == 404
    assert "Không có giấy chứng nhận số CNCL-2099-9999" in response.text


def test_bulk_recognition_of_50_where_one_fails(app, make, round_, secretariat):
    applications = [make.recommended(round_) for _ in range(50)]
    publish_and_close_comments(secretariat, round_)
    blocked = applications[17]
    db.session.add(Objection(application_id=blocked.id, name="Lê Văn Cường", contact="cuong@example.vn",
                             text="Số liệu doanh thu chưa chính xác"))  # fmt: skip
    db.session.commit()
    outcomes = recognise_many(
        [a.id for a in applications], "2500/QĐ-UBND", local_today(), "", secretariat.user
    )
    assert sum(o.ok for o in outcomes) == 49
    failed = [o for o in outcomes if not o.ok]
    assert [o.application.id for o in failed] == [blocked.id]
    assert "Lê Văn Cường" in str(failed[0].refusals[0].message)
    db.session.expire_all()
    states = dict(db.session.execute(select(Application.id, Application.state)).all())
    assert states[blocked.id] == State.recommended
    assert sum(1 for s in states.values() if s == State.recognised) == 49
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 49
    serials = db.session.scalars(select(Certificate.serial).order_by(Certificate.sequence)).all()
    assert serials[0].endswith("-0001") and serials[-1].endswith("-0049")


def test_unresolved_objection_blocks_that_dossier_alone_through_http(app, make, round_, secretariat, client):
    first, second = make.recommended(round_), make.recommended(round_)
    deadline = local_today() + timedelta(days=10)
    secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/publish",
        data={"publish-comment_deadline": deadline.isoformat()},
    )
    results_page = client.get(f"/results/{round_.id}").text
    assert first.enterprise.name in results_page
    response = client.post(
        f"/results/{round_.id}",
        data={"application_id": first.id, "name": "Phạm Thị Dung", "contact": "dung@example.vn",
              "is_objection": "y", "text": "Sản phẩm chưa đạt tiêu chuẩn"},
    )  # fmt: skip
    assert response.status_code == 200  # the page that gives the sender its reference and secret
    assert 'id="comment-reference"' in response.text
    db.session.expire_all()
    round_.comment_deadline = local_today() - timedelta(days=1)
    db.session.commit()
    page = decide(secretariat, round_, [first.id, second.id]).text
    assert "Ý kiến phản đối của Phạm Thị Dung" in page
    assert "Đã công nhận 1 trên 2 hồ sơ." in page
    objection = db.session.scalar(select(Objection))
    secretariat.post(
        f"/secretariat/honours/objections/{objection.id}",
        data={"answer-answer": "Đã kiểm tra, số liệu đúng", "answer-resolve": "y"},
    )
    db.session.expire_all()
    assert db.session.get(Objection, objection.id).status == ObjectionStatus.resolved
    decide(secretariat, round_, [first.id])
    db.session.expire_all()
    assert db.session.get(Application, first.id).state == State.recognised


def test_recognition_before_the_comment_deadline_is_refused(make, round_, secretariat):
    application = make.recommended(round_)
    deadline = local_today() + timedelta(days=10)
    secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/publish",
        data={"publish-comment_deadline": deadline.isoformat()},
    )
    page = decide(secretariat, round_, [application.id]).text
    assert f"Thời gian lấy ý kiến kéo dài đến hết ngày {deadline:%d/%m/%Y}." in page


@pytest.mark.usefixtures("frozen_clock")
def test_comments_close_after_the_deadline_and_are_rate_limited(make, round_, secretariat, client):
    application = make.recommended(round_)
    secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/publish",
        data={"publish-comment_deadline": (local_today() + timedelta(days=3)).isoformat()},
    )
    data = {"application_id": application.id, "name": "A", "contact": "a@example.vn", "text": "Góp ý"}
    statuses = [client.post(f"/results/{round_.id}", data=data).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]  # each received, with its reference and secret
    round_.comment_deadline = local_today() - timedelta(days=1)
    db.session.commit()
    assert "Đã hết thời gian lấy ý kiến." in client.get(f"/results/{round_.id}").text


def test_registry_search_ignores_diacritics_and_lists_only_valid(app, make, round_, secretariat, client):
    textile = make.recommended(round_, enterprise=make.enterprise(name="Công ty TNHH Dệt may Hà Nội"))
    mechanics = make.recommended(round_, enterprise=make.enterprise(name="Công ty Cơ khí Đông Anh"))
    publish_and_close_comments(secretariat, round_)
    decide(secretariat, round_, [textile.id, mechanics.id])
    page = client.get("/registry", query_string={"q": "det may"}).text
    assert "Công ty TNHH Dệt may Hà Nội" in page and "Công ty Cơ khí Đông Anh" not in page
    assert "Công ty Cơ khí Đông Anh" in client.get("/registry", query_string={"q": "CO KHI"}).text
    certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == mechanics.id))
    revoke(certificate, "Vi phạm", "1/QĐ-UBND", secretariat.user, local_today())
    db.session.commit()
    page = client.get("/registry").text
    assert "Công ty Cơ khí Đông Anh" not in page
    history = client.get(f"/registry/{certificate.product_id}").text
    assert certificate.serial in history and "Đã thu hồi" in history


def test_product_recognised_again_supersedes_the_older_certificate(app, make, secretariat):
    first_round = make.round(reviewers_per_dossier=1)
    first = make.recommended(first_round)
    publish_and_close_comments(secretariat, first_round)
    decide(secretariat, first_round, [first.id])
    second_round = make.round(reviewers_per_dossier=1)
    application = make.application(round=second_round, enterprise=first.enterprise)
    application.product_id = first.product_id
    db.session.commit()
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    fire(application, "endorse", officer)
    make.assign_reviewers(application, scores=[90], count=1)
    fire(application, "open_review", secretariat.user)
    fire(application, "conclude_review", secretariat.user)
    publish_and_close_comments(secretariat, second_round)
    decide(secretariat, second_round, [application.id])
    statuses = db.session.execute(
        select(Certificate.round_id, Certificate.status).where(Certificate.product_id == first.product_id)
    ).all()
    assert sorted(statuses) == sorted(
        [(first_round.id, CertificateStatus.superseded), (second_round.id, CertificateStatus.valid)]
    )


def test_sweep_expires_certificates_once(app, make, round_, secretariat, monkeypatch):
    application = make.recommended(round_)
    publish_and_close_comments(secretariat, round_)
    decide(secretariat, round_, [application.id])
    certificate = db.session.scalar(select(Certificate))
    later = certificate.valid_until + timedelta(days=1)
    monkeypatch.setattr(clock, "_now", lambda: datetime(later.year, later.month, later.day, 3, tzinfo=UTC))
    first = app.test_cli_runner().invoke(args=["sweep"])
    second = app.test_cli_runner().invoke(args=["sweep"])
    assert "certificates expired: 1" in first.output
    assert "certificates expired: 0" in second.output
    db.session.expire_all()
    assert db.session.get(Certificate, certificate.id).status == CertificateStatus.expired


def test_applicant_downloads_only_its_own_certificate(app, make, round_, secretariat):
    application = make.recommended(round_)
    publish_and_close_comments(secretariat, round_)
    decide(secretariat, round_, [application.id])
    certificate = db.session.scalar(select(Certificate))
    owner = client_for(app, make.applicant_of(application))
    assert certificate.serial in owner.get("/applicant/").text
    assert owner.get(f"/applicant/certificates/{certificate.id}.pdf").mimetype == "application/pdf"
    stranger = client_for(app, make.user(Role.applicant))
    assert stranger.get(f"/applicant/certificates/{certificate.id}.pdf").status_code == 404


def normalised(html: str) -> str:
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)


def test_tracking_wrong_secret_looks_like_a_missing_code(app, make, client):
    application = make.application()
    result = fire(application, "submit", make.applicant_of(application))
    right = client.post(
        "/track", data={"receipt_code": application.receipt_code, "lookup_secret": result.lookup_secret}
    )
    assert "Đã nộp" in right.text and application.receipt_code in right.text
    wrong_secret = client.post(
        "/track", data={"receipt_code": application.receipt_code, "lookup_secret": "ZZZZZZ"}
    )
    missing_code = client.post("/track", data={"receipt_code": "SCT-000101-9999", "lookup_secret": "ZZZZZZ"})
    assert wrong_secret.status_code == missing_code.status_code == 200
    assert normalised(wrong_secret.text).replace(application.receipt_code, "X").replace(
        "SCT-000101-9999", "X"
    ) == (
        normalised(missing_code.text).replace("SCT-000101-9999", "X").replace(application.receipt_code, "X")
    )
    assert "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này." in wrong_secret.text
    for private in ("Máy biến áp", application.enterprise.name):
        assert private not in wrong_secret.text


def test_tracking_shows_the_stage_but_nothing_private(app, make, client):
    application = make.application()
    result = fire(application, "submit", make.applicant_of(application))
    page = client.post(
        "/track",
        data={
            "receipt_code": application.receipt_code.lower(),
            "lookup_secret": result.lookup_secret.lower(),
        },
    ).text
    assert "Bước hiện tại" in page
    for private in (application.enterprise.name, application.product.name, "@example.vn"):
        assert private not in page


def test_the_eleventh_tracking_attempt_in_a_minute_is_refused(client, frozen_clock):
    statuses = [
        client.post(
            "/track", data={"receipt_code": f"SCT-000101-{i:04d}", "lookup_secret": "AAAAAA"}
        ).status_code
        for i in range(11)
    ]
    assert statuses == [200] * 10 + [429]


def test_the_limit_is_per_client(app, client):
    for i in range(10):
        client.post("/track", data={"receipt_code": f"SCT-000101-{i:04d}", "lookup_secret": "AAAAAA"})
    other = app.test_client()
    response = other.post(
        "/track", data={"receipt_code": "SCT-000101-0001", "lookup_secret": "AAAAAA"},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )  # fmt: skip
    assert response.status_code == 200


def test_add_months_keeps_the_day_or_the_month_end():
    assert add_months(date(2026, 11, 25), 36) == date(2029, 11, 25)
    assert add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)


def test_nul_bytes_and_huge_ids_are_refused_not_crashed(client):
    assert client.get("/registry", query_string={"q": "a\x00b"}).status_code == 400
    assert client.get("/verify/AB%00CD").status_code == 400
    assert client.get("/registry/99999999999999999999").status_code == 404
    assert client.post("/track", data={"receipt_code": "x\x00", "lookup_secret": "y"}).status_code == 400


def test_a_certificate_past_its_date_reads_expired_before_the_sweep(app, make, round_, secretariat, client):
    application = make.recommended(round_)
    publish_and_close_comments(secretariat, round_)
    decide(secretariat, round_, [application.id])
    certificate = db.session.scalar(select(Certificate))
    certificate.valid_until = local_today() - timedelta(days=1)
    certificate.issued_on = local_today() - timedelta(days=400)
    db.session.commit()
    assert "Hết hiệu lực" in client.get(f"/verify/{certificate.serial}").text
    assert certificate.serial not in client.get("/registry").text
