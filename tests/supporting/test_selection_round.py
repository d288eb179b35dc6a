"""A supporting-industries round on the same workflow, through HTTP: the round's settings (outcome
selection, a survey report, support areas) decide the differences, and a key-products round is as before."""

import io
import re
from datetime import timedelta

from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import func, select

from recognition.accounts.models import Role, Sector
from recognition.cases.models import Application, Notification, State, VettingReport
from recognition.cli import PROGRAMMES
from recognition.clock import local_today
from recognition.extensions import db
from recognition.honours.models import Certificate
from recognition.notifications.texts import subject_of
from recognition.reports.support_models import SupportKind
from recognition.rounds.models import Programme, RoundOutcome, VettingReportKind
from recognition.supporting.models import Selection
from tests.conftest import client_for
from tests.nomination.test_nomination_flow import PRODUCT, figures_data, upload_all

SITE_VISIT = local_today() - timedelta(days=1)
SURVEY = {
    "site_visit_date": SITE_VISIT.isoformat(),
    "eligibility_confirmed": "y",
    "business_registration_valid": "yes",
    "no_tax_arrears": "yes",
    "social_insurance_paid": "yes",
    "environmental_compliance": "yes",
    "no_violations": "yes",
    "recommendation": "Đề nghị Hội đồng lựa chọn doanh nghiệp tham gia chương trình",
    "capacity_assessment": "Hai dây chuyền dập 400 tấn, 120 công nhân, công suất 2 triệu chi tiết/năm",
    "certifications_seen": ["iso_9001", "iatf_16949"],
    "supply_chain_note": "Nhà cung cấp cấp 2 cho Honda Việt Nam",
}
ENTERPRISE = "Công ty TNHH Linh kiện Cơ khí Sóc Sơn"


def cnht_round(make):
    """A round of the supporting-industries programme (its row as the CLI seeds it)."""
    if db.session.scalar(select(Programme.id).where(Programme.code == "CNHT")) is None:
        db.session.add(Programme(**next(p for p in PROGRAMMES if p["code"] == "CNHT")))
        db.session.commit()
    return make.round(
        programme=make.programme("CNHT"),
        title="Lựa chọn doanh nghiệp tham gia chương trình phát triển công nghiệp hỗ trợ",
        reviewers_per_dossier=1,
        outcome=RoundOutcome.selection,
        vetting_report=VettingReportKind.survey,
        support_areas=[
            SupportKind.standards.value,
            SupportKind.supply_chain.value,
            SupportKind.training.value,
        ],
    )


def nominate(client, round_) -> tuple[int, str]:
    """The applicant's draft, every section but the support sought filled, every document uploaded."""
    response = client.post(
        "/applicant/applications/new",
        data={"round_id": round_.id, "product_id": 0, "product_name": "Giá đỡ động cơ xe máy"},
    )
    assert response.status_code == 302, response.text
    application_id = int(re.search(r"/applications/(\d+)/product", response.location).group(1))
    base = f"/applicant/applications/{application_id}"
    sector_id = db.session.scalar(select(Sector.id).where(Sector.code == "CK"))
    assert client.post(f"{base}/product", data={**PRODUCT, "sector_id": sector_id}).status_code == 302
    assert client.post(f"{base}/figures", data=figures_data()).status_code == 302
    quality = {
        "technology_level": "modern",
        "rnd_spending_vnd": "1.000.000.000",
        "environmental_compliance": "Giấy phép môi trường số 15/GPMT-UBND",
    }
    response = client.post(f"{base}/quality", data=quality)
    assert response.status_code == 302, re.findall(r'invalid-feedback">([^<]+)', response.text)
    return application_id, response.location


