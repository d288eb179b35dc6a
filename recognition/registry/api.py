"""The read-only JSON API (under /api/v1): registry, one product, certificate verification.

flask-smorest builds the OpenAPI document (/api/v1/openapi.json) from the marshmallow schemas and the
route declarations below, so the document cannot drift from what the code answers. Every schema is an
allowlist of what the public registry already shows: no application ids, scores, people or reasons.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from typing import Any

import marshmallow as ma
from flask import Flask, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_smorest import Api, Blueprint, abort
from flask_smorest.error_handler import ErrorSchema
from marshmallow import fields, validate
from sqlalchemy import select
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from recognition.accounts.models import AdministrativeUnit, Sector
from recognition.extensions import csrf, db
from recognition.honours.models import Certificate, CertificateStatus
from recognition.registry.queries import (
    PAGE_SIZE,
    RegistryFilters,
    certificate_by_serial,
    product_certificates,
    registry_page,
)

API_PREFIX = "/api/v1"
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
MAX_ID = 2**31 - 1  # integer primary keys on PostgreSQL; larger values cannot name a row
CODE_PATTERN = r"^[A-Za-z0-9-]{1,20}$"
SERIAL_PATTERN = re.compile(r"[A-Z0-9-]{1,40}")


# Query arguments ------------------------------------------------------------------------------------


class RegistryQuery(ma.Schema):
    year = fields.Integer(
        validate=validate.Range(min=1900, max=9999), metadata={"description": "Round year."}
    )
    sector = fields.String(
        validate=validate.Regexp(CODE_PATTERN),
        metadata={"description": "Sector code, e.g. CK."},
    )
    unit = fields.String(
        validate=validate.Regexp(CODE_PATTERN),
        metadata={"description": "Administrative unit code, e.g. X-DONGANH."},
    )
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Product name, enterprise name or serial; ignores case and diacritics."},
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PER_PAGE))


# Responses: each field required, nothing beyond what is declared -----------------------------------


class SectorOut(ma.Schema):
    code = fields.String(required=True)
    name_vi = fields.String(required=True)
    name_en = fields.String(required=True)


class UnitOut(ma.Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class ProductOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    sector = fields.Nested(SectorOut, required=True)


class EnterpriseOut(ma.Schema):
    name = fields.String(required=True)
    tax_code = fields.String(required=True)
    unit = fields.Nested(UnitOut, required=True, metadata={"description": "Administrative unit."})


class RegistryItem(ma.Schema):
    serial = fields.String(required=True)
    product = fields.Nested(ProductOut, required=True, attribute="recognised_product")
    enterprise = fields.Nested(EnterpriseOut, required=True, attribute="recognised_enterprise")
    round_year = fields.Integer(required=True)
    top_n = fields.Boolean(required=True, metadata={"description": "Among the round's Top N (tiêu biểu)."})
    issued_on = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    status = fields.Enum(CertificateStatus, by_value=True, required=True, attribute="current_status")


class RegistryPage(ma.Schema):
    items = fields.List(fields.Nested(RegistryItem), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


class CertificateOut(ma.Schema):
    serial = fields.String(required=True)
    round_year = fields.Integer(required=True, attribute="round.year")
    top_n = fields.Boolean(required=True)
    issued_on = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    status = fields.Enum(CertificateStatus, by_value=True, required=True, attribute="current_status")
    revoked_on = fields.Date(required=True, allow_none=True)


class ProductDetail(ma.Schema):
    product = fields.Nested(ProductOut, required=True)
    enterprise = fields.Nested(EnterpriseOut, required=True)
    certificates = fields.List(
        fields.Nested(CertificateOut), required=True, metadata={"description": "Newest first."}
    )


class Verification(ma.Schema):
    serial = fields.String(required=True)
    status = fields.Enum(CertificateStatus, by_value=True, required=True, attribute="current_status")
    issued_on = fields.Date(required=True)
    valid_until = fields.Date(required=True)
    revoked_on = fields.Date(required=True, allow_none=True)
    product_name = fields.String(required=True)
    enterprise_name = fields.String(required=True)
    round_year = fields.Integer(required=True, attribute="round.year")
    top_n = fields.Boolean(required=True)


class VerificationNotFound(ma.Schema):
    status = fields.String(required=True, validate=validate.OneOf(["not_found"]))


# Routes ---------------------------------------------------------------------------------------------

bp = Blueprint(
    "api", __name__, url_prefix=API_PREFIX, description="Registry of recognised products; verification."
)


@bp.route("/registry")
@bp.arguments(RegistryQuery, location="query")
@bp.response(200, RegistryPage)
def registry(query: dict[str, Any]) -> dict[str, Any]:
    """Valid certificates, newest round first."""
    page, per_page = query["page"], query["per_page"]
    sector_id = _reference_id(Sector, query.get("sector"))
    unit_id = _reference_id(AdministrativeUnit, query.get("unit"))
    if sector_id == 0 or unit_id == 0:
        return {"items": [], "page": page, "per_page": per_page, "total": 0, "pages": 0}
    # PostgreSQL refuses NUL in text parameters; nothing in the registry contains one.
    search = query.get("q", "").replace("\x00", "")
    filters = RegistryFilters(year=query.get("year"), sector_id=sector_id, unit_id=unit_id, search=search)
    result = registry_page(filters, page=page, per_page=per_page)
    return {
        "items": result.items,
        "page": page,
        "per_page": per_page,
        "total": result.total,
        "pages": result.pages,
    }


@bp.route(f"/products/<int(max={MAX_ID}):product_id>")
@bp.response(200, ProductDetail)
@bp.alt_response(404, schema=ErrorSchema, description="The product has no certificate.")
def product(product_id: int) -> ResponseReturnValue:
    """A recognised product with its certificates, current and past."""
    certificates = product_certificates(product_id)
    if not certificates:
        abort(404, message="This product is not in the registry.")
    current = certificates[0]
    return {
        "product": current.recognised_product,
        "enterprise": current.recognised_enterprise,
        "certificates": certificates,
    }


@bp.route("/verify/<serial>")
@bp.response(200, Verification)
@bp.alt_response(404, schema=VerificationNotFound, description="No certificate has this serial.")
def verify(serial: str) -> Certificate | Response:
    """The status of one certificate, as its QR code links to it."""
    normalised = serial.strip().upper()
    certificate = certificate_by_serial(normalised) if SERIAL_PATTERN.fullmatch(normalised) else None
    if certificate is None:
        response = jsonify({"status": "not_found"})
        response.status_code = 404
        return response
    return certificate


def _reference_id(model: type[Sector] | type[AdministrativeUnit], code: str | None) -> int | None:
    """The id of the sector or unit with this code; None without a code, 0 for an unknown one."""
    if not code:
        return None
    return db.session.scalar(select(model.id).where(model.code == code.upper())) or 0


# Errors: JSON in the documented ErrorSchema for the API, the site's HTML pages everywhere else --------


# The API's error answer: the ErrorSchema body, the status, the headers (Allow on a 405).
JsonError = tuple[dict[str, Any], int | None, dict[str, str]]


def _json_error(error: HTTPException) -> JsonError:
    db.session.rollback()  # as every error handler does (recognition.policy)
    body: dict[str, Any] = {"code": error.code, "status": error.name}
    data = getattr(error, "data", None) or {}
    body["message"] = data.get("message", error.description)
    errors = data.get("errors", data.get("messages"))
    if errors:
        body["errors"] = errors
    headers = dict(data.get("headers") or {})
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return body, error.code, headers


bp.register_error_handler(HTTPException, _json_error)
bp.register_error_handler(500, _json_error)


def _routing_error(error: HTTPException) -> JsonError | ResponseReturnValue | Awaitable[ResponseReturnValue]:
    """404 and 405 from URL matching belong to no blueprint: answer JSON under the API prefix."""
    db.session.rollback()
    if request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/"):
        return _json_error(error)
    site_handler = current_app.error_handler_spec[None][None].get(HTTPException)
    return site_handler(error) if site_handler else error


class RegistryApi(Api):
    """flask-smorest's Api without its app-wide HTTPException handler, which would make every page JSON,
    and without the X-Pagination header's schema (the pages carry their metadata in the body)."""

    def _register_error_handlers(self) -> None:
        self._app.register_error_handler(404, _routing_error)
        self._app.register_error_handler(405, _routing_error)

    def _register_pagination_header(self) -> None:
        pass


def register_api(app: Flask) -> None:
    """Called by create_app(); the API module owns how it is mounted (and its OpenAPI document)."""
    app.config.setdefault("API_TITLE", "Hanoi key industrial products: registry API")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = RegistryApi(app)
    api.register_blueprint(bp)
    csrf.exempt(bp)  # GET only: nothing here changes state, so there is nothing to forge
