"""H06 (ASVS 15.3.3): fields a form does not offer are never bound, whatever the POST adds."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from recognition.accounts.models import AdministrativeUnit, Enterprise, Role, RoleMembership, Sector, User
from recognition.cases.models import Application, ApplicationFigures, Certification, Product
from recognition.extensions import db
from recognition.nomination.services import figure_years
from tests.conftest import confirm_and_log_in, fire
from tests.security import client_for

PROTECTED = (
    "state", "enterprise_id", "round_id", "product_id", "vetting_unit_id", "vetting_body", "receipt_code",
    "lookup_secret_hash", "submitted_at", "decision_number", "declaration_accepted", "due_on",
)  # fmt: skip


@pytest.fixture
def setting(app, make):
    """A draft of enterprise A, and B's submitted dossier whose ids the attacker copies."""
    draft = make.application()
    other_round = make.round()
    foreign = make.application(enterprise=make.enterprise("P-HADONG"))
    fire(foreign, "submit", make.applicant_of(foreign))
    client = client_for(app, make.applicant_of(draft))
    return draft, foreign, other_round, client


def hostile_fields(foreign: Application, other_round) -> dict:
    return {
        "state": "recognised",
        "enterprise_id": str(foreign.enterprise_id),
        "vetting_unit_id": str(foreign.vetting_unit_id),
        "vetting_body": "secretariat",
        "receipt_code": "HS-HACKED-0001",
        "version": "999",
        "round_id": str(other_round.id),
        "product_id": str(foreign.product_id),
        "lookup_secret_hash": "x",
        "submitted_at": "2020-01-01T00:00:00",
        "decision_number": "1/QĐ-UBND",
        "declaration_accepted": "y",
        "due_on": "2020-01-01",
        "id": str(foreign.id),
        "application_id": str(foreign.id),
        "name_folded": "hacked",
        "created_at": "2020-01-01",
    }


def snapshot(application_id: int) -> dict:
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    product = application.product
    return {
        **{name: getattr(application, name) for name in PROTECTED},
        "version": application.version,
        "product.enterprise_id": product.enterprise_id,
        "product.id": product.id,
        "figures.application_ids": {f.application_id for f in application.figures},
    }


def figures_data() -> dict:
    data = {}
    for i, year in enumerate(figure_years()):
        data.update({
            f"years-{i}-year": str(year),
            f"years-{i}-production_value_vnd": "180.000.000.000",
            f"years-{i}-revenue_vnd": "160.000.000.000",
            f"years-{i}-export_value_usd": "2.500.000",
            f"years-{i}-budget_contribution_vnd": "12.000.000.000",
            f"years-{i}-employees": "450",
            f"years-{i}-average_wage_vnd": "11.500.000",
            f"years-{i}-application_id": "999999",
            f"years-{i}-id": "1",
        })  # fmt: skip
    return data


def section_posts(sector_id: int) -> dict[str, dict]:
    return {
        "product": {
            "name": "Máy biến áp khô 35 kV",
            "sector_id": str(sector_id),
            "category": "other",
            "description": "Máy biến áp khô",
            "year_started": "2012",
            "capacity": "500 máy/năm",
            "main_markets": "Việt Nam",
            "hs_code": "850423",
            "enterprise_id": "999999",
        },
        "figures": figures_data(),
        "quality": {
            "certifications-0-standard": "ISO 9001:2015",
            "certifications-0-number": "VN-QMS-1",
            "certifications-0-application_id": "999999",
            "technology_level": "modern",
            "rnd_spending_vnd": "3.200.000.000",
            "environmental_compliance": "Giấy phép môi trường số 12",
        },
        "commitment": {"commit_environment": "y", "commit_quality": "y", "commit_ip": "y"},
    }


