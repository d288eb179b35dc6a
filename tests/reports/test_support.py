"""The support log: the secretariat records the support a recognised enterprise received (validated,
audited), sees it per enterprise, and sees who among the recognised is not yet supported against
the plan's 100% target."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from recognition.accounts.models import Role
from recognition.cases.models import RecordChange
from recognition.clock import local_today
from recognition.extensions import db
from recognition.honours.certificates import revoke
from recognition.honours.models import Certificate
from recognition.reports.support import support_coverage
from recognition.reports.support_models import SupportKind, SupportRecord
from tests.conftest import fire, login
from tests.queries import queries_to_get


def client_for(app, user, lang="en"):
    client = app.test_client()
    assert login(client, user).status_code == 302
    client.get(f"/lang/{lang}")
    return client


@pytest.fixture
def secretariat_user(make):
    return make.user(Role.secretariat)


@pytest.fixture
def secretariat(app, secretariat_user):
    return client_for(app, secretariat_user)


def recognise(make, round_, enterprise, secretariat_user) -> Certificate:
    """A dossier of `enterprise` carried to recognition in `round_`; its certificate."""
    application = make.recommended(round_, score=90, secretariat=secretariat_user, enterprise=enterprise)
    make.publish_results(round_)
    fire(application, "recognise", secretariat_user)
    return db.session.scalar(select(Certificate).where(Certificate.application_id == application.id))


def log_support(client, enterprise_id, **fields):
    data = {
        "kind": "trade_promotion",
        "date": local_today().isoformat(),
        "programme": "Chương trình Xúc tiến thương mại thành phố Hà Nội 2026",
        "amount_vnd": "150.000.000",
        "note": "Gian hàng tại Hội chợ Vietnam Expo",
        **fields,
    }
    return client.post(f"/secretariat/support/enterprises/{enterprise_id}", data=data)


def test_the_secretariat_logs_support_and_sees_it_listed_and_audited(
    app, make, secretariat, secretariat_user
):
    round_ = make.round(reviewers_per_dossier=1)
    enterprise = make.enterprise(name="Công ty Cổ phần Điện tử Hà Nội")
    recognise(make, round_, enterprise, secretariat_user)
    response = log_support(secretariat, enterprise.id)
    assert response.status_code == 302
    record = db.session.scalar(select(SupportRecord))
    assert (record.kind, record.date, record.amount_vnd) == (
        SupportKind.trade_promotion,
        local_today(),
        150_000_000,
    )
    assert record.recorded_by_id == secretariat_user.id and record.recorded_at is not None
    change = db.session.scalar(select(RecordChange).where(RecordChange.action == "support_recorded"))
    assert (change.subject_type, change.subject_id, change.actor_id) == (
        "enterprises",
        enterprise.id,
        secretariat_user.id,
    )
    assert change.payload["amount_vnd"] == 150_000_000 and change.payload["support_record_id"] == record.id
    page = secretariat.get(f"/secretariat/support/enterprises/{enterprise.id}").text
    listed = page.split('id="support-records"')[1].split("</section>")[0]
    assert "Trade fairs and promotion" in listed and "Chương trình Xúc tiến thương mại" in listed
    assert "150.000.000" in listed and secretariat_user.full_name in listed
    # Without an amount (training, say), the support is recorded all the same.
    assert log_support(secretariat, enterprise.id, kind="training", amount_vnd="").status_code == 302
    assert db.session.scalar(select(func.count(SupportRecord.id))) == 2


BAD_INPUT = [
    ({"amount_vnd": "-5"}, "amount_vnd", "Must not be negative."),
    ({"amount_vnd": "nhiều tiền"}, "amount_vnd", None),
    ({"programme": "   "}, "programme", "This field is required."),
    ({"programme": "x" * 256}, "programme", None),
    ({"kind": "bribery"}, "kind", "Not a valid choice."),
    ({"date": ""}, "date", None),
    ({"date": "2026-02-30"}, "date", None),
    ({"date": "tomorrow"}, "date", None),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_beside_its_field_keeping_what_was_typed(
    app, make, secretariat, secretariat_user, fields, field, message
):
    round_ = make.round(reviewers_per_dossier=1)
    enterprise = make.enterprise()
    recognise(make, round_, enterprise, secretariat_user)
    note = "Ghi chú đã gõ <giữ nguyên>"
    response = log_support(secretariat, enterprise.id, note=note, **fields)
    assert response.status_code == 200
    assert db.session.scalar(select(func.count(SupportRecord.id))) == 0
    html = response.text
    assert f'id="{field}"' in html and re.search(
        rf'class="[^"]*is-invalid[^"]*"[^>]*id="{field}"|id="{field}"[^>]*class="[^"]*is-invalid', html
    ), field
    if message:
        assert message in html
    assert "Ghi chú đã gõ &lt;giữ nguyên&gt;" in html  # what was typed stays, escaped
    if field != "programme":
        assert 'value="Chương trình Xúc tiến thương mại thành phố Hà Nội 2026"' in html


def test_dates_in_the_future_or_before_the_recognition_are_refused(app, make, secretariat, secretariat_user):
    round_ = make.round(reviewers_per_dossier=1)
    enterprise = make.enterprise()
    certificate = recognise(make, round_, enterprise, secretariat_user)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    future = log_support(secretariat, enterprise.id, date=tomorrow)
    assert future.status_code == 200
    assert "The support must have been received already: today at the latest." in future.text
    assert f'value="{tomorrow}"' in future.text
    earlier = (certificate.decision_date - timedelta(days=1)).isoformat()
    before = log_support(secretariat, enterprise.id, date=earlier, amount_vnd="-5")
    assert before.status_code == 200
    # Both refusals at once, each beside its field.
    assert "Support counts from the enterprise&#39;s recognition" in before.text
    assert "Must not be negative." in before.text
    assert db.session.scalar(select(func.count(SupportRecord.id))) == 0
    assert (
        db.session.scalar(
            select(func.count(RecordChange.id)).where(RecordChange.action == "support_recorded")
        )
        == 0
    )


def test_only_an_enterprise_once_recognised_has_a_log_and_only_a_valid_certificate_takes_support(
    app, make, secretariat, secretariat_user
):
    never = make.enterprise()
    assert secretariat.get(f"/secretariat/support/enterprises/{never.id}").status_code == 404
    assert log_support(secretariat, never.id).status_code == 404
    assert secretariat.get("/secretariat/support/enterprises/99999").status_code == 404
    round_ = make.round(reviewers_per_dossier=1)
    revoked = make.enterprise()
    certificate = recognise(make, round_, revoked, secretariat_user)
    revoke(certificate, "Vi phạm cam kết", "99/QĐ-UBND", secretariat_user, local_today())
    db.session.commit()
    page = secretariat.get(f"/secretariat/support/enterprises/{revoked.id}")
    assert page.status_code == 200 and 'id="kind"' not in page.text
    refused = log_support(secretariat, revoked.id)
    assert refused.status_code == 200
    assert (
        "Support is logged for an enterprise holding a valid certificate or selected for support."
        in refused.text
    )
    assert db.session.scalar(select(func.count(SupportRecord.id))) == 0


def age(certificate: Certificate, days: int, expired: bool = False) -> None:
    """Move a certificate's decision back `days` days (and, with `expired`, past its validity)."""
    certificate.decision_date -= timedelta(days=days)
    certificate.issued_on -= timedelta(days=days)
    if expired:
        certificate.valid_until = local_today() - timedelta(days=1)
    db.session.commit()


