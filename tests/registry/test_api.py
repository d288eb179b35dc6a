"""The read-only JSON API: registry, product history, verification, errors, and the OpenAPI document.

The certificates come from the real workflow (submit … recognise); the schemathesis test checks every
response it provokes against the document the app serves."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings

from recognition.accounts.models import Enterprise, Role
from recognition.cases.models import Application, Product, State
from recognition.clock import local_today
from recognition.extensions import db
from recognition.honours.certificates import add_months, revoke
from recognition.honours.models import Certificate
from recognition.registry.api import register_api
from tests.conftest import fire
from tests.queries import queries_to_get

SPEC_URL = "/api/v1/openapi.json"

PAGE_KEYS = {"items", "page", "per_page", "total", "pages"}
ITEM_KEYS = {"serial", "product", "enterprise", "round_year", "top_n", "issued_on", "valid_until", "status"}
PRODUCT_KEYS = {"id", "name", "sector"}
SECTOR_KEYS = {"code", "name_vi", "name_en"}
ENTERPRISE_KEYS = {"name", "tax_code", "unit"}
UNIT_KEYS = {"code", "name"}
DETAIL_KEYS = {"product", "enterprise", "certificates"}
HISTORY_KEYS = {"serial", "round_year", "top_n", "issued_on", "valid_until", "status", "revoked_on"}
VERIFY_KEYS = {
    "serial", "status", "issued_on", "valid_until", "revoked_on", "product_name", "enterprise_name",
    "round_year", "top_n",
}  # fmt: skip
ERROR_KEYS = {"code", "status", "message", "errors"}


# The dataset, built through the workflow ------------------------------------------------------------


def recommended(
    make, round_, enterprise: Enterprise, score: int, product_name: str = "", product: Product | None = None
) -> Application:
    """A nomination taken from draft to `recommended`; `product` nominates an existing product again."""
    application = make.application(round=round_, enterprise=enterprise)
    if product is None:
        application.product.name = product_name
    else:
        draft_product = application.product
        application.product = product
        db.session.delete(draft_product)
    db.session.commit()
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    fire(application, "endorse", officer)
    make.assign_reviewers(
        application, scores=[score] * round_.reviewers_per_dossier, count=round_.reviewers_per_dossier
    )
    secretariat = make.user(Role.secretariat)
    fire(application, "open_review", secretariat)
    fire(application, "conclude_review", secretariat)
    assert application.state == State.recommended
    return application


def recognise(make, round_, applications: list[Application]) -> list[Certificate]:
    """Publish the round's results, let the comment period pass, recognise: each gets its certificate."""
    make.publish_results(round_)
    secretariat = make.user(Role.secretariat)
    for application in applications:
        fire(application, "recognise", secretariat)
        assert application.state == State.recognised
    return [db.session.query(Certificate).filter_by(application_id=a.id).one() for a in applications]


@dataclass
class Registry:
    knit_2031: Certificate  # superseded by knit_2032
    transformer_2031: Certificate
    knit_2032: Certificate
    circuit_2032: Certificate
    applications: list[Application]


@pytest.fixture
def registry_data(make) -> Registry:
    """Two rounds; the knitwear is recognised in both, so its 2031 certificate is superseded."""

    def enterprise(name, sector, unit):
        return make.enterprise(name=name, sector=make.sector(sector), unit_code=unit)

    textile = enterprise("Công ty Dệt may Thăng Long", "DMDG", "X-DONGANH")
    mechanics = enterprise("Công ty Cơ khí Gia Lâm", "CK", "X-GIALAM")
    electronics = enterprise("Công ty Điện tử Sóc Sơn", "DDT", "X-SOCSON")
    round_2031 = make.round(year=2031, top_n=1, reviewers_per_dossier=1, certificate_validity_months=24)
    round_2032 = make.round(year=2032, reviewers_per_dossier=1, certificate_validity_months=36)

    knit = recommended(make, round_2031, textile, 92, "Vải dệt kim Thăng Long")
    transformer = recommended(make, round_2031, mechanics, 78, "Máy biến áp phân phối 22 kV")
    knit_2031, transformer_2031 = recognise(make, round_2031, [knit, transformer])
    knit_again = recommended(make, round_2032, textile, 90, product=knit.product)
    circuit = recommended(make, round_2032, electronics, 85, "Bảng mạch điện tử")
    knit_2032, circuit_2032 = recognise(make, round_2032, [knit_again, circuit])
    db.session.expire_all()
    return Registry(
        knit_2031, transformer_2031, knit_2032, circuit_2032, [knit, transformer, knit_again, circuit]
    )