def test_a_supporting_industries_round_from_application_to_selected_for_support(app, make, reference):
    round_ = cnht_round(make)
    enterprise = make.enterprise(name=ENTERPRISE)
    applicant = client_for(app, make.user(Role.applicant, enterprise=enterprise), lang="en")
    application_id, after_quality = nominate(applicant, round_)
    base = f"/applicant/applications/{application_id}"
    assert after_quality.endswith(f"{base}/support")  # the round offers support: its section follows
    commitment = {"commit_environment": "y", "commit_quality": "y", "commit_ip": "y"}
    assert applicant.post(f"{base}/commitment", data=commitment).status_code == 302
    upload_all(applicant, application_id)

    # Without the support sought, the dossier is not submitted, and the section is named.
    refused = applicant.post(f"{base}/submit", data={"declaration": "y"})
    assert "Choose the support the enterprise seeks from this round." in refused.text
    assert f"{base}/support" in refused.text
    assert db.session.get(Application, application_id).state == State.draft
    page = applicant.get(f"{base}/support").text
    for offered in ("standards", "supply_chain", "training"):
        assert f'value="{offered}"' in page
    assert 'value="finance"' not in page  # not offered by the round
    none_chosen = applicant.post(f"{base}/support", data={"areas": []})
    assert none_chosen.status_code == 200
    assert "Choose the support the enterprise seeks from this round." in none_chosen.text
    chosen = {"areas": ["standards", "supply_chain"]}
    assert applicant.post(f"{base}/support", data=chosen).status_code == 302
    response = applicant.post(f"{base}/submit", data={"declaration": "y"})
    assert response.status_code == 200 and 'id="receipt-code"' in response.text
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    assert application.state == State.submitted
    assert application.support_sought == ["standards", "supply_chain"]
    assert application.snapshot["support_sought"] == ["standards", "supply_chain"]

    # A unit officer surveys: the endorse form is the survey, refused without the capacity seen.
    officer = client_for(app, make.user(Role.unit_officer, unit=enterprise.unit), lang="en")
    assert officer.post(f"/unit/dossiers/{application_id}/start").status_code == 302
    form = officer.get(f"/unit/dossiers/{application_id}/endorse").text
    assert 'name="capacity_assessment"' in form and 'value="iatf_16949"' in form
    refused = officer.post(
        f"/unit/dossiers/{application_id}/endorse", data={**SURVEY, "capacity_assessment": " "}
    )
    assert refused.status_code == 200 and "This field is required." in refused.text
    assert "Hai dây chuyền" not in refused.text and "Honda" in refused.text  # the rest kept as typed
    db.session.expire_all()
    assert db.session.get(Application, application_id).state == State.vetting
    assert officer.post(f"/unit/dossiers/{application_id}/endorse", data=SURVEY).status_code == 302
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    assert application.state == State.endorsed
    report = db.session.scalars(
        select(VettingReport).where(VettingReport.application_id == application_id)
    ).one()
    assert report.capacity_assessment == SURVEY["capacity_assessment"]
    assert report.certifications_seen == ["iso_9001", "iatf_16949"]
    assert report.supply_chain_note == "Nhà cung cấp cấp 2 cho Honda Việt Nam"

    # The secretariat sees the survey and the support sought in the dossier.
    secretariat = client_for(app, make.user(Role.secretariat), lang="en")
    dossier = secretariat.get(f"/secretariat/dossiers/{application_id}").text
    assert 'id="survey-report"' in dossier and "IATF 16949" in dossier
    assert 'id="section-support"' in dossier and "Reaching international standards" in dossier

    # The council reviews (its members and their sheets from the factory), the steps through HTTP.
    make.assign_reviewers(application, scores=[85], count=1)
    opened = secretariat.post(f"/secretariat/review/applications/{application_id}/open-review")
    assert opened.status_code == 302
    concluded = secretariat.post(f"/secretariat/review/applications/{application_id}/conclude")
    assert concluded.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application_id).state == State.recommended

    # Results published for comment; the comment period over; the Department's decision recorded.
    deadline = local_today() + timedelta(days=10)
    published = secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/publish",
        data={"publish-comment_deadline": deadline.isoformat()},
    )
    assert published.status_code == 302
    db.session.expire_all()
    round_.comment_deadline = local_today() - timedelta(days=1)
    db.session.commit()
    honours = secretariat.get(f"/secretariat/honours/rounds/{round_.id}").text
    assert 'id="selections"' in honours and "Dossiers to select for support" in honours
    decided = secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/recognise",
        data={
            "decision-application_ids": [str(application_id)],
            "decision-decision_number": "456/QĐ-SCT",
            "decision-decision_date": local_today().isoformat(),
            "decision-decision_signer": "Nguyễn Văn An",
        },
    )
    assert decided.status_code == 302
    told_secretariat = secretariat.get(decided.headers["Location"]).text
    assert "1 of 1 dossiers selected for support." in told_secretariat
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    assert application.state == State.recognised
    selection = db.session.scalars(select(Selection).where(Selection.application_id == application_id)).one()
    assert selection.serial == f"CNHT-{round_.year}-0001"
    assert selection.enterprise_name == ENTERPRISE and selection.tax_code == enterprise.tax_code
    assert selection.support_areas == ["standards", "supply_chain"]
    assert selection.decision_number == "456/QĐ-SCT"
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    told = db.session.scalars(
        select(Notification).where(
            Notification.application_id == application_id, Notification.event == "recognise"
        )
    ).one()
    with app.test_request_context(), force_locale("en"):
        assert subject_of(told, application).endswith("the enterprise has been selected for support")

    # The letter: from the enterprise's dossier page, and the secretariat's; nobody else.
    overview = applicant.get(base).text
    assert 'id="selection-letter"' in overview
    assert 'id="state">Selected for the supporting-industries programme<' in overview
    assert "Selected for support by the Department" in overview and "Recognised by the city" not in overview
    assert "Selected for support: download your confirmation letter" in applicant.get("/applicant/").text
    letter = applicant.get(f"{base}/selection-letter.pdf")
    assert letter.status_code == 200 and letter.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(letter.data)).pages)
    assert "GIẤY XÁC NHẬN" in text and "Sở Công Thương" in text
    assert ENTERPRISE in text and selection.serial in text and "456/QĐ-SCT" in text
    assert secretariat.get(f"/secretariat/dossiers/{application_id}/selection-letter.pdf").status_code == 200
    outsider = client_for(app, make.user(Role.applicant, enterprise=make.enterprise()))
    assert outsider.get(f"{base}/selection-letter.pdf").status_code == 404
    assert outsider.get(f"{base}").status_code == 404

    # The key-products registry, its verification and its API know nothing of it.
    assert ENTERPRISE not in client_for(app, None).get("/registry").text
    assert client_for(app, None).get(f"/api/v1/verify/{selection.serial}").status_code == 404
    assert selection.serial not in client_for(app, None).get("/api/v1/registry").text