@pytest.mark.parametrize("section", ["product", "figures", "quality", "commitment"])
def test_section_posts_bind_only_their_fields(setting, section):
    draft, foreign, other_round, client = setting
    before = snapshot(draft.id)
    foreign_before = snapshot(foreign.id)
    sector_id = db.session.scalar(select(Sector.id).where(Sector.code == "DDT"))
    data = {**hostile_fields(foreign, other_round), **section_posts(sector_id)[section]}
    response = client.post(f"/applicant/applications/{draft.id}/{section}", data=data)
    assert response.status_code == 302, response.text  # the save ran: the legitimate fields were accepted
    after = snapshot(draft.id)
    assert after["version"] in (before["version"], before["version"] + 1)
    assert {k: v for k, v in after.items() if k != "version"} == {
        k: v for k, v in before.items() if k != "version"
    }
    assert snapshot(foreign.id) == foreign_before
    db.session.expire_all()
    if section == "product":
        product = db.session.get(Product, before["product.id"])
        assert product.name == "Máy biến áp khô 35 kV" and product.name_folded != "hacked"
    if section == "figures":
        rows = db.session.scalars(select(ApplicationFigures)).all()
        assert {r.application_id for r in rows} <= {draft.id, foreign.id}
        assert {r.revenue_vnd for r in rows if r.application_id == draft.id} == {160_000_000_000}
    if section == "quality":
        rows = db.session.scalars(select(Certification)).all()
        assert [(r.application_id, r.standard) for r in rows] == [(draft.id, "ISO 9001:2015")]


def test_profile_post_cannot_change_the_tax_code_or_identity(setting):
    draft, foreign, other_round, client = setting
    enterprise = db.session.get(Enterprise, draft.enterprise_id)
    tax_code, created_at, enterprise_id = enterprise.tax_code, enterprise.created_at, enterprise.id
    data = {
        **hostile_fields(foreign, other_round),
        "name": "Công ty đổi tên",
        "address": "Số 1 Tràng Tiền",
        "unit_id": str(enterprise.unit_id),
        "sector_id": str(enterprise.sector_id),
        "tax_code": "0999999999",
    }
    assert client.post("/applicant/profile", data=data).status_code == 302
    db.session.expire_all()
    enterprise = db.session.get(Enterprise, enterprise_id)
    assert enterprise.name == "Công ty đổi tên"
    assert (enterprise.tax_code, enterprise.created_at) == (tax_code, created_at)
    assert enterprise.name_folded == "cong ty doi ten"


def test_registration_cannot_join_an_enterprise_or_take_a_role(app, make, client):
    victim = make.enterprise()
    victim_user = make.user(Role.applicant, enterprise=victim)
    unit_id = db.session.scalar(select(AdministrativeUnit.id).where(AdministrativeUnit.code == "X-DONGANH"))
    sector_id = db.session.scalar(select(Sector.id).where(Sector.code == "DDT"))
    data = {
        "enterprise_name": "Công ty Mới",
        "tax_code": "0100109995",
        "address": "Đông Anh",
        "unit_id": str(unit_id),
        "sector_id": str(sector_id),
        "full_name": "Kẻ Tấn Công",
        "email": "attacker@example.vn",
        "password": "a long password",
        "confirm": "a long password",
        # what the form does not offer:
        "enterprise_id": str(victim.id),
        "role": "secretariat",
        "roles": "admin",
        "active": "y",
        "session_token": "0" * 32,
        "email_confirmed_at": "2026-01-01T00:00:00",
        "id": str(victim_user.id),
        "user_id": str(victim_user.id),
        "unit": "P-HADONG",
    }
    response = client.post("/register", data=data)
    assert response.status_code == 200, response.text
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "attacker@example.vn"))
    assert user.id != victim_user.id and user.session_token != "0" * 32
    assert user.email_confirmed_at is None  # it cannot confirm itself
    confirm_and_log_in(client, "attacker@example.vn", "a long password")
    memberships = db.session.scalars(select(RoleMembership).where(RoleMembership.user_id == user.id)).all()
    assert [(m.role, m.unit_id) for m in memberships] == [(Role.applicant, None)]
    assert memberships[0].enterprise_id != victim.id
    assert db.session.get(Enterprise, memberships[0].enterprise_id).tax_code == "0100109995"
    victims = db.session.scalars(
        select(RoleMembership).where(RoleMembership.enterprise_id == victim.id)
    ).all()
    assert [m.user_id for m in victims] == [victim_user.id]
    assert client.get("/secretariat/").status_code == 403
    assert client.get("/admin/").status_code == 403