def serials(response) -> list[str]:
    return [item["serial"] for item in response.json["items"]]


# The registry ----------------------------------------------------------------------------------------


def test_registry_lists_current_certificates_with_public_fields_only(client, registry_data):
    response = client.get("/api/v1/registry")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.json
    assert set(body) == PAGE_KEYS
    # Newest round first, Top N before the rest; the superseded 2031 knitwear certificate is gone.
    data = registry_data
    assert serials(response) == [s.serial for s in (data.knit_2032, data.circuit_2032, data.transformer_2031)]
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (1, 20, 3, 1)
    knit = body["items"][0]
    assert set(knit) == ITEM_KEYS
    assert set(knit["product"]) == PRODUCT_KEYS and set(knit["product"]["sector"]) == SECTOR_KEYS
    assert set(knit["enterprise"]) == ENTERPRISE_KEYS and set(knit["enterprise"]["unit"]) == UNIT_KEYS
    certificate = registry_data.knit_2032
    assert knit == {
        "serial": certificate.serial,
        "product": {
            "id": certificate.product_id,
            "name": "Vải dệt kim Thăng Long",
            "sector": {
                "code": "DMDG",
                "name_vi": "Dệt may, da giày",
                "name_en": "Textiles, garments, leather and footwear",
            },
        },
        "enterprise": {
            "name": "Công ty Dệt may Thăng Long",
            "tax_code": certificate.enterprise.tax_code,
            "unit": {"code": "X-DONGANH", "name": "Xã Đông Anh"},
        },
        "round_year": 2032,
        "top_n": True,
        "issued_on": local_today().isoformat(),
        "valid_until": add_months(local_today(), 36).isoformat(),
        "status": "valid",
    }
    transformer = body["items"][2]
    assert (transformer["round_year"], transformer["top_n"]) == (2031, False)  # Top 1 went to the knitwear
    assert transformer["valid_until"] == add_months(local_today(), 24).isoformat()


@pytest.mark.parametrize("q", ["det may", "DỆT MAY", "dệt kim", "thang long", "THĂNG", " Det May "])
def test_search_ignores_diacritics_and_case(client, registry_data, q):
    response = client.get("/api/v1/registry", query_string={"q": q})

    assert response.status_code == 200
    assert serials(response) == [registry_data.knit_2032.serial]


def test_search_finds_products_enterprises_and_serials(client, registry_data):
    def search(q):
        return serials(client.get("/api/v1/registry", query_string={"q": q}))

    assert search("bien ap") == [registry_data.transformer_2031.serial]
    assert search("dien tu soc son") == [registry_data.circuit_2032.serial]
    assert search(registry_data.circuit_2032.serial.lower()) == [registry_data.circuit_2032.serial]
    assert search("100%") == [] and search("_") == []  # wildcards are literal
    assert search("khong co") == []