def support(enterprise, day, kind=SupportKind.technology, recorder=None) -> None:
    db.session.add(
        SupportRecord(
            enterprise_id=enterprise.id, kind=kind, date=day, programme="Chương trình đổi mới công nghệ",
            recorded_by_id=recorder.id,
        )
    )  # fmt: skip
    db.session.commit()


@pytest.fixture
def recognised_world(make, secretariat_user):
    """Round A recognised four enterprises; round B one more, and a second product of `supported`.

    supported: supported after its recognition; early: supported only before it; none: never;
    revoked: its certificate revoked (no longer recognised); expired: its certificate (round A) past
    its validity, supported while valid; fresh (round B): not supported."""
    round_a, round_b = make.round(reviewers_per_dossier=1), make.round(reviewers_per_dossier=1)
    names = ("supported", "early", "none", "revoked", "expired")
    enterprises = {n: make.enterprise(name=f"Công ty {n}") for n in (*names, "fresh")}
    certificates = {n: recognise(make, round_a, enterprises[n], secretariat_user) for n in names}
    certificates["fresh"] = recognise(make, round_b, enterprises["fresh"], secretariat_user)
    certificates["second"] = recognise(make, round_b, enterprises["supported"], secretariat_user)
    for name in names:
        age(certificates[name], 50 if name == "early" else 200, expired=name == "expired")
    today = local_today()
    support(enterprises["supported"], today - timedelta(days=100), recorder=secretariat_user)
    # After the others' recognition, before its own: it does not count.
    support(enterprises["early"], today - timedelta(days=100), recorder=secretariat_user)
    support(enterprises["expired"], today - timedelta(days=150), recorder=secretariat_user)
    revoke(certificates["revoked"], "Vi phạm cam kết", "99/QĐ-UBND", secretariat_user, today)
    db.session.commit()
    return round_a, round_b, enterprises


