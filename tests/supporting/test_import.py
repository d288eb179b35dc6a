"""Import of the Department's lists of supporting-industry firms: 1,000 firms with 20 bad rows through
HTTP (preview, confirm, rejects, a second import that changes nothing), a CSV, unreadable files."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, func, select

from recognition.accounts.models import AdministrativeUnit, Enterprise, Role
from recognition.cases.audit import verify_chains
from recognition.cases.models import RecordChange
from recognition.clock import local_today
from recognition.extensions import db
from recognition.supporting.demo import DEMO_FIRMS, seed_demo_register
from recognition.supporting.models import (
    FirmCertification,
    Standard,
    SupplierProfile,
    SupplierTier,
    SupportingSector,
)
from tests.conftest import client_for, tax_code

HEADERS = [
    "STT", "Mã số thuế", "Tên doanh nghiệp", "Địa chỉ", "Đơn vị hành chính", "Lĩnh vực CNHT", "Sản phẩm",
    "Chứng nhận", "Cung ứng cho FDI", "Cấp", "Đồng ý công khai",
]  # fmt: skip
BASE = 500_000  # tax_code(n) numbers of this file, clear of the factories' counter


@pytest.fixture
def secretariat(app, make, reference):
    return client_for(app, make.user(Role.secretariat), lang="en")


def units_valid_today() -> list[AdministrativeUnit]:
    today = local_today()
    stmt = (
        select(AdministrativeUnit)
        .where(AdministrativeUnit.parent_id.is_not(None), AdministrativeUnit.valid_from <= today)
        .where(AdministrativeUnit.valid_to.is_(None) | (AdministrativeUnit.valid_to >= today))
        .order_by(AdministrativeUnit.code)
    )
    return list(db.session.scalars(stmt))


def bad_checksum(code: str) -> str:
    return code[:9] + str((int(code[9]) + 1) % 10)


def firm_rows(count: int = 1000) -> tuple[list[list], dict[int, str]]:
    """`count` rows, every 50th one bad (20 in 1,000: bad checksum, duplicate, unknown unit, unknown
    sector in turn); returns the rows and, for each bad row's number in the sheet, its kind."""
    units = units_valid_today()
    sectors = list(db.session.scalars(select(SupportingSector).order_by(SupportingSector.code)))
    rows, bad = [], {}
    for i in range(count):
        unit, sector = units[i % len(units)], sectors[i % len(sectors)]
        supplies = i % 3 == 0
        row = [
            i + 1,
            tax_code(BASE + i),
            f"Công ty TNHH Linh kiện {i}",
            f"Số {i} đường Giải Phóng, Hà Nội",
            unit.name if i % 4 == 0 else unit.code,  # by exact name or by code
            sector.name_vi if i % 5 == 0 else sector.code,
            "Khuôn mẫu; Linh kiện nhựa ép phun" if i % 2 else "Bu lông; Trục cán",
            f"ISO 9001:2015 | VN-{i} | Bureau Veritas | 2027-05-31; IATF 16949 | T-{i} | TÜV | 31/12/2026"
            if i % 7 == 0
            else "",
            "có" if supplies else "không",
            (i % 3) + 1 if supplies else None,
            "x" if i % 2 else "",
        ]
        if i % 50 == 49:
            kind = ("checksum", "duplicate", "unit", "sector")[(i // 50) % 4]
            if kind == "checksum":
                row[1] = bad_checksum(row[1])
            elif kind == "duplicate":
                row[1] = tax_code(BASE + i - 10)
            elif kind == "unit":
                row[4] = "P-KHONGCO"
            else:
                row[5] = "Linh kiện không có"
            bad[i + 2] = kind  # the header is row 1
        rows.append(row)
    return rows, bad


def xlsx_bytes(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    """Semicolon-separated, as Excel writes CSV in a Vietnamese locale (cells holding ";" quoted)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([header, *rows])
    return buffer.getvalue()


def upload(client, data: bytes, filename: str):
    return client.post(
        "/secretariat/supporting/imports/",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def preview_of(client, data: bytes, filename: str) -> tuple[str, str]:
    """Upload, follow to the preview; returns the digest and the preview's page."""
    response = upload(client, data, filename)
    assert response.status_code == 302, response.text
    digest = re.search(r"digest=([0-9a-f]{64})", response.headers["Location"])[1]
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    return digest, page.text


def counts(html: str) -> dict[str, int]:
    return {status: int(n) for status, n in re.findall(r'data-status="(\w+)"><strong>(\d+)</strong>', html)}


def confirm(client, digest: str) -> str:
    response = client.post("/secretariat/supporting/imports/confirm", data={"digest": digest})
    assert response.status_code == 200, response.text
    return response.text


def register_snapshot() -> list[tuple]:
    db.session.expire_all()
    return list(
        db.session.execute(
            select(SupplierProfile.id, SupplierProfile.updated_at, SupplierProfile.search_folded).order_by(
                SupplierProfile.id
            )
        )
    )


def test_a_thousand_firms_with_twenty_bad_rows(secretariat):
    rows, bad = firm_rows()
    data = xlsx_bytes(rows)
    assert len(rows) == 1000 and len(bad) == 20

    digest, page = preview_of(secretariat, data, "danh-sach-cnht.xlsx")
    assert counts(page) == {"created": 980, "updated": 0, "unchanged": 0, "rejected": 20}
    rejected_lines = {
        int(n) for n in re.findall(r'<tr data-line="(\d+)">\s*<td>\d+</td>\s*<td>[^<]*</td>', page)
    }
    assert set(bad) <= rejected_lines
    assert "is not a valid tax code" in page
    assert "already appears in row" in page
    assert "Unknown administrative unit “P-KHONGCO”" in page
    assert "Unknown supporting-industry sector “Linh kiện không có”" in page
    assert "about an hour" in page
    assert (
        db.session.scalar(select(func.count()).select_from(SupplierProfile)) == 0
    )  # a preview writes nothing

    result = confirm(secretariat, digest)
    assert counts(result) == {"created": 980, "updated": 0, "unchanged": 0, "rejected": 20}
    assert db.session.scalar(select(func.count()).select_from(SupplierProfile)) == 980
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 980
    # Rows 1 (i = 0) and 8 (i = 7) hold two certifications each: every 7th good row does.
    with_certificates = sum(1 for i in range(1000) if i % 7 == 0 and i + 2 not in bad)
    assert db.session.scalar(select(func.count()).select_from(FirmCertification)) == 2 * with_certificates

    first = db.session.scalar(
        select(SupplierProfile).join(Enterprise).where(Enterprise.tax_code == tax_code(BASE))
    )
    assert first.enterprise.name == "Công ty TNHH Linh kiện 0"
    assert first.updated_by_id == secretariat.user.id
    assert first.enterprise.sector_id == first.supporting_sector.sector_id
    assert first.product_lines == ["Bu lông", "Trục cán"]
    assert first.supplies_multinationals and first.tier == SupplierTier.tier1 and not first.listing_consent
    iso = next(c for c in first.certifications if c.standard == Standard.iso_9001)
    assert (iso.number, iso.body, iso.expires_on) == ("VN-0", "Bureau Veritas", date(2027, 5, 31))
    assert "iatf 16949" in first.search_folded and "bu long" in first.search_folded
    audited = db.session.scalars(
        select(RecordChange).where(RecordChange.subject_type == "supplier_profiles")
    ).all()
    assert len(audited) == 980 and {change.action for change in audited} == {"import_register_entry"}
    assert {change.payload["file"] for change in audited} == {digest}
    assert {change.actor_id for change in audited} == {secretariat.user.id}
    assert verify_chains() == []

    rejects = secretariat.get(f"/secretariat/supporting/imports/rejects.xlsx?digest={digest}")
    assert rejects.status_code == 200
    sheet = load_workbook(io.BytesIO(rejects.data)).active
    table = [[cell or "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert table[0] == [*HEADERS, "Lý do / Reason"]
    assert sorted(int(row[0]) + 1 for row in table[1:]) == sorted(bad)  # STT n sits on sheet row n + 1
    assert all(row[-1] for row in table[1:])
    reasons = {bad[int(row[0]) + 1]: row[-1] for row in table[1:]}
    assert "already appears in row" in reasons["duplicate"] and "P-KHONGCO" in reasons["unit"]

    before = register_snapshot()
    digest_again, page = preview_of(secretariat, data, "danh-sach-cnht.xlsx")
    assert digest_again == digest
    assert counts(page) == {"created": 0, "updated": 0, "unchanged": 980, "rejected": 20}
    assert "would change nothing" in page
    result = confirm(secretariat, digest)
    assert counts(result) == {"created": 0, "updated": 0, "unchanged": 980, "rejected": 20}
    assert register_snapshot() == before
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 980
    assert db.session.scalar(select(func.count()).select_from(RecordChange)) == 980  # nothing new to audit


def statements_during(action) -> list[str]:
    statements: list[str] = []

    def counted(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return statements


def test_the_number_of_queries_does_not_grow_with_the_rows(app, make, reference):
    """Lookups are loaded once and the register read in chunks: a file ten times longer costs the
    same queries to preview and to import. PostgreSQL also takes the inserts in batches; SQLite gets
    one INSERT a row from the ORM (its RETURNING has no guaranteed order), cheap in-process."""
    secretariat = client_for(app, make.user(Role.secretariat))  # no language to remember on a POST
    rows, _bad = firm_rows(300)
    costs = []
    for part in (rows[:30], rows[30:]):
        location = upload(secretariat, xlsx_bytes(part), "part.xlsx").headers["Location"]
        digest = location.rsplit("=", 1)[1]
        preview = statements_during(lambda: secretariat.get(location))  # noqa: B023 -- called at once
        imported = statements_during(lambda: confirm(secretariat, digest))  # noqa: B023
        if db.engine.dialect.name != "postgresql":
            imported = [statement for statement in imported if not statement.startswith("INSERT")]
        costs.append((len(preview), len(imported)))
    assert costs[0] == costs[1]


def test_csv_import_keeps_registered_names_and_updates_what_changed(secretariat, make):
    registered = make.enterprise(name="Công ty Cổ phần Cơ khí Đông Anh", address="Số 1 Cao Lỗ")
    unit = units_valid_today()[0]
    header = [
        "Tax code", "Name", "Address", "Administrative unit", "Supporting sector", "Products",
        "Certifications", "Supplies multinationals", "Tier", "Listing consent", "Ghi chú",
    ]  # fmt: skip
    rows = [
        [registered.tax_code, "Cơ khí Đông Anh (tên cũ)", "Khác", unit.code, "LKKL", "Bánh răng",
         "AS9100D | A-1 | DNV | ", "yes", "2", "yes", "đã khảo sát"],
        [tax_code(BASE), "Công ty Nhựa Hà Nội", "Số 5 Láng Hạ", unit.name, "Plastic and rubber components",
         "Vỏ nhựa; Gioăng cao su", "ISO 45001 | S-9 | QUACERT | 2026-12-31", "no", "", "", ""],
        [tax_code(BASE + 1), "", "Số 6", unit.code, "LKKL", "", "", "", "3", "", ""],
        [tax_code(BASE + 2), "Công ty Điện tử Sóc Sơn", "Số 7", unit.code, "LKDDT", "Bo mạch",
         "ISO 9001 | Q-1 | BV | 31/02/2027", "có", "4", "chưa rõ", ""],
    ]  # fmt: skip
    text = csv_text(header, rows)
    digest, page = preview_of(secretariat, text.encode(), "list.csv")
    assert counts(page) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert "The name is missing." in page
    assert "“31/02/2027” is not a date" in page and "The tier “4” is not 1, 2 or 3." in page
    assert "“chưa rõ” in Đồng ý công khai / Listing consent is not có or không" in page
    assert "A tier is given, but the firm is not marked as supplying multinationals" in page
    assert "Already registered as “Công ty Cổ phần Cơ khí Đông Anh”" in page
    confirm(secretariat, digest)

    db.session.expire_all()
    enterprise = db.session.get(Enterprise, registered.id)
    assert (enterprise.name, enterprise.address) == ("Công ty Cổ phần Cơ khí Đông Anh", "Số 1 Cao Lỗ")
    profile = db.session.scalar(select(SupplierProfile).where(SupplierProfile.enterprise_id == registered.id))
    assert profile.tier == SupplierTier.tier2 and profile.listing_consent
    assert [(c.standard, c.number, c.body, c.expires_on) for c in profile.certifications] == [
        (Standard.as9100, "A-1", "DNV", None)
    ]
    plastics = db.session.scalar(
        select(SupplierProfile).join(Enterprise).where(Enterprise.tax_code == tax_code(BASE))
    )
    assert plastics.supporting_sector.code == "LKNCS" and plastics.enterprise.unit_id == unit.id
    assert plastics.product_lines == ["Vỏ nhựa", "Gioăng cao su"]
    assert plastics.certifications[0].standard == Standard.other
    assert plastics.certifications[0].standard_label == "ISO 45001"
    stamp, registered_stamp = plastics.updated_at, profile.updated_at

    changed = text.replace("Vỏ nhựa; Gioăng cao su", "Vỏ nhựa").replace("2026-12-31", "31/12/2027")
    digest, page = preview_of(secretariat, changed.encode(), "list.csv")
    assert counts(page) == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 2}
    confirm(secretariat, digest)
    db.session.expire_all()
    plastics = db.session.get(SupplierProfile, plastics.id)
    assert plastics.product_lines == ["Vỏ nhựa"]
    assert [c.expires_on for c in plastics.certifications] == [date(2027, 12, 31)]
    assert plastics.updated_at > stamp
    assert db.session.get(SupplierProfile, profile.id).updated_at == registered_stamp

    rejects = secretariat.get(f"/secretariat/supporting/imports/rejects.csv?digest={digest}")
    lines = rejects.data.decode("utf-8-sig").splitlines()
    assert lines[0].endswith("Ghi chú,Lý do / Reason") and len(lines) == 3
    assert tax_code(BASE + 1) in lines[1] and "The name is missing." in lines[1]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "list.xlsx", "could not be read as an XLSX workbook"),
        (b"PK\x03\x04" + b"\x00" * 300, "list.xlsx", "could not be read as an XLSX workbook"),
        ("Tên;Địa chỉ\nCông ty A;Hà Nội\n".encode("utf-16"), "list.csv", "could not be read"),
        ("Tên doanh nghiệp,Địa chỉ\nCông ty A,Hà Nội\n".encode(), "list.csv", "Required columns are missing"),
        (b"", "list.csv", "The file is empty."),
    ],
)
def test_an_unreadable_file_is_refused_on_the_form(secretariat, data, filename, message):
    response = upload(secretariat, data, filename)
    assert response.status_code == 200
    assert message in response.text
    assert 'name="file"' in response.text


def test_missing_columns_are_named(secretariat):
    response = upload(secretariat, xlsx_bytes([], headers=["Mã số thuế", "Tên doanh nghiệp"]), "a.xlsx")
    assert "Địa chỉ / Address" in response.text and "Lĩnh vực CNHT / Supporting sector" in response.text


def test_a_file_no_longer_kept_sends_back_to_the_upload(secretariat):
    response = secretariat.get("/secretariat/supporting/imports/preview?digest=" + "0" * 64)
    assert response.status_code == 302
    assert secretariat.get(response.headers["Location"]).text.count("no longer kept") == 1
    response = secretariat.post("/secretariat/supporting/imports/confirm", data={"digest": "../../etc"})
    assert response.status_code == 302


def test_the_template_reads_back_as_an_empty_list(secretariat):
    response = secretariat.get("/secretariat/supporting/imports/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    assert [cell.value for cell in workbook.worksheets[0][1]][:2] == ["Mã số thuế", "Tên doanh nghiệp"]
    assert len(workbook.worksheets) == 2  # the guide
    response = upload(secretariat, response.data, "template.xlsx")
    page = secretariat.get(response.headers["Location"]).text
    assert counts(page) == {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}
    csv_template = secretariat.get("/secretariat/supporting/imports/template.csv").data.decode("utf-8-sig")
    assert csv_template.startswith("Mã số thuế,Tên doanh nghiệp,Địa chỉ")


def test_only_the_secretariat_imports(app, make, reference):
    applicant = client_for(app, make.user(Role.applicant))
    assert applicant.get("/secretariat/supporting/imports/").status_code == 403


def test_an_old_list_imported_again_never_lists_a_firm_that_withdrew(secretariat, make):
    """Listing consent comes from a file for a new entry only; afterwards it is the firm's choice."""
    unit = units_valid_today()[0]
    header = ["Tax code", "Name", "Address", "Administrative unit", "Supporting sector", "Listing consent"]
    text = csv_text(
        header, [[tax_code(BASE + 7), "Công ty Khuôn mẫu Hà Nội", "Số 9", unit.code, "LKKL", "có"]]
    )
    digest, _page = preview_of(secretariat, text.encode(), "list.csv")
    confirm(secretariat, digest)
    profile = db.session.scalar(
        select(SupplierProfile).join(Enterprise).where(Enterprise.tax_code == tax_code(BASE + 7))
    )
    assert profile.listing_consent
    profile.listing_consent = False  # the firm withdrew in its own form
    db.session.commit()

    digest, page = preview_of(secretariat, text.encode(), "list.csv")
    assert counts(page) == {"created": 0, "updated": 0, "unchanged": 1, "rejected": 0}
    assert (
        "Listing consent is the enterprise&#39;s own choice" in page
        or "Listing consent is the enterprise's own choice" in page
    )
    confirm(secretariat, digest)
    db.session.expire_all()
    assert not db.session.get(SupplierProfile, profile.id).listing_consent


def test_the_demo_register_loads_through_the_import_once(app, make, reference):
    """seed-demo fills the register through the import itself: every demo row is good."""
    actor = make.user(Role.secretariat)
    make.enterprise()  # the register being empty is what counts, not the enterprises
    assert seed_demo_register(local_today(), actor)
    db.session.commit()
    profiles = db.session.scalars(select(SupplierProfile)).all()
    assert len(profiles) == len(DEMO_FIRMS)
    assert sum(p.listing_consent for p in profiles) == sum(firm[-1] == "có" for firm in DEMO_FIRMS)
    assert not seed_demo_register(local_today(), actor)
