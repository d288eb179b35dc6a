"""Issue 15: `seed-reference` loads Hanoi's 126 commune-level units of Resolution 1656/NQ-UBTVQH15,
each with the district-level units it came from, and loading again changes nothing."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from recognition.accounts.models import AdministrativeUnit, UnitLevel
from recognition.extensions import db


def commune_level_units() -> list[AdministrativeUnit]:
    return list(
        db.session.scalars(
            select(AdministrativeUnit).where(
                AdministrativeUnit.level.in_([UnitLevel.ward, UnitLevel.commune])
            )
        )
    )


def snapshot() -> set:
    db.session.expire_all()
    return {
        (
            u.code,
            u.official_code,
            u.name,
            u.level,
            u.valid_from,
            u.valid_to,
            tuple(sorted(p.code for p in u.predecessors)),
        )
        for u in db.session.scalars(select(AdministrativeUnit))
    }


def test_seed_reference_loads_the_126_units_of_resolution_1656(app):
    result = app.test_cli_runner().invoke(args=["seed-reference"])
    assert result.exit_code == 0, result.output
    units = commune_level_units()
    assert len(units) == 126
    assert sum(u.level == UnitLevel.ward for u in units) == 51
    assert sum(u.level == UnitLevel.commune for u in units) == 75
    assert all(u.valid_from == date(2025, 7, 1) and u.valid_to is None for u in units)
    assert all(u.parent.code == "01" for u in units)
    assert len({u.name for u in units}) == 126 and len({u.official_code for u in units}) == 126
    districts = {"district", "town"}
    for u in units:
        assert u.predecessors, u.name
        assert {p.level.value for p in u.predecessors} <= districts, u.name
        assert all(p.valid_to == date(2025, 6, 30) for p in u.predecessors), u.name
    # Every old district-level unit handed its area to at least one new unit.
    assert len({p.code for u in units for p in u.predecessors}) == 30


def test_the_units_the_demo_and_tests_use_keep_their_codes(app):
    app.test_cli_runner().invoke(args=["seed-reference"])
    by_code = {u.code: u for u in commune_level_units()}
    expected = {
        "X-DONGANH": ("Xã Đông Anh", "00454", ["017"]),
        "X-GIALAM": ("Xã Gia Lâm", "00565", ["004", "018"]),
        "X-SOCSON": ("Xã Sóc Sơn", "00376", ["016"]),
        "P-CAUGIAY": ("Phường Cầu Giấy", "00166", ["005", "019"]),
        "P-HADONG": ("Phường Hà Đông", "09556", ["019", "020", "268"]),
        "P-VANMIEUQUOCTUGIAM": ("Phường Văn Miếu - Quốc Tử Giám", "00226", ["001", "002", "006", "007"]),
        "X-YENXUAN": ("Xã Yên Xuân", "04930", ["275", "276"]),
    }
    for code, (name, official, predecessors) in expected.items():
        unit = by_code[code]
        assert (unit.name, unit.official_code, sorted(p.code for p in unit.predecessors)) == (
            name,
            official,
            predecessors,
        )


def test_seed_reference_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed-reference"])
    before = snapshot()
    assert runner.invoke(args=["seed-reference"]).exit_code == 0
    assert snapshot() == before
    assert db.session.scalar(select(func.count()).select_from(AdministrativeUnit)) == 1 + 30 + 126
