"""Issue 15: the administrator lists, creates and edits administrative units through the app."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from recognition.accounts.models import AdministrativeUnit, Role, UnitLevel
from recognition.cases.models import RecordChange
from recognition.extensions import db


@pytest.fixture
def admin(login_as, reference):
    client = login_as(Role.admin)
    client.get("/lang/en")
    return client


def unit(code: str) -> AdministrativeUnit | None:
    db.session.expire_all()
    return db.session.scalar(select(AdministrativeUnit).where(AdministrativeUnit.code == code))


def form(**fields) -> dict:
    data = {
        "code": "X-THUNGHIEM",
        "official_code": "",
        "name": "Xã Thử Nghiệm",
        "level": "commune",
        "parent_code": "01",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "predecessor_codes": ["X-BAVI", "X-MINHCHAU"],
    }
    data.update(fields)
    return data


def test_admin_creates_a_unit_with_parent_and_predecessors(admin):
    response = admin.post("/admin/units/new", data=form(official_code="99999"))
    assert response.status_code == 302, response.text
    created = unit("X-THUNGHIEM")
    assert (created.name, created.level, created.official_code) == (
        "Xã Thử Nghiệm",
        UnitLevel.commune,
        "99999",
    )
    assert created.parent.code == "01"
    assert sorted(p.code for p in created.predecessors) == ["X-BAVI", "X-MINHCHAU"]
    change = db.session.scalar(
        select(RecordChange).where(RecordChange.subject_type == "administrative_units")
    )
    assert (change.subject_id, change.action) == (created.id, "unit_created")
    listing = admin.get("/admin/units?q=THUNGHIEM").text
    assert "Xã Thử Nghiệm" in listing and "Xã Ba Vì" in listing and "Xã Đông Anh" not in listing


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "X-DONGANH"}, "Another unit already has this code."),
        ({"official_code": "00454"}, "Another unit already has this official code."),
        ({"valid_to": "2025-12-31"}, "A unit cannot end before it starts."),
        ({"parent_code": "NO-SUCH"}, "There is no unit with this code."),
        ({"predecessor_codes": ["X-BAVI", "NO-SUCH"]}, "There is no unit with this code."),
        ({"valid_from": "01/01/2026"}, "Not a valid date value."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_unit_refusals_keep_what_was_typed(admin, fields, message):
    before = db.session.scalar(select(db.func.count()).select_from(AdministrativeUnit))
    response = admin.post(
        "/admin/units/new",
        data=form(name=fields.get("name", "Xã Gõ Sai"), **{k: v for k, v in fields.items() if k != "name"}),
    )
    assert response.status_code == 200
    assert message in response.text
    if "code" not in fields:
        assert 'value="X-THUNGHIEM"' in response.text
    assert db.session.scalar(select(db.func.count()).select_from(AdministrativeUnit)) == before


def test_admin_edits_a_unit_and_the_change_is_recorded(admin):
    target = unit("X-DONGANH")
    page = admin.get(f"/admin/units/{target.id}").text
    assert 'value="X-DONGANH"' in page and 'value="00454"' in page

    response = admin.post(
        f"/admin/units/{target.id}",
        data=form(
            code="X-DONGANH",
            official_code="00454",
            name="Xã Đông Anh (sửa)",
            predecessor_codes=["017"],
            valid_from="2025-07-01",
        ),
    )
    assert response.status_code == 302, response.text
    edited = unit("X-DONGANH")
    assert edited.name == "Xã Đông Anh (sửa)" and edited.id == target.id
    change = db.session.scalar(
        select(RecordChange).where(
            RecordChange.subject_id == target.id, RecordChange.action == "unit_updated"
        )
    )
    assert change.payload == {"name": ["Xã Đông Anh", "Xã Đông Anh (sửa)"]}


def test_a_unit_cannot_be_its_own_ancestor(admin):
    child = admin.post("/admin/units/new", data=form(parent_code="X-DONGANH", predecessor_codes=[]))
    assert child.status_code == 302
    parent = unit("X-DONGANH")
    response = admin.post(
        f"/admin/units/{parent.id}",
        data=form(
            code="X-DONGANH",
            name=parent.name,
            parent_code="X-THUNGHIEM",
            predecessor_codes=[],
            valid_from="2025-07-01",
        ),
    )
    assert "own sub-units." in response.text
    assert unit("X-DONGANH").parent.code == "01"


def test_unit_pages_are_for_the_admin_only(login_as, reference):
    secretariat = login_as(Role.secretariat)
    assert secretariat.get("/admin/units").status_code == 403
    assert secretariat.post("/admin/units/new", data=form()).status_code == 403
    assert unit("X-THUNGHIEM") is None


def test_typed_codes_come_back_escaped(admin):
    response = admin.post("/admin/units/new", data=form(code="<b>X</b>", parent_code="<i>P</i>"))
    assert "There is no unit with this code." in response.text
    assert "<b>X</b>" not in response.text and "<i>P</i>" not in response.text
    assert "&lt;b&gt;X&lt;/b&gt;" in response.text
