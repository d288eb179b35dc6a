"""Issue 15: the administrator creates, deactivates and re-roles staff accounts through the app."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from recognition.accounts.models import AdministrativeUnit, Role, User
from recognition.accounts.services import AccountError, deactivate_account
from recognition.cases.audit import verify_chains
from recognition.cases.models import RecordChange
from recognition.extensions import db
from tests.cases.test_concurrency import run_at_once
from tests.conftest import login
from tests.queries import queries_to_get
from tests.security import client_for

INITIAL_PASSWORD = "khoi tao 2025"


@pytest.fixture
def admin(login_as, reference):
    client = login_as(Role.admin)
    client.get("/lang/en")
    return client


def unit(code: str) -> AdministrativeUnit:
    return db.session.scalar(select(AdministrativeUnit).where(AdministrativeUnit.code == code))


def account(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def create(admin, email: str, roles: list[str], unit_codes: list[str] = (), **fields):
    data = {
        "full_name": fields.get("full_name", "Đỗ Thị Hoa"),
        "email": email,
        "password": fields.get("password", INITIAL_PASSWORD),
        "roles": roles,
        "unit_codes": list(unit_codes),
    }
    return admin.post("/admin/accounts/new", data=data)


@pytest.mark.parametrize(
    ("roles", "unit_codes", "landing"),
    [
        (["unit_officer"], ["X-GIALAM"], "/unit/"),
        (["council_member"], [], "/council/"),
        (["secretariat"], [], "/secretariat/"),
        (["admin"], [], "/admin/"),
        (["secretariat", "council_member"], [], "/secretariat/"),
    ],
)
def test_admin_creates_each_kind_of_staff_account(app, admin, roles, unit_codes, landing):
    response = create(admin, "Can.Bo@Hanoi.gov.vn", roles, unit_codes)
    assert response.status_code == 302, response.text
    user = account("can.bo@hanoi.gov.vn")
    assert user.roles == {Role(r) for r in roles}
    assert user.unit_ids == {unit(c).id for c in unit_codes}
    assert user.must_change_password and user.active and user.email_confirmed_at is not None
    change = db.session.scalar(select(RecordChange).where(RecordChange.subject_type == "users"))
    assert (change.subject_id, change.action, change.actor_id) == (user.id, "account_created", admin.user.id)

    newcomer = app.test_client()
    login(newcomer, "can.bo@hanoi.gov.vn", INITIAL_PASSWORD)
    assert newcomer.get(landing).location == "/account/password"
    response = newcomer.post(
        "/account/password",
        data={
            "current_password": INITIAL_PASSWORD,
            "new_password": "mat khau rieng",
            "confirm": "mat khau rieng",
        },
    )
    assert response.status_code == 302
    assert newcomer.get(landing).status_code == 200
    assert account("can.bo@hanoi.gov.vn").must_change_password is False


def test_until_the_password_is_changed_every_page_leads_to_the_form(app, admin):
    create(admin, "moi@sct.hanoi.gov.vn", ["secretariat"])
    newcomer = app.test_client()
    newcomer.get("/lang/en")
    login(newcomer, "moi@sct.hanoi.gov.vn", INITIAL_PASSWORD)
    for page in ("/", "/registry", "/secretariat/", "/admin/", "/no-such-page"):
        assert newcomer.get(page).location == "/account/password", page
    assert newcomer.post("/secretariat/calendar", data={}).location == "/account/password"
    assert newcomer.get("/account/password").status_code == 200
    assert newcomer.get("/static/js/eligibility.js").status_code == 200
    assert newcomer.post("/logout").location == "/"


def test_creation_refusals_keep_what_was_typed(admin):
    response = create(admin, "officer@sct.hanoi.gov.vn", ["unit_officer"], full_name="Lý Văn Minh")
    assert response.status_code == 200
    assert "A unit officer needs the unit they vet." in response.text
    assert 'value="Lý Văn Minh"' in response.text and 'value="officer@sct.hanoi.gov.vn"' in response.text

    response = create(admin, "short@sct.hanoi.gov.vn", ["secretariat"], password="1234567")
    assert "A password has at least 8 characters." in response.text
    response = create(admin, "same@sct.hanoi.gov.vn", ["secretariat"], password="Same@SCT.hanoi.gov.vn")
    assert "The password cannot be the e-mail address." in response.text
    response = create(admin, "none@sct.hanoi.gov.vn", [])
    assert "Choose at least one role." in response.text
    response = create(admin, "applicant@sct.hanoi.gov.vn", ["applicant"])
    assert response.status_code == 200
    assert account("applicant@sct.hanoi.gov.vn") is None

    create(admin, "taken@sct.hanoi.gov.vn", ["secretariat"])
    response = create(admin, "Taken@sct.hanoi.gov.vn", ["council_member"])
    assert "An account with this e-mail already exists." in response.text
    assert account("taken@sct.hanoi.gov.vn").roles == {Role.secretariat}


def test_deactivation_ends_the_sessions_at_once_and_reactivation_lets_in_again(app, admin, make):
    officer = make.user(Role.unit_officer, unit=unit("X-DONGANH"))
    session = app.test_client()
    login(session, officer)
    assert session.get("/unit/").status_code == 200

    assert admin.post(f"/admin/accounts/{officer.id}/deactivate").status_code == 302
    assert account(officer.email).active is False
    assert session.get("/unit/").location.startswith("/login")
    assert login(app.test_client(), officer).status_code == 200  # refused: the form again
    assert db.session.scalar(select(RecordChange.action).where(RecordChange.subject_id == officer.id)) == (
        "account_deactivated"
    )

    admin.post(f"/admin/accounts/{officer.id}/reactivate")
    assert verify_chains() == []
    again = app.test_client()
    assert login(again, officer).status_code == 302
    assert again.get("/unit/").status_code == 200


def test_role_change_replaces_staff_roles_and_keeps_the_enterprise(admin, make):
    applicant = make.user(Role.applicant)
    enterprise_id = next(iter(applicant.enterprise_ids))
    response = admin.post(
        f"/admin/accounts/{applicant.id}",
        data={"roles": ["unit_officer", "council_member"], "unit_codes": ["X-SOCSON", "P-CAUGIAY"]},
    )
    assert response.status_code == 302, response.text
    user = account(applicant.email)
    assert user.roles == {Role.applicant, Role.unit_officer, Role.council_member}
    assert user.unit_ids == {unit("X-SOCSON").id, unit("P-CAUGIAY").id}
    assert user.enterprise_ids == {enterprise_id}

    admin.post(f"/admin/accounts/{applicant.id}", data={"roles": ["council_member"]})
    user = account(applicant.email)
    assert user.roles == {Role.applicant, Role.council_member} and user.unit_ids == set()
    actions = db.session.scalars(
        select(RecordChange.action).where(RecordChange.subject_id == user.id).order_by(RecordChange.seq)
    ).all()
    assert actions == ["roles_changed", "roles_changed"]

    page = admin.get(f"/admin/accounts/{applicant.id}").text
    checked = re.findall(r'<input checked[^>]*value="(\w+)"', page)
    assert checked == ["council_member"]


def test_the_admin_cannot_deactivate_themself(admin):
    me = admin.user
    response = admin.post(f"/admin/accounts/{me.id}/deactivate")
    assert "You cannot deactivate your own account." in admin.get(response.location).text
    assert account(me.email).active is True
    assert admin.get("/admin/").status_code == 200


def test_the_last_active_admin_keeps_the_role(admin, make):
    me = admin.user
    response = admin.post(f"/admin/accounts/{me.id}", data={"roles": ["secretariat"]})
    assert "This is the last active administrator" in response.text
    assert account(me.email).roles == {Role.admin}

    other = make.user(Role.admin)
    assert admin.post(f"/admin/accounts/{other.id}/deactivate").status_code == 302  # I remain
    assert account(other.email).active is False
    response = admin.post(f"/admin/accounts/{me.id}", data={"roles": ["secretariat"]})
    assert "This is the last active administrator" in response.text  # a deactivated one does not count

    admin.post(f"/admin/accounts/{other.id}/reactivate")
    response = admin.post(f"/admin/accounts/{me.id}", data={"roles": ["secretariat"]})
    assert response.status_code == 302
    assert account(me.email).roles == {Role.secretariat}


def test_the_last_active_admin_cannot_be_deactivated_by_a_stale_admin(admin, make):
    """Two administrators deactivating each other at once: the second finds itself the last one left
    (the service sees the first's change; the rows are locked while it counts)."""
    me, other = account(admin.user.email), make.user(Role.admin)
    deactivate_account(other, me)
    db.session.commit()
    with pytest.raises(AccountError):
        deactivate_account(me, account(other.email))
    db.session.rollback()
    assert account(me.email).active is True


def test_account_list_filters_searches_and_pages_with_constant_queries(admin, make):
    officers = [make.user(Role.unit_officer, unit=unit(code)) for code in ("X-DONGANH", "X-SOCSON")]
    council = make.user(Role.council_member)
    council_page = admin.get("/admin/accounts?role=council_member").text
    assert council.email in council_page and officers[0].email not in council_page
    unit_page = admin.get(f"/admin/accounts?unit={unit('X-SOCSON').id}").text
    assert officers[1].email in unit_page and officers[0].email not in unit_page
    assert "Xã Sóc Sơn" in unit_page
    admin.post(f"/admin/accounts/{council.id}/deactivate")
    inactive = admin.get("/admin/accounts?active=no").text
    assert council.email in inactive and officers[0].email not in inactive
    assert council.email not in admin.get("/admin/accounts?active=yes").text
    search = admin.get(f"/admin/accounts?q={officers[0].email.upper()}").text
    assert officers[0].email in search and officers[1].email not in search

    few = queries_to_get(admin, "/admin/accounts")
    for code in ("P-HADONG", "X-GIALAM", "P-CAUGIAY", "X-MELINH"):
        make.user(Role.unit_officer, unit=unit(code))
        make.user(Role.applicant)
    assert queries_to_get(admin, "/admin/accounts") == few
    for _ in range(25):
        make.user(Role.council_member)
    page_two = admin.get("/admin/accounts?page=2&role=council_member").text
    assert "2 / 2" in page_two


def test_staff_pages_refuse_other_roles(login_as, reference):
    secretariat = login_as(Role.secretariat)
    assert secretariat.get("/admin/accounts").status_code == 403
    assert secretariat.post("/admin/accounts/new", data={"email": "x@y.vn"}).status_code == 403
    assert db.session.scalar(select(User).where(User.email == "x@y.vn")) is None


@pytest.mark.parametrize("how", ["deactivate", "remove_role"])
def test_two_admins_removing_each_other_at_once_leave_one(app, make, reference, how):
    first, second = make.user(Role.admin), make.user(Role.admin)
    clients = [client_for(app, first), client_for(app, second)]
    targets = [second.id, first.id]

    def work(i, barrier):
        barrier.wait()
        if how == "deactivate":
            return clients[i].post(f"/admin/accounts/{targets[i]}/deactivate").status_code
        return clients[i].post(f"/admin/accounts/{targets[i]}", data={"roles": ["secretariat"]}).status_code

    run_at_once(app, work, threads=2)
    db.session.expire_all()
    admins = [u for u in (account(first.email), account(second.email)) if u.active and u.has_role(Role.admin)]
    assert len(admins) >= 1
