"""H22: markup typed as an enterprise or product name is shown escaped on every page, and literally in
the certificate PDF; the CSP forbids inline script anyway."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.extensions import db
from recognition.honours.models import Certificate
from recognition.review import services as review_services
from tests.conftest import fire
from tests.security import client_for, write_evidence

ENTERPRISE = '"><svg onload=alert(1)>'
PRODUCT = "<script>alert(1)</script>"
ENTERPRISE_ESCAPED = "&#34;&gt;&lt;svg onload=alert(1)&gt;"
PRODUCT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@dataclass
class Stage:
    round_id: int
    vetting_id: int
    assignment_id: int
    certificate_id: int
    serial: str
    product_id: int
    receipt_code: str
    lookup_secret: str
    clients: dict


@pytest.fixture
def stage(app, make) -> Stage:
    round_ = make.round(reviewers_per_dossier=1)
    enterprise = make.enterprise(name=ENTERPRISE)
    applicant, officer = make.user(Role.applicant, enterprise=enterprise), None
    secretariat = make.user(Role.secretariat)
    council = make.user(Role.council_member)
    applications = []
    for _ in range(3):
        application = make.application(round=round_, enterprise=enterprise)
        application.product.name = PRODUCT
        db.session.commit()
        for document in application.documents:
            write_evidence(app, document)
        officer = officer or make.officer_of(application)
        applications.append(application)
    vetting, review, recognised = applications
    fire(vetting, "submit", applicant)
    fire(vetting, "start_vetting", officer)

    fire(review, "submit", applicant)
    fire(review, "start_vetting", officer)
    fire(review, "endorse", officer)
    review_services.add_council_member(round_, council)
    assignment = review_services.assign_reviewer(review, council)
    assignment.has_conflict = False
    db.session.commit()
    fire(review, "open_review", secretariat)

    submitted = fire(recognised, "submit", applicant)
    fire(recognised, "start_vetting", officer)
    fire(recognised, "endorse", officer)
    make.assign_reviewers(recognised, scores=[90], count=1)
    fire(recognised, "open_review", secretariat)
    fire(recognised, "conclude_review", secretariat)
    make.publish_results(round_)
    fire(recognised, "recognise", secretariat)
    certificate = db.session.scalar(select(Certificate).where(Certificate.application_id == recognised.id))
    clients = {
        "anonymous": client_for(app, None),
        "applicant": client_for(app, applicant),
        "officer": client_for(app, officer),
        "council": client_for(app, council),
        "secretariat": client_for(app, secretariat),
    }
    return Stage(
        round_.id, vetting.id, assignment.id, certificate.id, certificate.serial, recognised.product_id,
        recognised.receipt_code, submitted.lookup_secret, clients,
    )  # fmt: skip


BOTH = (ENTERPRISE_ESCAPED, PRODUCT_ESCAPED)


def pages(stage: Stage) -> list[tuple[str, str, str, dict | None, tuple[str, ...]]]:
    """(who, method, url, form, the escaped names the page must show)."""
    return [
        ("applicant", "GET", "/applicant/", None, BOTH),
        ("applicant", "GET", f"/applicant/applications/{stage.vetting_id}", None, (PRODUCT_ESCAPED,)),
        ("applicant", "GET", "/applicant/profile", None, (ENTERPRISE_ESCAPED,)),
        ("officer", "GET", "/unit/", None, BOTH),
        ("officer", "GET", f"/unit/dossiers/{stage.vetting_id}", None, BOTH),
        ("council", "GET", "/council/", None, BOTH),
        ("council", "GET", f"/council/assignments/{stage.assignment_id}", None, BOTH),
        ("council", "GET", f"/council/assignments/{stage.assignment_id}/score", None, BOTH),
        ("secretariat", "GET", f"/secretariat/review/rounds/{stage.round_id}/board", None, BOTH),
        ("secretariat", "GET", f"/secretariat/review/rounds/{stage.round_id}/assignments", None, BOTH),
        ("secretariat", "GET", f"/secretariat/honours/rounds/{stage.round_id}", None, BOTH),
        ("anonymous", "GET", "/registry", None, BOTH),
        ("anonymous", "GET", "/registry?q=alert", None, BOTH),
        ("anonymous", "GET", f"/registry/{stage.product_id}", None, BOTH),
        ("anonymous", "GET", f"/verify/{stage.serial}", None, BOTH),
        ("anonymous", "GET", f"/results/{stage.round_id}", None, BOTH),
        # Tracking shows the stage only, no names: it must not echo markup either.
        (
            "anonymous",
            "POST",
            "/track",
            {"receipt_code": stage.receipt_code, "lookup_secret": stage.lookup_secret},
            (),
        ),
    ]


def test_every_page_shows_the_names_escaped(stage):
    problems = []
    for who, method, url, form, shown in pages(stage):
        response = stage.clients[who].open(url, method=method, data=form)
        html = response.text
        if response.status_code != 200:
            problems.append(f"{url}: {response.status_code}")
            continue
        if "<svg onload" in html or "<script>alert(1)" in html:
            problems.append(f"{url} as {who}: raw markup in the page")
        problems.extend(f"{url} as {who}: {name} not shown" for name in shown if name not in html)
        csp = response.headers.get("Content-Security-Policy", "")
        if "unsafe-inline" in csp or "default-src 'self'" not in csp:
            problems.append(f"{url}: CSP would allow inline script: {csp}")
    assert problems == [], "\n".join(problems)


def test_the_names_are_escaped_inside_attributes_and_options(stage):
    """The honours page lists dossiers in checkbox labels, the comment form in <option>s."""
    html = stage.clients["anonymous"].get(f"/results/{stage.round_id}").text
    assert "onload=alert(1)>" not in html.replace("&gt;", "")
    html = stage.clients["secretariat"].get(f"/secretariat/honours/rounds/{stage.round_id}").text
    assert '"><svg' not in html


@pytest.mark.parametrize("who", ["applicant", "secretariat"])
def test_certificate_pdf_holds_the_names_literally(stage, who):
    url = {
        "applicant": f"/applicant/certificates/{stage.certificate_id}.pdf",
        "secretariat": f"/secretariat/honours/certificates/{stage.certificate_id}.pdf",
    }[who]
    response = stage.clients[who].get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert ENTERPRISE in text
    assert PRODUCT in text
    assert "&lt;" not in text and "&#34;" not in text


def test_api_returns_the_names_as_json_data(stage):
    response = stage.clients["anonymous"].get(f"/api/v1/products/{stage.product_id}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        PRODUCT in response.text or PRODUCT.replace("<", "\\u003c").replace(">", "\\u003e") in response.text
    )