def test_filters_by_year_sector_and_unit(client, registry_data):
    def listed(**query):
        response = client.get("/api/v1/registry", query_string=query)
        assert response.status_code == 200
        return serials(response)

    data = registry_data
    assert listed(year=2031) == [data.transformer_2031.serial]  # the 2031 knitwear was superseded
    assert listed(year=2032) == [data.knit_2032.serial, data.circuit_2032.serial]
    assert listed(year=2030) == []
    assert listed(sector="DMDG") == [data.knit_2032.serial]
    assert listed(sector="ck") == [data.transformer_2031.serial]  # codes ignore case
    assert listed(unit="X-SOCSON") == [data.circuit_2032.serial]
    assert listed(unit="X-SOCSON", sector="CK") == []
    assert listed(year=2032, sector="DDT", unit="X-SOCSON", q="mach") == [data.circuit_2032.serial]
    unknown = client.get("/api/v1/registry", query_string={"sector": "NOPE", "page": 3}).json
    assert unknown == {"items": [], "page": 3, "per_page": 20, "total": 0, "pages": 0}


def test_pagination_metadata(client, registry_data):
    first = client.get("/api/v1/registry?per_page=2").json
    second = client.get("/api/v1/registry?per_page=2&page=2").json
    beyond = client.get("/api/v1/registry?per_page=2&page=3").json

    assert {k: first[k] for k in ("page", "per_page", "total", "pages")} == {
        "page": 1, "per_page": 2, "total": 3, "pages": 2
    }  # fmt: skip
    assert len(first["items"]) == 2
    assert [i["serial"] for i in second["items"]] == [registry_data.transformer_2031.serial]
    assert (second["page"], second["total"], second["pages"]) == (2, 3, 2)
    assert beyond["items"] == [] and (beyond["page"], beyond["total"]) == (3, 3)
    assert client.get("/api/v1/registry?per_page=100").json["per_page"] == 100


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("per_page=1000", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("year=abc", "year"),
        ("year=99999999999999999999999", "year"),
        ("sector=C%20K", "sector"),
        ("unit=%00", "unit"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_bad_query_parameters_are_422_json(client, query, field):
    response = client.get(f"/api/v1/registry?{query}")

    assert response.status_code == 422
    assert response.mimetype == "application/json"
    body = response.json
    assert set(body) == ERROR_KEYS
    assert (body["code"], body["status"]) == (422, "Unprocessable Entity")
    assert set(body["errors"]["query"]) == {field}


def test_search_with_a_nul_character_is_not_an_error(client, registry_data):
    # PostgreSQL refuses NUL in text parameters; the API drops it instead of failing with 500.
    response = client.get("/api/v1/registry", query_string={"q": "det\x00 may"})
    assert response.status_code == 200
    assert serials(response) == [registry_data.knit_2032.serial]


def test_registry_query_count_does_not_grow_with_the_page(client, registry_data):
    one_item = queries_to_get(client, "/api/v1/registry?per_page=1")
    three_items = queries_to_get(client, "/api/v1/registry?per_page=100")  # three enterprises, units, sectors
    assert one_item == three_items


# One product -----------------------------------------------------------------------------------------


def test_product_detail_lists_current_and_past_certificates(client, registry_data):
    knit = registry_data.knit_2032
    response = client.get(f"/api/v1/products/{knit.product_id}")

    assert response.status_code == 200
    body = response.json
    assert set(body) == DETAIL_KEYS
    assert set(body["product"]) == PRODUCT_KEYS and set(body["enterprise"]) == ENTERPRISE_KEYS
    assert body["product"]["name"] == "Vải dệt kim Thăng Long"
    assert body["enterprise"]["name"] == "Công ty Dệt may Thăng Long"
    assert all(set(c) == HISTORY_KEYS for c in body["certificates"])
    assert [(c["serial"], c["round_year"], c["status"], c["top_n"]) for c in body["certificates"]] == [
        (knit.serial, 2032, "valid", True),
        (registry_data.knit_2031.serial, 2031, "superseded", True),
    ]
    assert all(c["revoked_on"] is None for c in body["certificates"])


def test_product_without_certificate_is_404_json(client, make, registry_data):
    draft = make.application()

    for url in (
        f"/api/v1/products/{draft.product_id}",  # exists, never recognised
        "/api/v1/products/999999",
        "/api/v1/products/99999999999999999999",  # beyond any id: no database overflow
        "/api/v1/products/abc",
        "/api/v1/no-such-thing",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.mimetype == "application/json", url
        assert response.json["code"] == 404 and set(response.json) <= ERROR_KEYS


# Verification ----------------------------------------------------------------------------------------


def test_verify_a_valid_certificate(client, registry_data):
    certificate = registry_data.circuit_2032
    response = client.get(f"/api/v1/verify/{certificate.serial}")

    assert response.status_code == 200
    assert response.json == {
        "serial": certificate.serial,
        "status": "valid",
        "issued_on": local_today().isoformat(),
        "valid_until": add_months(local_today(), 36).isoformat(),
        "revoked_on": None,
        "product_name": "Bảng mạch điện tử",
        "enterprise_name": "Công ty Điện tử Sóc Sơn",
        "round_year": 2032,
        "top_n": True,
    }
    # Typed from a paper certificate: case and surrounding spaces do not matter.
    assert client.get(f"/api/v1/verify/%20{certificate.serial.lower()}").json == response.json


def test_verify_a_superseded_certificate(client, registry_data):
    body = client.get(f"/api/v1/verify/{registry_data.knit_2031.serial}").json
    assert (body["status"], body["round_year"]) == ("superseded", 2031)


def test_verify_a_revoked_certificate(client, make, registry_data):
    certificate = db.session.get(Certificate, registry_data.circuit_2032.id)
    revoke(
        certificate,
        "Vi phạm quy định về môi trường",
        "567/QĐ-UBND",
        make.user(Role.secretariat),
        local_today(),
    )
    db.session.commit()

    response = client.get(f"/api/v1/verify/{certificate.serial}")

    assert response.status_code == 200
    body = response.json
    assert set(body) == VERIFY_KEYS
    assert (body["status"], body["revoked_on"]) == ("revoked", local_today().isoformat())
    assert "Vi phạm" not in response.text and "567/QĐ-UBND" not in response.text
    assert certificate.serial not in serials(client.get("/api/v1/registry"))
    history = client.get(f"/api/v1/products/{certificate.product_id}").json["certificates"]
    assert [(c["status"], c["revoked_on"]) for c in history] == [("revoked", local_today().isoformat())]


@pytest.mark.parametrize("serial", ["CNCL-2099-9999", "nothing", "x" * 200, "%00", "' OR 1=1 --"])
def test_verify_unknown_serial_is_404_not_found(client, registry_data, serial):
    response = client.get(f"/api/v1/verify/{serial}")

    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.json == {"status": "not_found"}


# Nothing private -------------------------------------------------------------------------------------


def test_no_response_carries_private_data(client, make, registry_data):
    certificate = db.session.get(Certificate, registry_data.transformer_2031.id)
    revoke(certificate, "Lý do nội bộ bí mật", "999/QĐ-UBND", make.user(Role.secretariat), local_today())
    db.session.commit()
    applications = [db.session.get(Application, a.id) for a in registry_data.applications]
    enterprises = {a.enterprise for a in applications}
    private = {
        "1234/QĐ-UBND", "999/QĐ-UBND", "Lý do nội bộ bí mật", "Người dùng", "@example.vn", "phố Huế",
        "receipt", "score", "reviewer", "decision", "application", "address", "signer",
        *(a.receipt_code for a in applications),
        *(e.address for e in enterprises),
    }  # fmt: skip
    urls = ["/api/v1/registry", "/api/v1/registry?per_page=100&year=2031"]
    for c in (
        registry_data.knit_2031,
        registry_data.transformer_2031,
        registry_data.knit_2032,
        registry_data.circuit_2032,
    ):
        urls += [f"/api/v1/products/{c.product_id}", f"/api/v1/verify/{c.serial}"]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True)
        assert not {word for word in private if word in text}, url


# Transport: JSON errors here, HTML pages elsewhere, CSRF and security headers --------------------------


def test_api_errors_are_json_while_site_errors_stay_html(client):
    not_allowed = client.post("/api/v1/registry")
    assert not_allowed.status_code == 405 and not_allowed.mimetype == "application/json"
    assert not_allowed.json["status"] == "Method Not Allowed"
    assert "GET" in not_allowed.headers["Allow"]

    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    page = client.post("/registry")
    assert page.status_code == 405 and page.mimetype == "text/html"


def test_csrf_protection_leaves_the_api_alone_and_headers_stay(app, client, csrf_enabled, registry_data):
    response = client.get("/api/v1/registry")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in response.headers
    assert client.post("/api/v1/verify/X").status_code == 405  # not a CSRF 400: nothing to post to


# The OpenAPI document --------------------------------------------------------------------------------


def test_openapi_document_is_generated_from_the_routes(client):
    response = client.get(SPEC_URL)

    assert response.status_code == 200 and response.mimetype == "application/json"
    spec = response.json
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/api/v1/registry", "/api/v1/products/{product_id}", "/api/v1/verify/{serial}"
    }  # fmt: skip
    assert all(set(operations) <= {"get", "parameters"} for operations in spec["paths"].values())
    parameters = {p["name"]: p["schema"] for p in spec["paths"]["/api/v1/registry"]["get"]["parameters"]}
    assert set(parameters) == {"year", "sector", "unit", "q", "page", "per_page"}
    assert parameters["per_page"]["maximum"] == 100
    schemas = spec["components"]["schemas"]
    assert set(schemas["RegistryItem"]["properties"]) == ITEM_KEYS
    assert set(schemas["Verification"]["properties"]) == VERIFY_KEYS
    assert all(schemas[name]["additionalProperties"] is False for name in ("RegistryItem", "Verification"))


def isolated(app):
    """The WSGI app with an app context (and database session) per request, as in production."""

    def wsgi(environ, start_response):
        with app.app_context():
            return app(environ, start_response)

    return wsgi


def api_only_app() -> Flask:
    """Only the API, mounted as create_app() mounts it: it serves the same document, with no database,
    instance folder or evidence store to create at collection time."""
    bare = Flask(__name__)
    register_api(bare)
    return bare


# Loaded at collection time so that schemathesis makes one test per operation; the requests themselves
# go to the session's app and its seeded database. (schemathesis.pytest.from_fixture would load it from
# the `app` fixture instead, but schemathesis 4.32 reads request.node._nodeid there, gone in pytest 9.)
SPEC_APP = api_only_app()
schema = schemathesis.openapi.from_wsgi(SPEC_URL, SPEC_APP)


def test_the_tested_app_serves_the_loaded_document(client):
    assert client.get(SPEC_URL).json == SPEC_APP.test_client().get(SPEC_URL).json


def test_seeded_responses_match_the_document(app, registry_data):
    """The documented 200s, with data that exists (random serials would only ever find 404)."""
    registry = schema["/api/v1/registry"]["GET"]
    product = schema["/api/v1/products/{product_id}"]["GET"]
    verify = schema["/api/v1/verify/{serial}"]["GET"]
    cases = [
        registry.Case(query={}),
        registry.Case(query={"q": "det may", "year": 2032, "sector": "DMDG", "unit": "X-DONGANH"}),
        registry.Case(query={"per_page": 1, "page": 2}),
        product.Case(path_parameters={"product_id": registry_data.knit_2031.product_id}),
        verify.Case(path_parameters={"serial": registry_data.knit_2031.serial}),
        verify.Case(path_parameters={"serial": registry_data.circuit_2032.serial}),
    ]
    for case in cases:
        response = case.call_and_validate(app=isolated(app))
        assert response.status_code == 200, case


# The API only reads, so the dataset a test seeds once stays valid for all of Hypothesis's examples.
# How many examples: the hypothesis profile's (tests/conftest.py; 50 under "ci", 10 under "dev").
@settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@schema.parametrize()
def test_every_response_matches_the_document(case, app, registry_data):
    case.call_and_validate(app=isolated(app))
