"""Integer query parameters: Unicode digits ('²' passes str.isdigit() but not int()), other scripts'
digits, fullwidth digits and numbers beyond the database's range are ignored or refused, never a 500."""

from __future__ import annotations

import pytest

from recognition.accounts.models import Role
from recognition.rounds.models import VettingBody
from tests.security import client_for

VALUES = ["²", "١٢", "１２", "1²", "۳", "߁", "9" * 30, "-1", "1e9", " 12", "12\u00a0", "0x10", "+3"]

# endpoint -> (actor, integer parameters it reads)
ENDPOINTS = {
    "/registry": (None, ("year", "sector", "unit", "page")),
    "/api/v1/registry": (None, ("year", "sector", "unit", "page", "per_page")),
    "/unit/": (Role.unit_officer, ("round", "sector", "page")),
    "/secretariat/vetting/": (Role.secretariat, ("round", "sector", "page")),
    "eligibility": (Role.applicant, ("revenue_vnd", "export_value_usd")),
}


@pytest.fixture
def clients(app, make):
    """One client per actor, and the applicant's own draft for the live eligibility check."""
    application = make.application(round=make.round(vetting_body=VettingBody.unit))
    return {
        None: app.test_client(),
        Role.unit_officer: client_for(app, make.officer_of(application)),
        Role.secretariat: client_for(app, make.user(Role.secretariat)),
        Role.applicant: client_for(app, make.applicant_of(application)),
    }, application


@pytest.mark.parametrize("path", ENDPOINTS)
def test_odd_digits_in_integer_parameters_never_cause_a_server_error(clients, path):
    """Every parameter the page reads, with every odd value; one set of accounts serves them all
    (built once per page, not once per value), and the failures are listed together."""
    by_actor, application = clients
    actor, names = ENDPOINTS[path]
    url = f"/applicant/applications/{application.id}/eligibility" if path == "eligibility" else path
    expected = (200, 422) if path.startswith("/api/") else (200,)
    failures = []
    for name in names:
        for value in VALUES:
            response = by_actor[actor].get(url, query_string={name: value})
            if response.status_code not in expected:
                failures.append(f"{name}={value!r}: {response.status_code} {response.text[:200]}")
    assert not failures, "\n".join(failures)


def test_the_live_eligibility_check_folds_fullwidth_digits_and_ignores_other_scripts(clients):
    by_actor, application = clients
    url = f"/applicant/applications/{application.id}/eligibility"

    def eligible(revenue: str) -> bool:
        return by_actor[Role.applicant].get(url, query_string={"revenue_vnd": revenue}).get_json()["eligible"]

    assert eligible("150.000.000.000")
    assert eligible("１５０.０００.０００.０００")  # fullwidth, as some input methods type them
    assert not eligible("١٥٠٠٠٠٠٠٠٠٠٠٠")  # Arabic-Indic digits are not read as a number


@pytest.mark.parametrize("user_id", ["99999999999", "١٢", "²"])
def test_assigning_a_reviewer_by_an_odd_id_is_not_found(app, make, user_id):
    application = make.application()
    secretariat = client_for(app, make.user(Role.secretariat))
    response = secretariat.post(
        f"/secretariat/review/applications/{application.id}/reviewers", data={"user_id": user_id}
    )
    assert response.status_code == 404
