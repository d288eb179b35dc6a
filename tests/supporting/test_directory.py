"""The public supplier directory: a buyer finds a listed firm by "IATF" or by a component word typed
without diacritics; a firm that did not agree to be listed never appears and its page is not found;
the standard filter counts only valid certifications; the page's queries do not grow with the firms."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.clock import local_today
from recognition.extensions import db
from recognition.supporting.models import SupportingSector
from recognition.supporting.register import CertificationEntry, ProfileEntry, save_profile
from tests.queries import queries_to_get


def sector_id(code: str) -> int:
    return db.session.scalar(select(SupportingSector.id).where(SupportingSector.code == code))


@pytest.fixture
def list_firm(make, reference):
    actor = make.user(Role.secretariat)

    def _list_firm(name, products="Linh kiện nhựa", code="LKNCS", consent=True, certifications=(), **fields):
        enterprise = make.enterprise(name=name)
        entry = ProfileEntry(
            sector_id(code),
            products=products,
            listing_consent=consent,
            customers=fields.pop("customers", ""),
            certifications=[CertificationEntry(**row) for row in certifications],
            **fields,
        )
        save_profile(enterprise, entry, actor)
        db.session.commit()
        return enterprise

    return _list_firm


def in_future(days=365):
    return local_today() + timedelta(days=days)


def test_a_buyer_finds_a_firm_by_iatf_and_by_a_component_without_diacritics(client, list_firm):
    firm = list_firm(
        "Công ty Nhựa Kỹ thuật Hà Nội",
        products="Linh kiện nhựa ép phun\nKhuôn mẫu",
        supplies_multinationals=True,
        tier="tier1",
        customers="Công ty TNHH Samsung Display",
        certifications=[{"standard": "iatf_16949", "number": "IATF-1", "expires_on": in_future()}],
    )
    other = list_firm("Công ty Cơ khí Đông Anh", products="Bulông, ốc vít", code="LKKL")

    home = client.get("/")
    assert "/suppliers/" in home.text  # linked from the public home page

    for query in ("IATF", "iatf 16949", "linh kien nhua", "Linh kiện nhựa", "nhua ep phun", "ha noi nhua"):
        page = client.get("/suppliers/", query_string={"q": query})
        assert page.status_code == 200
        assert firm.name in page.text, query
        assert other.name not in page.text, query
    page = client.get("/suppliers/", query_string={"q": "oc vit"})
    assert other.name in page.text and firm.name not in page.text

    public_page = client.get(f"/suppliers/{firm.id}")
    assert public_page.status_code == 200
    assert "IATF 16949" in public_page.text and "Khuôn mẫu" in public_page.text
    assert "Samsung" not in public_page.text  # customers are never published


def test_a_firm_that_did_not_consent_never_appears_and_its_page_is_not_found(client, list_firm):
    hidden = list_firm(
        "Công ty Linh kiện Bí Mật",
        consent=False,
        certifications=[{"standard": "iatf_16949", "number": "IATF-9", "expires_on": in_future()}],
    )
    inactive = list_firm("Công ty Đã Ngừng", active=False)
    for query in ({}, {"q": "IATF"}, {"q": "linh kien"}, {"standard": "iatf_16949"}):
        page = client.get("/suppliers/", query_string=query)
        assert page.status_code == 200
        assert hidden.name not in page.text and hidden.tax_code not in page.text
        assert inactive.name not in page.text
    assert client.get(f"/suppliers/{hidden.id}").status_code == 404
    assert client.get(f"/suppliers/{inactive.id}").status_code == 404
    assert client.get("/suppliers/999999").status_code == 404


def test_the_standard_filter_counts_only_valid_certifications(client, list_firm):
    valid = list_firm(
        "Công ty Điện tử Còn Hạn",
        certifications=[{"standard": "iso_9001", "number": "Q-1", "expires_on": in_future()}],
    )
    expired = list_firm(
        "Công ty Điện tử Hết Hạn",
        certifications=[
            {"standard": "iso_9001", "number": "Q-2", "expires_on": local_today() - timedelta(days=1)}
        ],
    )
    lapsed_today = list_firm(
        "Công ty Điện tử Đến Hạn Hôm Nay",
        certifications=[{"standard": "iso_9001", "number": "Q-3", "expires_on": local_today()}],
    )
    page = client.get("/suppliers/", query_string={"standard": "iso_9001"})
    assert valid.name in page.text and lapsed_today.name in page.text
    assert expired.name not in page.text
    assert expired.name in client.get("/suppliers/").text  # still listed, only not for the standard
    assert expired.name not in client.get("/suppliers/", query_string={"standard": "iso_14001"}).text
    sector_filtered = client.get("/suppliers/", query_string={"sector": sector_id("LKKL")})
    assert valid.name not in sector_filtered.text
    assert client.get("/suppliers/", query_string={"standard": "nonsense", "sector": "x"}).status_code == 200


def test_the_directory_page_costs_the_same_queries_for_more_firms(client, list_firm):
    def firm(n):
        return list_firm(
            f"Công ty Linh kiện {n}",
            supplies_multinationals=True,
            tier="tier2",
            certifications=[
                {"standard": "iso_9001", "number": f"Q-{n}", "expires_on": in_future()},
                {"standard": "other", "standard_name": "ISO 45001", "number": f"O-{n}"},
            ],
        )

    for n in range(2):
        firm(n)
    few = queries_to_get(client, "/suppliers/?q=linh+kien")
    for n in range(2, 12):
        firm(n)
    assert queries_to_get(client, "/suppliers/?q=linh+kien") == few
    page = client.get("/suppliers/?q=linh+kien")
    assert page.text.count("ISO 45001") == 12
