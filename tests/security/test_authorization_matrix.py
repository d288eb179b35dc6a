"""G1: every url_map rule × 7 actors × {own, foreign} object (H01–H04, H07).

Expected, from DESIGN.md "Who uses it": anonymous visitors of staff pages go to /login; a role without
access gets 403; a role with access gets 404 for an object outside its tenant (another enterprise,
another unit, a dossier not assigned); refused POSTs change nothing in the database. A rule missing
from ACCESS fails the test, so every new route has to be classified here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import url_for
from sqlalchemy import select

from recognition import create_app
from recognition.cases.models import Application
from recognition.extensions import db
from tests.security import ACTORS, World, build_world, changed_tables, client_for, fingerprint

PUBLIC = "public"  # anyone, logged in or not
LOGGED_IN = "logged_in"  # any logged-in user (log out)
APPLICANT = "applicant"  # applicants, their own enterprise's objects only
UNIT = "unit"  # unit officers, their own unit's dossiers only
COUNCIL = "council"  # council members, their own assignments only
SECRETARIAT_VETTING = "secretariat_vetting"  # the secretariat, dossiers of rounds it vets
SECRETARIAT = "secretariat"  # the secretariat (the Department sees every submitted dossier)
REPORTS = "reports"  # the secretariat, and the administrator reading (no tenant)
ADMIN = "admin"

ACCESS: dict[str, str] = {
    "/": PUBLIC,
    "/healthz": PUBLIC,
    "/static/<path:filename>": PUBLIC,
    "/bootstrap/static/<path:filename>": PUBLIC,
    "/lang/<code>": PUBLIC,
    "/login": PUBLIC,
    "/register": PUBLIC,
    "/register/confirm/<token>": PUBLIC,
    "/logout": LOGGED_IN,
    "/account/password": LOGGED_IN,
    "/notices": LOGGED_IN,
    "/notices/open": LOGGED_IN,
    "/notices/read": LOGGED_IN,
    "/secretariat/mail": SECRETARIAT,
    "/secretariat/mail/send-again": SECRETARIAT,
    "/registry": PUBLIC,
    "/registry/<int:product_id>": PUBLIC,
    "/suppliers/": PUBLIC,
    "/suppliers/<int:enterprise_id>": PUBLIC,
    "/verify/<serial>": PUBLIC,
    "/track": PUBLIC,
    "/results/<int:round_id>": PUBLIC,
    "/results/answer": PUBLIC,
    "/api/v1/openapi.json": PUBLIC,
    "/api/v1/registry": PUBLIC,
    "/api/v1/products/<int(max=2147483647):product_id>": PUBLIC,
    "/api/v1/verify/<serial>": PUBLIC,
    "/admin/": ADMIN,
    "/admin/accounts": ADMIN,
    "/admin/accounts/new": ADMIN,
    "/admin/accounts/<int:user_id>": ADMIN,
    "/admin/accounts/<int:user_id>/deactivate": ADMIN,
    "/admin/accounts/<int:user_id>/reactivate": ADMIN,
    "/admin/units": ADMIN,
    "/admin/units/new": ADMIN,
    "/admin/units/<int:unit_id>": ADMIN,
    "/applicant/": APPLICANT,
    "/applicant/profile": APPLICANT,
    "/applicant/applications/new": APPLICANT,
    "/applicant/certificates/<int:certificate_id>.pdf": APPLICANT,
    "/applicant/applications/<int:application_id>": APPLICANT,
    "/applicant/applications/<int:application_id>/support": APPLICANT,
    "/applicant/applications/<int:application_id>/selection-letter.pdf": APPLICANT,
    "/applicant/applications/<int:application_id>/product": APPLICANT,
    "/applicant/applications/<int:application_id>/figures": APPLICANT,
    "/applicant/applications/<int:application_id>/eligibility": APPLICANT,
    "/applicant/applications/<int:application_id>/quality": APPLICANT,
    "/applicant/applications/<int:application_id>/self-assessment": APPLICANT,
    "/applicant/applications/<int:application_id>/commitment": APPLICANT,
    "/applicant/applications/<int:application_id>/documents": APPLICANT,
    "/applicant/applications/<int:application_id>/documents/<int:document_id>": APPLICANT,
    "/applicant/applications/<int:application_id>/submit": APPLICANT,
    "/applicant/applications/<int:application_id>/receipt": APPLICANT,
    "/applicant/applications/<int:application_id>/receipt.pdf": APPLICANT,
    "/applicant/applications/<int:application_id>/lookup-secret": APPLICANT,
    "/applicant/applications/<int:application_id>/supplement": APPLICANT,
    "/applicant/applications/<int:application_id>/withdraw": APPLICANT,
    "/applicant/applications/<int:application_id>/supplement-request.pdf": APPLICANT,
    "/applicant/applications/<int:application_id>/refusal.pdf": APPLICANT,
    "/applicant/supplier-profile/": APPLICANT,
    "/unit/": UNIT,
    "/unit/dossiers/<int:application_id>": UNIT,
    "/unit/dossiers/<int:application_id>/start": UNIT,
    "/unit/dossiers/<int:application_id>/supplement": UNIT,
    "/unit/dossiers/<int:application_id>/endorse": UNIT,
    "/unit/dossiers/<int:application_id>/reject": UNIT,
    "/unit/dossiers/<int:application_id>/documents/<int:document_id>": UNIT,
    "/unit/dossiers/<int:application_id>/supplement-request.pdf": UNIT,
    "/unit/dossiers/<int:application_id>/refusal.pdf": UNIT,
    "/secretariat/vetting/": SECRETARIAT_VETTING,
    "/secretariat/vetting/dossiers/<int:application_id>": SECRETARIAT_VETTING,
    "/secretariat/vetting/dossiers/<int:application_id>/start": SECRETARIAT_VETTING,
    "/secretariat/vetting/dossiers/<int:application_id>/supplement": SECRETARIAT_VETTING,
    "/secretariat/vetting/dossiers/<int:application_id>/endorse": SECRETARIAT_VETTING,
    "/secretariat/vetting/dossiers/<int:application_id>/reject": SECRETARIAT_VETTING,
    "/secretariat/vetting/dossiers/<int:application_id>/documents/<int:document_id>": SECRETARIAT_VETTING,
    "/secretariat/vetting/dossiers/<int:application_id>/supplement-request.pdf": SECRETARIAT_VETTING,
    "/secretariat/vetting/dossiers/<int:application_id>/refusal.pdf": SECRETARIAT_VETTING,
    "/council/": COUNCIL,
    "/council/assignments/<int:assignment_id>": COUNCIL,
    "/council/assignments/<int:assignment_id>/declare": COUNCIL,
    "/council/assignments/<int:assignment_id>/score": COUNCIL,
    "/council/assignments/<int:assignment_id>/documents/<int:document_id>": COUNCIL,
    "/secretariat/": SECRETARIAT,
    "/secretariat/calendar": SECRETARIAT,
    "/secretariat/audit/anchors": SECRETARIAT,
    "/secretariat/audit/anchors/<day>.txt": SECRETARIAT,
    "/secretariat/dossiers/": SECRETARIAT,
    "/secretariat/dossiers/<int:application_id>": SECRETARIAT,
    "/secretariat/dossiers/<int:application_id>/documents/<int:document_id>": SECRETARIAT,
    "/secretariat/dossiers/<int:application_id>/selection-letter.pdf": SECRETARIAT,
    "/secretariat/calendar/<day>/remove": SECRETARIAT,
    "/secretariat/rounds/new": SECRETARIAT,
    "/secretariat/rounds/clone": SECRETARIAT,
    "/secretariat/rounds/<int:round_id>": SECRETARIAT,
    "/secretariat/rounds/<int:round_id>/criteria": SECRETARIAT,
    "/secretariat/rounds/<int:round_id>/documents": SECRETARIAT,
    "/secretariat/rounds/<int:round_id>/council": SECRETARIAT,
    "/secretariat/rounds/<int:round_id>/council/<int:user_id>/remove": SECRETARIAT,
    "/secretariat/review/rounds/<int:round_id>/assignments": SECRETARIAT,
    "/secretariat/review/rounds/<int:round_id>/assign-evenly": SECRETARIAT,
    "/secretariat/review/rounds/<int:round_id>/board": SECRETARIAT,
    "/secretariat/review/rounds/<int:round_id>/conclude": SECRETARIAT,
    "/secretariat/review/applications/<int:application_id>/reviewers": SECRETARIAT,
    "/secretariat/review/applications/<int:application_id>/open-review": SECRETARIAT,
    "/secretariat/review/applications/<int:application_id>/conclude": SECRETARIAT,
    "/secretariat/honours/rounds/<int:round_id>": SECRETARIAT,
    "/secretariat/honours/rounds/<int:round_id>/publish": SECRETARIAT,
    "/secretariat/honours/rounds/<int:round_id>/recognise": SECRETARIAT,
    "/secretariat/honours/objections/<int:objection_id>": SECRETARIAT,
    "/secretariat/honours/objections/<int:objection_id>/file": SECRETARIAT,
    "/secretariat/honours/rounds/<int:round_id>/close-comments": SECRETARIAT,
    "/secretariat/honours/certificates/<int:certificate_id>.pdf": SECRETARIAT,
    "/secretariat/honours/certificates/<int:certificate_id>/revoke": SECRETARIAT,
    "/secretariat/honours/rounds/<int:round_id>/minutes.<any(pdf, docx):kind>": SECRETARIAT,
    "/secretariat/honours/rounds/<int:round_id>/results-notice.pdf": SECRETARIAT,
    "/secretariat/honours/rounds/<int:round_id>/submission.<any(pdf, docx):kind>": SECRETARIAT,
    "/secretariat/support/": SECRETARIAT,
    "/secretariat/support/rounds/<int:round_id>": SECRETARIAT,
    "/secretariat/support/enterprises/<int:enterprise_id>": SECRETARIAT,
    "/secretariat/supporting/": SECRETARIAT,
    "/secretariat/supporting/firms/<int:enterprise_id>": SECRETARIAT,
    "/secretariat/exports/rounds/<int:round_id>.xlsx": SECRETARIAT,
    "/secretariat/exports/rounds/<int:round_id>/applications.csv": SECRETARIAT,
    "/secretariat/exports/rounds/<int:round_id>/scores.csv": SECRETARIAT,
    "/secretariat/exports/rounds/<int:round_id>/certificates.csv": SECRETARIAT,
    "/secretariat/exports/rounds/<int:round_id>/report": SECRETARIAT,
    "/secretariat/reports/": REPORTS,
    "/secretariat/reports/rounds/<int:round_id>": REPORTS,
    "/secretariat/reports/rounds/<int:round_id>/city-totals": SECRETARIAT,
    "/secretariat/supporting/imports/": SECRETARIAT,
    "/secretariat/supporting/imports/preview": SECRETARIAT,
    "/secretariat/supporting/imports/confirm": SECRETARIAT,
    "/secretariat/supporting/imports/rejects.xlsx": SECRETARIAT,
    "/secretariat/supporting/imports/rejects.csv": SECRETARIAT,
    "/secretariat/supporting/imports/template.xlsx": SECRETARIAT,
    "/secretariat/supporting/imports/template.csv": SECRETARIAT,
    "/secretariat/supporting/dashboard/": SECRETARIAT,
    "/secretariat/supporting/dashboard/figures": SECRETARIAT,
}

# Who holds the role a class needs (the outsider holds applicant, officer and council roles, for
# an enterprise, a unit and assignments that are none of the world's).
HOLDERS = {
    APPLICANT: {"applicant", "outsider"},
    UNIT: {"officer", "outsider"},
    COUNCIL: {"council", "outsider"},
    SECRETARIAT_VETTING: {"secretariat"},
    SECRETARIAT: {"secretariat"},
    REPORTS: {"secretariat", "admin"},
    ADMIN: {"admin"},
}
OBJECT_ARGS = {
    "application_id", "document_id", "assignment_id", "round_id", "objection_id", "certificate_id",
    "user_id", "day", "serial", "product_id", "enterprise_id",
}  # fmt: skip
# POSTs that delete or reassign: run after every other check.
DESTRUCTIVE_LAST = (
    "rounds.remove_member", "rounds.remove_calendar_day", "admin.deactivate", "accounts.logout",
)  # fmt: skip
# Form data a permitted POST needs to reach its handler (otherwise empty forms: nothing is valid).
POST_DATA = {"review_board.add_reviewer": lambda world, side: {"user_id": str(world.side(side).council.id)}}


def _url_map():
    return create_app({"SECRET_KEY": "x", "TESTING": True}).url_map  # the routes of the app under test


RULES = sorted(
    (
        rule.endpoint,
        rule.rule,
        tuple(sorted(rule.methods - {"HEAD", "OPTIONS"})),
        tuple(sorted(rule.arguments)),
    )
    for rule in _url_map().iter_rules()
)


def group_of(endpoint: str) -> str:
    access = ACCESS.get(next(r for e, r, _m, _a in RULES if e == endpoint))
    return "public" if access in (PUBLIC, LOGGED_IN) else endpoint.split(".")[0]


GROUPS = sorted({group_of(endpoint) for endpoint, rule, _m, _a in RULES if rule in ACCESS})


def test_every_rule_is_classified():
    """A new route fails here until it is given an access class (and a stale entry fails too)."""
    rules = {rule for _e, rule, _m, _a in RULES}
    assert sorted(rules - ACCESS.keys()) == [], "routes without an access class in ACCESS"
    assert sorted(ACCESS.keys() - rules) == [], "ACCESS lists routes the app no longer has"


def expected(access: str, actor: str, side: str, has_object: bool) -> str:
    """'ok', 'login', '403' or '404'."""
    if access == PUBLIC:
        return "ok"
    if actor == "anonymous":
        return "login"
    if access == LOGGED_IN:
        return "ok"
    if actor not in HOLDERS[access]:
        return "403"
    if not has_object:
        return "ok"
    if side == "mixed":
        return "404"
    if access in (SECRETARIAT, SECRETARIAT_VETTING, REPORTS, ADMIN):  # no tenant: they see every object
        return "ok"
    if actor == "outsider":
        return "404"
    return "ok" if side == "own" else "404"


def outcome(response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        path = urlsplit(response.headers.get("Location", "")).path
        return "login" if path == "/login" else "ok"
    if 200 <= status < 300:
        return "ok"
    return str(status)


def url_values(world: World, endpoint: str, arguments: tuple, side: str) -> dict:
    """Real ids for the rule's arguments; `mixed` takes the own dossier with the foreign document."""
    mine = world.side("foreign" if side == "foreign" else "own")
    theirs = world.foreign
    blueprint = endpoint.split(".")[0]
    application_id = {
        "nomination": mine.supplement_id,
        "vetting": mine.supplement_id,
        "secretariat_vetting": mine.secretariat_vetted_id,
        "dossiers": mine.supplement_id,
        "review_board": mine.review_id,
        "review": mine.review_id,
    }.get(blueprint)
    document_owner = theirs if side == "mixed" else mine
    document_application = {
        "nomination": document_owner.supplement_id,
        "vetting": document_owner.supplement_id,
        "secretariat_vetting": document_owner.secretariat_vetted_id,
        "dossiers": document_owner.supplement_id,
        "review": document_owner.review_id,
    }.get(blueprint)
    values = {
        "application_id": application_id,
        "document_id": document_owner.documents.get(document_application),
        "assignment_id": mine.assignment_id,
        "round_id": world.round_id if side != "foreign" else world.other_round_id,
        "objection_id": mine.objection_id,
        "certificate_id": mine.certificate_id,
        "user_id": mine.council.id,
        "unit_id": db.session.get(Application, mine.supplement_id).vetting_unit_id,
        "day": mine.day,
        "serial": mine.serial,
        "product_id": mine.product_id,
        "enterprise_id": mine.enterprise_id,
        "code": "vi" if side == "own" else "en",
        "token": "not-a-valid-link",
        "kind": "pdf",  # a round document's format (the same view serves its DOCX)
        "filename": "js/eligibility.js" if endpoint == "static" else "css/bootstrap.min.css",
    }
    return {name: values[name] for name in arguments}


