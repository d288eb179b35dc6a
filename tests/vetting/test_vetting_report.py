"""The vetting report has a table of its own (issue 17): the endorse and reject steps write it in their
transaction, the audit event keeps its copy, and the dossier pages and the refusal slip read the table."""

from datetime import timedelta

from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.cases.models import VETTING_CHECKS, AuditEvent, VettingOutcome, VettingReport
from recognition.cases.queries import vetting_report_of
from recognition.clock import format_day, local_today
from recognition.extensions import db
from tests.conftest import fire, login
from tests.documents import pdf_text
from tests.queries import counting_queries

SITE_VISIT = local_today() - timedelta(days=2)
REPORT = {
    "site_visit_date": SITE_VISIT.isoformat(),
    "eligibility_confirmed": "y",
    "business_registration_valid": "yes",
    "no_tax_arrears": "yes",
    "social_insurance_paid": "no",
    "social_insurance_paid_note": "Nợ bảo hiểm xã hội quý IV, đã có kế hoạch trả",
    "environmental_compliance": "yes",
    "no_violations": "yes",
    "recommendation": "  Đề nghị Hội đồng xem xét  ",
}
REASON = "Doanh thu năm 2025 chưa đạt 100 tỷ đồng"


def english(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    client.get("/lang/en")
    return client


def in_vetting(make):
    application = make.application()
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    return application, officer


def report_row(application) -> VettingReport:
    db.session.expire_all()
    return db.session.scalars(
        select(VettingReport).where(VettingReport.application_id == application.id)
    ).one()


def test_endorsing_through_the_form_writes_the_report_and_the_audit_keeps_its_copy(app, make):
    application, officer = in_vetting(make)
    response = english(app, officer).post(f"/unit/dossiers/{application.id}/endorse", data=REPORT)
    assert response.status_code == 302
    report = report_row(application)
    assert report.outcome == VettingOutcome.endorsed
    assert report.site_visit_date == SITE_VISIT
    assert report.eligibility_confirmed is True
    assert {check: getattr(report, check) for check in VETTING_CHECKS} == {
        "business_registration_valid": True,
        "no_tax_arrears": True,
        "social_insurance_paid": False,
        "environmental_compliance": True,
        "no_violations": True,
    }
    assert report.social_insurance_paid_note == "Nợ bảo hiểm xã hội quý IV, đã có kế hoạch trả"
    assert report.no_violations_note == ""
    assert report.recommendation == "Đề nghị Hội đồng xem xét"
    assert report.reason is None
    assert report.officer_id == officer.id
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.application_id == application.id, AuditEvent.trigger == "endorse")
    )
    assert report.recorded_at == event.at
    assert event.payload["social_insurance_paid"] is False
    assert event.payload["site_visit_date"] == SITE_VISIT.isoformat()


def test_rejecting_writes_the_report_with_its_reasons(app, make):
    application, officer = in_vetting(make)
    response = english(app, officer).post(f"/unit/dossiers/{application.id}/reject", data={"reason": REASON})
    assert response.status_code == 302
    report = report_row(application)
    assert report.outcome == VettingOutcome.rejected
    assert report.reason == REASON
    assert report.officer_id == officer.id
    assert report.recommendation is None and report.site_visit_date is None
    assert all(getattr(report, check) is None for check in VETTING_CHECKS)


def test_a_refused_step_leaves_no_report(app, make):
    application, officer = in_vetting(make)
    english(app, officer).post(
        f"/unit/dossiers/{application.id}/endorse", data={**REPORT, "recommendation": ""}
    )
    english(app, officer).post(f"/unit/dossiers/{application.id}/reject", data={"reason": " "})
    assert vetting_report_of(application) is None


def test_the_pages_and_the_refusal_slip_read_the_table(app, make):
    """Edited in the table (never in the sealed audit event), the report reads back as edited."""
    endorsed, officer = in_vetting(make)
    fire(endorsed, "endorse", officer, site_visit_date=SITE_VISIT)
    rejected, other_officer = in_vetting(make)
    fire(rejected, "reject_in_unit", other_officer, reason="Lý do trong sự kiện")
    report_row(endorsed).recommendation = "Khuyến nghị ghi trong bảng"
    db.session.commit()
    report_row(rejected).reason = "Lý do ghi trong bảng"
    db.session.commit()
    secretariat = english(app, make.user(Role.secretariat))
    for client, url in (
        (english(app, officer), f"/unit/dossiers/{endorsed.id}"),
        (secretariat, f"/secretariat/dossiers/{endorsed.id}"),
    ):
        page = client.get(url).text
        assert 'id="section-vetting-report"' in page
        assert "Recommendation: Khuyến nghị ghi trong bảng" in page
        assert f"Date of the site visit: {format_day(SITE_VISIT, 'en')}" in page
    page = secretariat.get(f"/secretariat/dossiers/{rejected.id}").text
    assert "Reasons for rejection: Lý do ghi trong bảng" in page
    slip = english(app, make.applicant_of(rejected)).get(f"/applicant/applications/{rejected.id}/refusal.pdf")
    assert slip.status_code == 200
    text = pdf_text(slip.data)
    assert "Lý do ghi trong bảng" in text and "Lý do trong sự kiện" not in text
    assert other_officer.full_name in text


def test_the_report_costs_one_query_whatever_it_holds(app, make):
    application, officer = in_vetting(make)
    fire(application, "endorse", officer, site_visit_date=SITE_VISIT)
    db.session.expire_all()
    assert application.id  # loaded again before counting
    with counting_queries() as statements:
        report = vetting_report_of(application)
        assert report.recommendation and report.site_visit_date and report.no_tax_arrears is True
    assert len(statements) == 1
    client = english(app, officer)
    with counting_queries() as statements:
        assert client.get(f"/unit/dossiers/{application.id}").status_code == 200
    assert len([s for s in statements if "vetting_reports" in s]) == 1
    assert not [s for s in statements if "audit_events.payload" in s and "endorse" in s]
