"""Plain inserts raced by several requests at once (register, assign a reviewer, start a nomination):
one wins, every loser gets the app's clear answer, never a 500; on SQLite and PostgreSQL alike."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from recognition.accounts.models import AdministrativeUnit, Enterprise, Role, Sector, User
from recognition.cases.models import Application
from recognition.extensions import db
from recognition.review import services as review_services
from recognition.review.models import ReviewAssignment
from tests.cases.test_concurrency import THREADS, run_at_once
from tests.conftest import fire
from tests.security import client_for

CLEAR_409 = "Someone else changed this record first. Reload the page and try again."
# Tax codes with valid check digits, one per thread.
CODES = ("0101234565", "0101234572", "0101234597", "0101234607", "0101234614", "0101234621",
         "0101234639", "0101234646")  # fmt: skip


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def english_clients(app, user: User | None = None) -> list:
    clients = [client_for(app, user) for _ in range(THREADS)]
    for client in clients:
        client.get("/lang/en")
    return clients


def post_at_once(app, clients, url: str, data_for) -> list:
    def work(i, barrier):
        barrier.wait()
        response = clients[i].post(url, data=data_for(i))
        return response.status_code, response.text

    return run_at_once(app, work)


def registration(reference_codes, email_for) -> callable:
    unit_id = db.session.scalar(select(AdministrativeUnit.id).where(AdministrativeUnit.code == "P-CAUGIAY"))
    sector_id = db.session.scalar(select(Sector.id).where(Sector.code == "DMDG"))
    return lambda i: {
        "enterprise_name": "Công ty TNHH Đua nhau", "tax_code": reference_codes(i),
        "address": "1 Cầu Giấy", "unit_id": str(unit_id), "sector_id": str(sector_id),
        "full_name": "Người Đua", "email": email_for(i), "password": "a long password",
        "confirm": "a long password",
    }  # fmt: skip


def test_the_same_registration_at_once(app, reference):
    results = post_at_once(
        app, english_clients(app), "/register", registration(lambda i: CODES[0], lambda i: "dua@example.vn")
    )
    assert all(isinstance(r, tuple) and r[0] == 200 for r in results), results
    sent = [text for _status, text in results if "We have sent a link to dua@example.vn" in text]
    refused = [t for _s, t in results if "An enterprise with this tax code is already registered." in t]
    assert len(sent) + len(refused) == THREADS and sent
    assert count(Enterprise) == 1 and count(User) == 1


def test_one_email_with_different_tax_codes_at_once_gets_the_same_answer_everywhere(app, reference):
    results = post_at_once(
        app, english_clients(app), "/register", registration(lambda i: CODES[i], lambda i: "dua@example.vn")
    )
    assert all(isinstance(r, tuple) and r[0] == 200 for r in results), results
    odd = [re.findall(r"<h1[^>]*>([^<]*)|invalid-feedback[^>]*>([^<]*)", t) for _s, t in results]
    assert all("We have sent a link to dua@example.vn" in text for _status, text in results), odd
    assert count(User) == 1 and count(Enterprise) == 1


def test_the_same_reviewer_assigned_at_once(app, make):
    round_ = make.round()
    application = make.application(round=round_)
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    fire(application, "endorse", officer)
    member = make.user(Role.council_member)
    review_services.add_council_member(round_, member)
    db.session.commit()
    clients = english_clients(app, make.user(Role.secretariat))
    url = f"/secretariat/review/applications/{application.id}/reviewers"
    results = post_at_once(app, clients, url, lambda i: {"user_id": str(member.id)})
    assert all(isinstance(r, tuple) and r[0] in (302, 409) for r in results), results
    assert all(CLEAR_409 in text for status, text in results if status == 409)
    assert count(ReviewAssignment, ReviewAssignment.application_id == application.id) == 1


def test_the_same_product_nominated_at_once(app, make):
    enterprise = make.enterprise()
    product_id = make.application(round=make.round(), enterprise=enterprise).product_id
    round_ = make.round()
    clients = english_clients(app, make.user(Role.applicant, enterprise=enterprise))
    data = {"round_id": str(round_.id), "product_id": str(product_id), "product_name": ""}
    results = post_at_once(app, clients, "/applicant/applications/new", lambda i: data)
    assert all(isinstance(r, tuple) and r[0] in (200, 302) for r in results), results
    refused = [text for status, text in results if status == 200]
    assert all("This product is already nominated in this round." in text for text in refused)
    assert len(refused) == THREADS - 1
    assert count(Application, Application.round_id == round_.id) == 1