def sides_for(arguments: tuple) -> tuple[str, ...]:
    if not OBJECT_ARGS & set(arguments):
        return ("own",)
    if "document_id" in arguments:
        return ("own", "foreign", "mixed")
    return ("own", "foreign")


def run_group(app, make, group: str) -> list[str]:
    world = build_world(app, make)
    clients = {actor: client_for(app, world.user(actor)) for actor in ACTORS}
    rules = [r for r in RULES if group_of(r[0]) == group]
    failures: list[str] = []

    def url(endpoint, arguments, side):
        with app.test_request_context():
            return url_for(endpoint, **url_values(world, endpoint, arguments, side))

    def check(endpoint, method, actor, side, want, arguments):
        target = url(endpoint, arguments, side)
        client = clients[actor]
        if endpoint == "accounts.logout" and actor != "anonymous":
            client = client_for(app, world.user(actor))  # a fresh session to spend on logging out
        data = POST_DATA[endpoint](world, side) if endpoint in POST_DATA and method == "POST" else {}
        response = client.open(target, method=method, data=data)
        got = outcome(response)
        if got != want:
            failures.append(
                f"{method} {target} as {actor} ({side}): expected {want}, got {response.status_code}"
            )
        if response.status_code in (301, 302, 303) and got == "ok":
            client.get("/")  # show (and so drop) the flashed messages, keeping the cookie small

    # 1. Every GET, by everyone, on every object.
    for endpoint, rule, methods, arguments in rules:
        if "GET" not in methods:
            continue
        for side in sides_for(arguments):
            for actor in ACTORS:
                want = expected(ACCESS[rule], actor, side, bool(OBJECT_ARGS & set(arguments)))
                check(endpoint, "GET", actor, side, want, arguments)

    # 2. Every POST: first the refused ones, proven to change nothing, then the permitted ones.
    posts = sorted(
        (r for r in rules if "POST" in r[2]),
        key=lambda r: (r[0] in DESTRUCTIVE_LAST, r[0] == "accounts.logout"),
    )
    for endpoint, rule, _methods, arguments in posts:
        combos = [
            (actor, side, expected(ACCESS[rule], actor, side, bool(OBJECT_ARGS & set(arguments))))
            for side in sides_for(arguments)
            for actor in ACTORS
        ]
        refused = [c for c in combos if c[2] != "ok"]
        before = fingerprint()
        states_before = dict(db.session.execute(select(Application.id, Application.state)).all())
        for actor, side, want in refused:
            check(endpoint, "POST", actor, side, want, arguments)
        after = fingerprint()
        if refused and before != after:
            failures.append(f"POST {rule}: refused requests changed {changed_tables(before, after)}")
        db.session.expire_all()
        assert dict(db.session.execute(select(Application.id, Application.state)).all()) == states_before
        for actor, side, want in combos:
            if want == "ok":
                check(endpoint, "POST", actor, side, want, arguments)
    return failures