def listed(html: str, table_id: str) -> set[int]:
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    return {int(n) for n in re.findall(r'data-enterprise="(\d+)"', table)}


def test_the_not_yet_supported_list_is_right(app, make, secretariat, recognised_world):
    round_a, round_b, e = recognised_world
    ids = {name: enterprise.id for name, enterprise in e.items()}
    # Today's recognised enterprises: supported (support since its round A decision), early (its
    # only support predates recognition), none, fresh; not revoked (revoked), nor expired.
    current = secretariat.get("/secretariat/support/").text
    assert listed(current, "not-supported") == {ids["early"], ids["none"], ids["fresh"]}
    assert listed(current, "supported") == {ids["supported"]}
    assert "1 of 4 recognised enterprises supported (25%), against a target of 100%." in current
    assert "Target not met yet" in current
    # Round A recognised five not revoked; the expired one was supported while recognised.
    page_a = secretariat.get(f"/secretariat/support/rounds/{round_a.id}").text
    assert listed(page_a, "not-supported") == {ids["early"], ids["none"]}
    assert listed(page_a, "supported") == {ids["supported"], ids["expired"]}
    assert "2 of 4 recognised enterprises supported (50%)" in page_a
    # Round B recognised `supported` again today: its earlier support does not count for round B.
    page_b = secretariat.get(f"/secretariat/support/rounds/{round_b.id}").text
    assert listed(page_b, "not-supported") == {ids["supported"], ids["fresh"]}
    assert listed(page_b, "supported") == set()
    coverage = support_coverage(round_a)
    assert coverage.share_percent == 50 and not coverage.target_met


def test_every_recognised_enterprise_supported_meets_the_target(app, make, secretariat, secretariat_user):
    round_ = make.round(reviewers_per_dossier=1)
    enterprises = [make.enterprise() for _ in range(2)]
    for enterprise in enterprises:
        recognise(make, round_, enterprise, secretariat_user)
        assert log_support(secretariat, enterprise.id, kind="finance").status_code == 302
    page = secretariat.get(f"/secretariat/support/rounds/{round_.id}").text
    assert "2 of 2 recognised enterprises supported (100%), against a target of 100%." in page
    assert "Target met" in page and listed(page, "not-supported") == set()
    assert support_coverage(round_).target_met


def test_the_lists_read_in_a_constant_number_of_queries(
    app, make, secretariat, secretariat_user, recognised_world
):
    round_a, _round_b, e = recognised_world
    urls = [
        "/secretariat/support/",
        f"/secretariat/support/rounds/{round_a.id}",
        f"/secretariat/support/enterprises/{e['supported'].id}",
    ]
    few = [queries_to_get(secretariat, url) for url in urls]
    for _ in range(3):
        enterprise = make.enterprise()
        recognise(make, round_a, enterprise, secretariat_user)
        support(enterprise, local_today(), recorder=make.user(Role.secretariat))
        support(e["supported"], local_today(), recorder=make.user(Role.secretariat))
    many = [queries_to_get(secretariat, url) for url in urls]
    assert many == few


def test_the_support_pages_are_linked_from_the_secretariat(app, make, secretariat, secretariat_user):
    round_ = make.round(reviewers_per_dossier=1)
    enterprise = make.enterprise()
    recognise(make, round_, enterprise, secretariat_user)
    assert 'href="/secretariat/support/"' in secretariat.get("/secretariat/").text
    page = secretariat.get(f"/secretariat/support/rounds/{round_.id}").text
    assert f'href="/secretariat/support/enterprises/{enterprise.id}"' in page
