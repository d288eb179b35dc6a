"""The supporting-industries dashboard (issue 12): every figure the page and the service show equals
what the test computes by hand from the firms it made (two units, two sectors, certifications valid,
expired and without expiry, inactive firms); the yearly figures are entered through the form; the
page's statements do not grow with the register."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from recognition import clock
from recognition.accounts.models import AdministrativeUnit, Role
from recognition.cases.audit import verify_chains
from recognition.cases.models import RecordChange
from recognition.extensions import db
from recognition.supporting import dashboard
from recognition.supporting.models import (
    FirmCertification,
    ProgrammeYearFigures,
    Standard,
    SupplierProfile,
    SupportingSector,
)
from tests.conftest import client_for
from tests.queries import queries_to_get
from tests.reports.test_dashboard import page_tables, percent

TODAY = clock.local_today()
URL = "/secretariat/supporting/dashboard/"
UNITS = ("X-DONGANH", "P-HADONG")
WINDOW = dashboard.EXPIRING_WITHIN_DAYS


@dataclass
class Firm:
    """A firm to make: its unit and sector (indexes into UNITS and the first two sectors), whether
    active, and its certifications as (standard, days from today to the expiry, None: no expiry)."""

    unit: int
    sector: int
    active: bool
    certifications: list[tuple[Standard, int | None]] = field(default_factory=list)
    reminded: bool = False  # the sweep already reminded of the first certification's expiry

    def certified(self) -> bool:
        """The rule, written again: active, with a certification without expiry or not yet expired."""
        return self.active and any(days is None or days >= 0 for _standard, days in self.certifications)


FIRMS = [
    Firm(0, 0, True, [(Standard.iso_9001, 200), (Standard.iso_14001, -10)]),
    Firm(0, 1, True, [(Standard.iatf_16949, None)]),
    Firm(1, 0, True, [(Standard.iso_9001, -1)]),  # expired yesterday
    Firm(1, 1, True),
    Firm(1, 0, False, [(Standard.iso_13485, 30)]),  # inactive, but its expiry is listed
    Firm(0, 0, True, [(Standard.as9100, 0), (Standard.iso_9001, WINDOW)], reminded=True),
    Firm(1, 1, True, [(Standard.iso_14001, WINDOW + 1)]),
]
YEARS = {TODAY.year - 2: ("15,2", "9.75"), TODAY.year - 1: ("16.40", "11,3")}


@pytest.fixture
def programme(make, reference):
    programme = make.programme("CNHT")
    programme.target_firms = 920
    programme.target_certified_firms = 300
    programme.target_output_share_percent = Decimal(16)
    programme.target_index_growth_percent = Decimal(11)
    db.session.commit()
    return programme


def sectors() -> list[SupportingSector]:
    return list(db.session.scalars(select(SupportingSector).order_by(SupportingSector.code).limit(2)))


def make_firms(make, firms: list[Firm]) -> list[SupplierProfile]:
    supporting = sectors()
    profiles = []
    for number, firm in enumerate(firms):
        profile = SupplierProfile(
            enterprise=make.enterprise(UNITS[firm.unit]),
            supporting_sector=supporting[firm.sector],
            active=firm.active,
        )
        for index, (standard, days) in enumerate(firm.certifications):
            expires_on = None if days is None else TODAY + timedelta(days=days)
            profile.certifications.append(
                FirmCertification(
                    standard=standard,
                    number=f"C-{number}-{index}",
                    expires_on=expires_on,
                    reminded_for=expires_on if firm.reminded and index == 0 else None,
                )
            )
        db.session.add(profile)
        profiles.append(profile)
    db.session.commit()
    return profiles


def expected_numbers(firms: list[Firm], profiles: list[SupplierProfile]) -> dict:
    """The dashboard computed by hand from the firms' specification."""
    active = [firm for firm in firms if firm.active]
    by_unit: dict[int, list[int]] = {}
    by_sector: dict[int, list[int]] = {}
    for firm, profile in zip(firms, profiles, strict=True):
        if firm.active:
            for key, counts in (
                (profile.enterprise.unit_id, by_unit),
                (profile.supporting_sector_id, by_sector),
            ):
                row = counts.setdefault(key, [0, 0])
                row[0] += 1
                row[1] += firm.certified()
    expiring = sorted(
        (
            TODAY + timedelta(days=days),
            f"C-{number}-{index}",
            standard.label,
            firm.reminded and index == 0,
        )
        for number, firm in enumerate(firms)
        for index, (standard, days) in enumerate(firm.certifications)
        if days is not None and 0 <= days <= WINDOW
    )
    return {
        "active": len(active),
        "certified": sum(firm.certified() for firm in firms),
        "by_unit": {key: tuple(row) for key, row in by_unit.items()},
        "by_sector": {key: tuple(row) for key, row in by_sector.items()},
        "expiring": expiring,
    }


