"""The registry's pages cost what they show: the same SQL statements for three certificates as for
sixty more, in the order of ix_certificates_registry_order (newest round year, Top N, sequence)."""

from datetime import timedelta

from sqlalchemy import insert, select

from recognition.cases.models import Application
from recognition.clock import local_today
from recognition.extensions import db
from recognition.honours.models import Certificate
from recognition.rounds.models import ROUND_ENUM_SETTINGS, Round
from recognition.rounds.services import ROUND_FIELDS, apply_round_settings
from tests.queries import queries_to_get
from tests.registry.test_api import registry_data, serials  # noqa: F401  (the fixture)
from tests.vetting.test_queue_queries import bulk_submitted

URLS = ("/registry", "/registry?q=cong+ty", "/registry?page=2", "/api/v1/registry", "/api/v1/registry?q=x")


def bulk_certificates(make, count: int) -> Round:
    """`count` valid certificates of one new round, inserted in bulk without their round's year (the
    column's default reads it from the round)."""
    enterprise = bulk_submitted(make, "X-GIALAM", count)
    applications = db.session.scalars(
        select(Application).where(Application.enterprise_id == enterprise.id).order_by(Application.id)
    ).all()
    today = local_today()
    db.session.execute(
        insert(Certificate),
        [
            {
                "serial": f"BULK-{a.id:06d}", "sequence": i + 1, "application_id": a.id,
                "round_id": a.round_id, "product_id": a.product_id, "enterprise_id": a.enterprise_id,
                "top_n": False, "decision_number": "1/QĐ-UBND", "decision_date": today,
                "decision_signer": "", "issued_on": today, "valid_until": today + timedelta(days=365),
                "status": "valid", "product_name": f"Sản phẩm {i}",
                "enterprise_name": enterprise.name, "tax_code": enterprise.tax_code,
                "sector_id": enterprise.sector_id, "unit_id": enterprise.unit_id,
                "names_folded": f"san pham {i} cong ty",
            }
            for i, a in enumerate(applications)
        ],
    )  # fmt: skip
    db.session.commit()
    return db.session.get_one(Round, applications[0].round_id)


def test_registry_query_count_does_not_grow_with_the_certificates(client, make, registry_data):  # noqa: F811
    small = [queries_to_get(client, url) for url in URLS]
    bulk_round = bulk_certificates(make, 60)
    large = [queries_to_get(client, url) for url in URLS]
    assert small == large

    years = db.session.scalars(
        select(Certificate.round_year).where(Certificate.round_id == bulk_round.id).distinct()
    ).all()
    assert years == [bulk_round.year]
    listed = client.get("/api/v1/registry?per_page=100").json
    assert listed["total"] == 63
    assert [item["round_year"] for item in listed["items"]] == sorted(
        (item["round_year"] for item in listed["items"]), reverse=True
    )
    html = client.get("/registry").text
    assert html.count('href="/verify/') == 20


def test_a_change_of_the_round_year_moves_its_certificates(client, registry_data):  # noqa: F811
    round_ = db.session.get_one(Round, registry_data.circuit_2032.round_id)
    data = {name: getattr(round_, name) for name in (*ROUND_FIELDS, *ROUND_ENUM_SETTINGS)}
    data.update(legal_bases=round_.legal_bases, support_areas=round_.support_areas, year=2030)
    apply_round_settings(round_, data)
    db.session.commit()

    moved = {registry_data.knit_2032.serial, registry_data.circuit_2032.serial}
    assert set(serials(client.get("/api/v1/registry?year=2030"))) == moved
    assert client.get("/api/v1/registry?year=2030").json["items"][0]["round_year"] == 2030