@pytest.mark.parametrize("group", GROUPS)
def test_matrix(app, make, group):
    failures = run_group(app, make, group)
    assert failures == [], "\n".join(failures)


def _receipt_codes(side) -> set[str]:
    ids = (side.supplement_id, side.review_id, side.recognised_id, side.secretariat_vetted_id)
    return set(db.session.scalars(select(Application.receipt_code).where(Application.id.in_(ids))))


def test_lists_and_searches_show_no_foreign_rows(app, make):
    """H03: lists, search, filters and counts of applicant, officer and council member stay in their
    tenant, also when the query names the foreign unit, round, state or tax code."""
    world = build_world(app, make)
    own, foreign = _receipt_codes(world.own), _receipt_codes(world.foreign)
    from recognition.accounts.models import Enterprise

    foreign_enterprise = db.session.get(Enterprise, world.foreign.enterprise_id)
    pages = {
        "applicant": ["/applicant/", "/applicant/applications/new"],
        "officer": [
            "/unit/",
            f"/unit/?q={foreign_enterprise.tax_code}",
            f"/unit/?unit={foreign_enterprise.unit_id}&unit_id={foreign_enterprise.unit_id}",
            *(
                f"/unit/?state={state}"
                for state in ("submitted", "vetting", "supplement_requested", "endorsed")
            ),
            f"/unit/?round={world.round_id}",
        ],
        "council": ["/council/"],
    }
    for actor, urls in pages.items():
        client = client_for(app, world.user(actor))
        seen_own = False
        for target in urls:
            response = client.get(target)
            assert response.status_code == 200, target
            leaked = sorted(code for code in foreign if code in response.text)
            assert leaked == [], f"{actor} sees foreign dossiers on {target}"
            assert foreign_enterprise.name not in response.text, (actor, target)
            seen_own = seen_own or any(code in response.text for code in own)
        assert seen_own or actor == "applicant", f"{actor}'s lists show nothing at all: the check is void"
