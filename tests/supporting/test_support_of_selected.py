"""Support logged for an enterprise selected for support (issue 12): like a recognised one, it has a
support log from its selection decision on and appears in its round's coverage; an enterprise neither
recognised nor selected still has none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from recognition.accounts.models import Enterprise, Role
from recognition.cases.models import RecordChange
from recognition.clock import local_today
from recognition.extensions import db
from recognition.reports.support import support_coverage
from recognition.reports.support_models import SupportKind, SupportRecord
from recognition.rounds.models import Round, RoundOutcome, VettingReportKind
from recognition.supporting.models import Selection
from recognition.supporting.selections import issue_selection
from tests.conftest import client_for
from tests.queries import queries_to_get


@pytest.fixture
def secretariat_user(make):
    return make.user(Role.secretariat)


@pytest.fixture
def secretariat(app, secretariat_user):
    return client_for(app, secretariat_user, lang="en")


@pytest.fixture
def selection_round(make) -> Round:
    return make.round(
        programme=make.programme("CNHT"),
        title="Lựa chọn doanh nghiệp tham gia Chương trình phát triển công nghiệp hỗ trợ",
        outcome=RoundOutcome.selection,
        vetting_report=VettingReportKind.survey,
        support_areas=["standards", "supply_chain", "technology"],
    )


def select_for_support(
    make, round_: Round, enterprise: Enterprise | None = None, days_ago: int = 10
) -> Selection:
    """What the Department's decision leaves behind, without walking the dossier through the workflow."""
    application = make.application(round=round_, enterprise=enterprise)
    application.support_sought = ["standards", "supply_chain"]
    sequence = db.session.scalar(select(func.count(Selection.id))) + 1
    decided = local_today() - timedelta(days=days_ago)
    selection = issue_selection(
        application, f"{100 + sequence}/QĐ-SCT", decided, "Giám đốc Sở Công Thương", decided
    )
    db.session.commit()
    return selection


def log_support(client, enterprise_id: int, **fields):
    data = {
        "kind": "standards",
        "date": local_today().isoformat(),
        "programme": "Chương trình phát triển công nghiệp hỗ trợ thành phố Hà Nội",
        "amount_vnd": "80.000.000",
        "note": "Hỗ trợ tư vấn áp dụng IATF 16949",
        **fields,
    }
    return client.post(f"/secretariat/support/enterprises/{enterprise_id}", data=data)


def test_support_is_logged_for_a_selected_enterprise(make, secretariat, secretariat_user, selection_round):
    selection = select_for_support(make, selection_round)
    page = secretariat.get(f"/secretariat/support/enterprises/{selection.enterprise_id}")
    assert page.status_code == 200
    assert selection.serial in page.text and selection.decision_number in page.text
    assert "Reaching international standards" in page.text  # the support it sought
    assert 'id="kind"' in page.text  # the form to log support

    response = log_support(secretariat, selection.enterprise_id)
    assert response.status_code == 302
    record = db.session.scalar(select(SupportRecord))
    assert (record.enterprise_id, record.kind, record.amount_vnd, record.recorded_by_id) == (
        selection.enterprise_id,
        SupportKind.standards,
        80_000_000,
        secretariat_user.id,
    )
    change = db.session.scalar(select(RecordChange).where(RecordChange.action == "support_recorded"))
    assert (change.subject_type, change.subject_id) == ("enterprises", selection.enterprise_id)


def test_support_before_the_selection_decision_is_refused(make, secretariat, selection_round):
    selection = select_for_support(make, selection_round, days_ago=5)
    before = (local_today() - timedelta(days=6)).isoformat()
    response = log_support(secretariat, selection.enterprise_id, date=before)
    assert response.status_code == 200
    assert "Support counts from the enterprise's recognition" in response.text
    assert f'value="{before}"' in response.text
    assert db.session.scalar(select(func.count(SupportRecord.id))) == 0


def test_an_enterprise_neither_recognised_nor_selected_has_no_support_log(make, secretariat, selection_round):
    select_for_support(make, selection_round)
    applied_only = make.application(round=selection_round).enterprise  # applied, not selected
    for enterprise in (make.enterprise(), applied_only):
        assert secretariat.get(f"/secretariat/support/enterprises/{enterprise.id}").status_code == 404
        assert log_support(secretariat, enterprise.id).status_code == 404
    assert db.session.scalar(select(func.count(SupportRecord.id))) == 0


def test_a_selection_rounds_coverage_lists_its_selected_enterprises(make, secretariat, selection_round):
    supported = select_for_support(make, selection_round)
    waiting = select_for_support(make, selection_round)
    assert log_support(secretariat, supported.enterprise_id).status_code == 302

    coverage = support_coverage(selection_round)
    assert [e.enterprise_id for e in coverage.supported] == [supported.enterprise_id]
    assert [e.enterprise_id for e in coverage.not_supported] == [waiting.enterprise_id]
    assert coverage.share_percent == 50
    page = secretariat.get(f"/secretariat/support/rounds/{selection_round.id}").text
    assert "selected for support" in page and "Selected products" in page
    assert f"{waiting.product_name} ({waiting.serial})" in page
    # The list of recognised enterprises (Plan 60's target) stays the certificates'.
    assert support_coverage().enterprises == []
    assert f'data-enterprise="{supported.enterprise_id}"' not in secretariat.get("/secretariat/support/").text


def test_the_pages_read_the_selections_in_a_constant_number_of_queries(make, secretariat, selection_round):
    first = select_for_support(make, selection_round)
    urls = [
        f"/secretariat/support/rounds/{selection_round.id}",
        f"/secretariat/support/enterprises/{first.enterprise_id}",
    ]
    few = [queries_to_get(secretariat, url) for url in urls]
    other_round = make.round(programme=selection_round.programme, outcome=RoundOutcome.selection)
    for _ in range(3):
        selection = select_for_support(make, selection_round)
        log_support(secretariat, selection.enterprise_id)
        select_for_support(make, other_round, enterprise=first.enterprise)  # one more for the same firm
    many = [queries_to_get(secretariat, url) for url in urls]
    assert many == few