def test_a_key_products_round_still_issues_its_certificate_and_no_selection(app, make):
    secretariat = client_for(app, make.user(Role.secretariat), lang="en")
    round_ = make.round(reviewers_per_dossier=1)
    application = make.recommended(round_)
    make.publish_results(round_)
    no_support = client_for(app, make.applicant_of(application), lang="en").get(
        f"/applicant/applications/{application.id}/support", follow_redirects=True
    )
    assert "This round offers no support to choose from." in no_support.text  # no such section
    assert "Support sought" not in no_support.text
    decided = secretariat.post(
        f"/secretariat/honours/rounds/{round_.id}/recognise",
        data={
            "decision-application_ids": [str(application.id)],
            "decision-decision_number": "1234/QĐ-UBND",
            "decision-decision_date": local_today().isoformat(),
        },
    )
    assert decided.status_code == 302
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    assert application.state == State.recognised
    told = db.session.scalars(
        select(Notification).where(
            Notification.application_id == application.id, Notification.event == "recognise"
        )
    ).one()
    with app.test_request_context(), force_locale("en"):
        assert subject_of(told, application).endswith("the product has been recognised by the City")
    certificate = db.session.scalars(
        select(Certificate).where(Certificate.application_id == application.id)
    ).one()
    assert certificate.serial == f"CNCL-{round_.year}-0001"
    assert db.session.scalar(select(func.count()).select_from(Selection)) == 0
    assert 'id="selections"' not in secretariat.get(f"/secretariat/honours/rounds/{round_.id}").text
    assert client_for(app, None).get(f"/api/v1/verify/{certificate.serial}").status_code == 200
