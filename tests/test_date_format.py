"""One date format everywhere (issue 16): dd/mm/yyyy in Vietnamese, the locale's medium format in
English ("Dec 3, 2026"), in pages and PDFs. Date inputs keep ISO values (the browser's format); no
page shows a day written year first.

The pages are those every demo account (and the public) reaches by following links from its home,
on the demo data (`flask seed-demo`, with one small past round), which holds a dossier in every state.
"""

from __future__ import annotations

import io
import re
from collections import deque
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

from recognition import demo
from recognition.cases.models import Application, State
from recognition.cases.queries import vetting_report_of
from recognition.cli import DEMO_ACCOUNTS
from recognition.clock import format_day, format_moment
from recognition.extensions import db
from recognition.honours.models import Certificate
from tests.conftest import login

YEAR_FIRST = re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b")
VIETNAMESE_DAY = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")
ENGLISH_DAY = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}\b")
# Not pages: files, downloads, the language switch and the API.
SKIPPED = re.compile(
    r"^/(static|bootstrap|lang|api)/|\.(pdf|docx|xlsx|csv|txt|png|jpg)$|/documents/\d+|/file$"
)
PAGES_PER_VISITOR = 60


class VisibleText(HTMLParser):
    """What a reader sees: text outside scripts and styles, and the attributes shown as text (an
    input's value is left out: a date input holds the ISO day by the HTML standard)."""

    SHOWN_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        self.parts += [attributes[name] for name in self.SHOWN_ATTRIBUTES if attributes.get(name)]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def read(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser


def crawl(client, start: str) -> dict[str, str]:
    """path → visible text of each HTML page reachable from `start` (each path once, any query)."""
    seen, texts, queue = set(), {}, deque([start])
    while queue and len(texts) < PAGES_PER_VISITOR:
        url = queue.popleft()
        path = urlsplit(url).path
        if path in seen or SKIPPED.search(path):
            continue
        seen.add(path)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = read(response.text)
        texts[path] = " ".join(page.parts)
        for href in page.links:
            target = urlsplit(urljoin(url, href))
            if target.netloc in ("", "localhost") and target.scheme in ("", "http"):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return texts


@pytest.fixture
def demo_data(app, monkeypatch):
    monkeypatch.setattr(demo, "PAST_ROUNDS", (demo.PastRound(2024, 3, 3, 2),))
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return app.config["DEMO_PASSWORD"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_page_shows_a_day_year_first_and_each_language_has_its_format(app, demo_data, lang):
    visitors = [("public", app.test_client(), "/")]
    for email, _name, role in DEMO_ACCOUNTS:
        client = app.test_client()
        response = login(client, email, demo_data)
        assert response.status_code == 302
        visitors.append((role.value, client, urlsplit(response.location).path))  # the role's home
    shown_days = 0
    for who, client, start in visitors:
        client.get(f"/lang/{lang}")
        texts = crawl(client, start)
        assert len(texts) > 1, who
        for path, text in texts.items():
            assert not YEAR_FIRST.findall(text), (who, path, YEAR_FIRST.findall(text))
            shown_days += len((VIETNAMESE_DAY if lang == "vi" else ENGLISH_DAY).findall(text))
    assert shown_days > 20, "the pages should show days in the language's format"


def test_the_dossier_shows_the_site_visit_and_the_reply_deadline_in_each_language(app, demo_data):
    """The site visit read back from the vetting report, the reply deadline from the request."""
    client = app.test_client()
    assert login(client, "officer@demo.chuluc.vn", demo_data).status_code == 302
    endorsed = db.session.scalars(select(Application).where(Application.state == State.endorsed)).first()
    supplemented = db.session.scalars(
        select(Application).where(Application.state == State.supplement_requested)
    ).first()
    site_visit = vetting_report_of(endorsed).site_visit_date
    deadline = supplemented.supplement_requests[-1].deadline
    for lang in ("vi", "en"):
        client.get(f"/lang/{lang}")
        visit_page = " ".join(read(client.get(f"/unit/dossiers/{endorsed.id}").text).parts)
        assert format_day(site_visit, lang) in visit_page
        timeline = " ".join(read(client.get(f"/unit/dossiers/{supplemented.id}").text).parts)
        assert format_day(deadline, lang) in timeline


def test_formats_of_a_day_and_an_instant():
    assert format_day(date(2026, 12, 3), "vi") == "03/12/2026"
    assert format_day(date(2026, 12, 3), "en") == "Dec 3, 2026"
    assert format_day("2026-12-03", "en") == "Dec 3, 2026"
    assert format_day(None) == ""
    moment = datetime(2026, 12, 3, 7, 5, tzinfo=UTC)  # 14:05 in Hanoi
    assert format_moment(moment, "vi") == "14:05 03/12/2026"
    assert format_moment(moment, "en") == "Dec 3, 2026, 14:05"


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_receipt_pdf_follows_the_reader_and_the_certificate_stays_vietnamese(app, demo_data):
    """The receipt slip is written in the reader's language, the certificate in Vietnamese only."""
    client = app.test_client()
    assert login(client, "applicant@demo.chuluc.vn", demo_data).status_code == 302
    application = db.session.scalars(
        select(Application).where(Application.state == State.supplement_requested)
    ).first()
    for lang in ("vi", "en"):
        client.get(f"/lang/{lang}")
        response = client.get(f"/applicant/applications/{application.id}/receipt.pdf")
        assert response.mimetype == "application/pdf", response.status_code
        text = pdf_text(response.data)
        with force_locale(lang):
            assert format_moment(application.submitted_at) in text
        assert not YEAR_FIRST.findall(text)
    secretariat = app.test_client()
    assert login(secretariat, "secretariat@demo.chuluc.vn", demo_data).status_code == 302
    certificate = db.session.scalars(select(Certificate)).first()
    for lang in ("vi", "en"):
        secretariat.get(f"/lang/{lang}")
        text = pdf_text(secretariat.get(f"/secretariat/honours/certificates/{certificate.id}.pdf").data)
        assert (
            f"từ {format_day(certificate.issued_on, 'vi')} đến {format_day(certificate.valid_until, 'vi')}"
            in text
        )
        assert not YEAR_FIRST.findall(text) and not ENGLISH_DAY.findall(text)