def secretariat(app, make):
    return client_for(app, make.user(Role.secretariat), lang="en")


def test_the_dashboard_shows_the_figures_computed_by_hand(app, make, programme):
    profiles = make_firms(make, FIRMS)
    expected = expected_numbers(FIRMS, profiles)
    assert expected["certified"] and expected["active"] > expected["certified"], "the seed is too plain"
    assert any(not firm.active and firm.certifications for firm in FIRMS)
    client = secretariat(app, make)

    # The yearly figures, entered through the form (a decimal comma or point).
    for year, (share, growth) in YEARS.items():
        data = {"year": year, "output_share_percent": share, "index_growth_percent": growth}
        response = client.post(URL + "figures", data=data)
        assert response.status_code == 302, response.text
    entered = {
        year: (Decimal(share.replace(",", ".")), Decimal(growth.replace(",", ".")))
        for year, (share, growth) in YEARS.items()
    }
    stored = db.session.execute(
        select(ProgrammeYearFigures).where(ProgrammeYearFigures.programme_id == programme.id)
    ).scalars()
    assert {f.year: (f.output_share_percent, f.index_growth_percent) for f in stored} == entered

    # The service.
    with force_locale("en"):
        numbers = dashboard.programme_dashboard(programme, TODAY, "en")
    assert (numbers.firms.active.value, numbers.firms.certified.value) == (
        expected["active"],
        expected["certified"],
    )
    assert (numbers.firms.active.status, numbers.firms.certified.status) == ("below", "below")
    assert {row.key: (row.active, row.certified) for row in numbers.by_unit} == expected["by_unit"]
    assert {row.key: (row.active, row.certified) for row in numbers.by_sector} == expected["by_sector"]
    assert [row.year for row in numbers.years] == sorted(YEARS, reverse=True)
    latest = max(YEARS)
    assert numbers.latest_year is not None and numbers.latest_year.year == latest
    for row in numbers.years:
        share, growth = entered[row.year]
        assert (row.output_share.value, row.index_growth.value) == (share, growth)
        assert row.output_share.status == ("below" if share < 16 else "within")
        assert row.index_growth.status == ("below" if growth < 11 else "within")
    assert numbers.expiring.total == len(expected["expiring"])
    assert [
        (c.certification.expires_on, c.certification.number, c.certification.standard_label, c.reminded)
        for c in numbers.expiring.listed
    ] == [(day, number, str(label), reminded) for day, number, label, reminded in expected["expiring"]]

    # The page.
    html = client.get(URL).text
    tables = page_tables(html)
    targets = {attrs["data-row"]: cells for attrs, cells in tables["targets-table"]}
    assert targets["active"][1:3] == [str(expected["active"]), "≈ 920"]
    assert targets["certified"][1:3] == [str(expected["certified"]), "≈ 300"]
    assert 'data-status="below"' in html
    for table, key in (("units-table", "by_unit"), ("sectors-table", "by_sector")):
        body = {int(a["data-key"]): (int(c[1]), int(c[2])) for a, c in tables[table] if "data-key" in a}
        assert body == expected[key], table
        total = next(cells for attrs, cells in tables[table] if "data-key" not in attrs)
        assert (int(total[1]), int(total[2])) == (expected["active"], expected["certified"])
    names = dict(db.session.execute(select(AdministrativeUnit.id, AdministrativeUnit.name)).all())
    assert {cells[0] for _a, cells in tables["units-table"][:-1]} == {names[k] for k in expected["by_unit"]}

    years = {int(attrs["data-year"]): cells for attrs, cells in tables["years-table"]}
    assert list(years) == sorted(YEARS, reverse=True)
    for year, cells in years.items():
        share, growth = entered[year]
        assert (percent(cells[1]), cells[2]) == (round(share, 1), "≈ 16 %")
        assert (percent(cells[4]), cells[5]) == (round(growth, 1), "≥ 11 %")
    assert f"Latest year entered: {latest}." in html

    listed = tables["expiring-table"]
    assert [(cells[3], cells[5]) for _attrs, cells in listed] == [
        (number, "Yes" if reminded else "Not yet") for _day, number, _label, reminded in expected["expiring"]
    ]
    assert [cells[2] for _a, cells in listed] == [str(label) for _d, _n, label, _r in expected["expiring"]]
    assert [cells[4] for _a, cells in listed] == [
        clock.format_day(day, "en") for day, _n, _l, _r in expected["expiring"]
    ]
    assert f'id="expiring-total">{len(expected["expiring"])}<' in html


