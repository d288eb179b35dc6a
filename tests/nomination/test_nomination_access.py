"""An applicant of enterprise A gets 404 on every nomination URL of enterprise B's application."""

import pytest
from sqlalchemy import select

from recognition import create_app
from recognition.accounts.models import Role
from recognition.cases.models import Application, Document
from recognition.extensions import db
from tests.conftest import fire

RULES = sorted(
    (rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
    for rule in create_app({"SECRET_KEY": "x"}).url_map.iter_rules()
    if rule.endpoint.startswith("nomination.") and "<int:application_id>" in rule.rule
)


def test_every_application_route_of_the_blueprint_is_covered():
    assert len(RULES) >= 14


@pytest.fixture
def foreign_application(make):
    """B's submitted application, with a document (so every route has something to leak)."""
    application = make.application()
    fire(application, "submit", make.applicant_of(application))
    return application


@pytest.mark.parametrize(("rule", "methods"), RULES)
def test_foreign_application_is_not_found_on_every_route(login_as, foreign_application, rule, methods):
    client = login_as(Role.applicant)
    document_id = db.session.scalar(
        select(Document.id).where(Document.application_id == foreign_application.id)
    )
    url = rule.replace("<int:application_id>", str(foreign_application.id)).replace(
        "<int:document_id>", str(document_id)
    )
    state_before = foreign_application.state
    for method in methods:
        response = client.open(url, method=method, data={"reason": "x", "declaration": "y"})
        assert response.status_code == 404, (method, url)
    db.session.expire_all()
    assert db.session.get(Application, foreign_application.id).state == state_before


def test_own_application_routes_answer(login_as, make):
    application = make.application()
    client = login_as(Role.applicant, enterprise=application.enterprise)
    assert client.get(f"/applicant/applications/{application.id}").status_code == 200
    assert client.get(f"/applicant/applications/{application.id}/documents").status_code == 200
