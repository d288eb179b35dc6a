"""The queue of a unit with 10,000 applications issues the same number of SQL queries as one with 10."""

from sqlalchemy import insert

from recognition.accounts.models import Role
from recognition.cases.models import Application, Product, ProductCategory, State
from recognition.clock import utcnow
from recognition.extensions import db
from recognition.rounds.models import VettingBody
from tests.conftest import login
from tests.queries import counting_queries


def bulk_submitted(make, unit_code: str, count: int):
    """`count` submitted applications of one enterprise in the unit, inserted in bulk (no workflow)."""
    enterprise = make.enterprise(unit_code=unit_code)
    round_ = make.round()
    products = [
        {
            "enterprise_id": enterprise.id,
            "name": f"Sản phẩm {i}",
            "sector_id": enterprise.sector_id,
            "category": ProductCategory.other.name,
            "description": "x",
            "capacity": "",
            "main_markets": "",
            "hs_code": "",
            "created_at": utcnow(),
        }
        for i in range(count)
    ]
    product_ids = db.session.scalars(insert(Product).returning(Product.id), products).all()
    now = utcnow()
    db.session.execute(
        insert(Application),
        [
            {
                "round_id": round_.id,
                "product_id": product_id,
                "enterprise_id": enterprise.id,
                "state": State.submitted.name,
                "receipt_code": f"{unit_code}-{i:06d}",
                "submitted_at": now,
                "vetting_body": VettingBody.unit.name,
                "vetting_unit_id": enterprise.unit_id,
                "created_at": now,
                "version": 1,
                "compliance_committed": True,
                "declaration_accepted": True,
                "environmental_compliance": "",
            }
            for i, product_id in enumerate(product_ids)
        ],
    )
    db.session.commit()
    return enterprise


def queue_queries(app, make, enterprise, params: dict) -> tuple[int, str]:
    client = app.test_client()
    officer = make.user(Role.unit_officer, unit=enterprise.unit)
    login(client, officer)
    client.get("/unit/", query_string=params)  # warm-up: first-request work is not the page's
    with counting_queries() as statements:
        response = client.get("/unit/", query_string=params)
    assert response.status_code == 200
    return len(statements), response.text


def test_queue_query_count_does_not_grow_with_the_unit(app, make):
    small = bulk_submitted(make, "P-HADONG", 10)
    large = bulk_submitted(make, "X-DONGANH", 10_000)
    for params in ({}, {"q": "cong ty", "state": "submitted"}, {"page": 3}):
        small_count, _ = queue_queries(app, make, small, params)
        large_count, html = queue_queries(app, make, large, params)
        assert small_count == large_count, params
        # 8, plus one working-day query for each open round's calendar (two) and the unread notices (one)
        assert small_count <= 11
    assert html.count('href="/unit/dossiers/') == 25
    assert "3 / 400" in html
