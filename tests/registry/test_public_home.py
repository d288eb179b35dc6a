"""The public home page (issue 16): the round under way with its dates, legal bases, documents and
whom to ask; the results out for comment, linked to their comment page; the registry."""

from datetime import timedelta

import pytest

from recognition.clock import local_today
from tests.honours.test_public_comments import english_day

LEGAL_BASIS = "Quyết định số 2022/QĐ-UBND ngày 12/4/2023 của UBND Thành phố"


@pytest.fixture
def english(client):
    client.get("/lang/en")
    return client


def section(html: str, element_id: str) -> str:
    assert f'id="{element_id}"' in html, element_id
    return html.split(f'id="{element_id}"')[1].split("</section>")[0]


def test_the_open_round_shows_its_dates_legal_bases_documents_and_contact(make, english):
    round_ = make.round(
        legal_bases=f"{LEGAL_BASIS}\nHướng dẫn số 1520/HD-SCT", required_documents=["registration_form"]
    )
    html = english.get("/").text
    card = section(html, f"open-round-{round_.id}")
    assert round_.title in card
    assert f"Nominations from {english_day(round_.opens_on)} to {english_day(round_.closes_on)}." in card
    assert LEGAL_BASIS in card and "Hướng dẫn số 1520/HD-SCT" in card
    assert "Registration form" in card and "Audited financial statements" not in card
    assert "Sở Công Thương Hà Nội" in card  # the default contact
    assert f'id="round-calendar-{round_.id}"' in html


def test_the_contact_comes_from_the_configuration(app, make, english, monkeypatch):
    monkeypatch.setitem(app.config, "SECRETARIAT_CONTACT", "Phòng Quản lý công nghiệp, 0243 000 000")
    round_ = make.round()
    assert "Phòng Quản lý công nghiệp, 0243 000 000" in section(
        english.get("/").text, f"open-round-{round_.id}"
    )


def test_results_out_for_comment_link_to_their_comment_page(make, english):
    round_ = make.round(reviewers_per_dossier=1)
    make.recommended(round_)
    make.publish_results(round_, deadline_days_ago=-7)
    listing = section(english.get("/").text, "results-for-comment")
    assert round_.title in listing and f'href="/results/{round_.id}"' in listing
    assert f"comments accepted until {english_day(local_today() + timedelta(days=7))}" in listing
    assert english.get(f"/results/{round_.id}").status_code == 200


def test_results_no_longer_taking_comments_are_not_listed(make, english):
    over = make.round(reviewers_per_dossier=1)
    make.recommended(over)
    make.publish_results(over, deadline_days_ago=1)
    unpublished = make.round()
    html = english.get("/").text
    assert 'id="results-for-comment"' not in html
    assert f"/results/{over.id}" not in html and f"/results/{unpublished.id}" not in html


def test_the_home_page_leads_to_the_registry(english):
    assert 'href="/registry"' in section(english.get("/").text, "registry-link")