def test_the_yearly_figures_form_refuses_bad_input_keeping_what_was_typed(app, make, programme):
    client = secretariat(app, make)
    bad = {
        "year": str(TODAY.year + 1),
        "output_share_percent": "16,5x",
        "index_growth_percent": "120,5",
    }
    response = client.post(URL + "figures", data=bad)
    assert response.status_code == 200
    assert 'value="16,5x"' in response.text and f'value="{TODAY.year + 1}"' in response.text
    assert "The year cannot be after this year." in response.text
    assert "Write a number such as 16,5 or 16.5" in response.text
    response = client.post(URL + "figures", data={"year": "1890", "output_share_percent": "101"})
    assert "Number must be between 0 and 100." in response.text and 'value="101"' in response.text
    response = client.post(URL + "figures", data={"year": str(TODAY.year - 1)})
    assert "Enter at least one of the two figures." in response.text
    assert db.session.scalar(select(ProgrammeYearFigures)) is None

    # A correction edits the year's row, audited on the programme; an empty figure is cleared.
    year = TODAY.year - 1
    for share in ("15,5", "16"):
        data = {"year": str(year), "output_share_percent": share, "index_growth_percent": ""}
        assert client.post(URL + "figures", data=data).status_code == 302
    figures = db.session.get(ProgrammeYearFigures, (programme.id, year))
    assert (figures.output_share_percent, figures.index_growth_percent) == (Decimal("16.00"), None)
    assert figures.recorded_by_id is not None and figures.recorded_at is not None
    changes = db.session.scalars(
        select(RecordChange).where(RecordChange.subject_type == "programmes").order_by(RecordChange.seq)
    ).all()
    assert [c.action for c in changes] == ["enter_year_figures", "edit_year_figures"]
    assert changes[1].payload["output_share_percent"] == ["15.50", "16.00"]
    assert verify_chains() == []


def test_only_the_secretariat_opens_the_dashboard(app, make, programme):
    assert client_for(app, None).get(URL).status_code == 302  # to the login page
    for role in (Role.applicant, Role.unit_officer, Role.council_member, Role.admin):
        client = client_for(app, make.user(role))
        assert client.get(URL).status_code == 403, role
        data = {"year": str(TODAY.year - 1), "output_share_percent": "10"}
        assert client.post(URL + "figures", data=data).status_code == 403, role
    assert db.session.scalar(select(ProgrammeYearFigures)) is None
    reports = client_for(app, make.user(Role.secretariat)).get("/secretariat/reports/").text
    assert f'href="{URL}"' in reports
    admin_reports = client_for(app, make.user(Role.admin)).get("/secretariat/reports/").text
    assert f'href="{URL}"' not in admin_reports


def test_the_page_statements_do_not_grow_with_the_register(app, make, programme):
    make_firms(make, FIRMS[:3])
    client = secretariat(app, make)
    before = queries_to_get(client, URL)
    make_firms(make, FIRMS * 2)
    assert queries_to_get(client, URL) == before
