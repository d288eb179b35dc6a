"""H18–H20, G9: a hostile upload corpus. Every file is refused, or stored under its SHA-256 with a
sanitized display name and served only as an attachment (nosniff, sandboxing CSP)."""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, insert, select

from recognition.cases.models import Application, Document
from recognition.clock import local_today, utcnow
from recognition.extensions import db
from recognition.honours.models import Objection
from tests import files
from tests.conftest import fire
from tests.security import client_for

MB = 1024 * 1024
POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


ZIP_BOMB_DOCX = _zip({
    "[Content_Types].xml": b"<Types/>",
    "word/document.xml": b"<doc/>",
    "word/media/image1.bin": b"\x00" * (8 * MB),
})  # fmt: skip
PLAIN_ZIP = _zip({"readme.txt": b"not an office document", "run.sh": b"#!/bin/sh\nrm -rf /\n"})
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00"
MACRO_DOCX = _zip({
    "[Content_Types].xml":
        b'<Types><Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    "word/document.xml": b"<doc/>",
    "word/vbaProject.bin": b"\xd0\xcf\x11\xe0",
})  # fmt: skip
PDF_WITH_JS = files.PDF + b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n"

REFUSED = [
    ("html", files.HTML, "trang.html"),
    ("html named pdf", files.HTML, "bao-cao.pdf"),
    ("svg with script", SVG, "logo.svg"),
    ("svg named png", SVG, "logo.png"),
    ("exe renamed pdf", files.EXE, "bao-cao.pdf"),
    ("zip that is not an office file", PLAIN_ZIP, "ho-so.docx"),
    ("zip bomb docx", ZIP_BOMB_DOCX, "bomb.docx"),
    ("empty file", b"", "rong.pdf"),
    ("21 MB", files.PDF + b"0" * (21 * MB), "lon.pdf"),
    ("gif", GIF, "anh.gif"),
    ("text named docx", b"just text, not a zip", "van-ban.docx"),
    ("broken zip header", b"PK\x03\x04" + b"\x00" * 40, "hong.xlsx"),
    ("pdf with javascript", PDF_WITH_JS, "js.pdf"),
    ("pdf with a hex-escaped launch action", files.PDF + b"<< /S /L#61unch /F (cmd.exe) >>", "don.pdf"),
    ("macro-enabled document named docx", MACRO_DOCX, "don.docx"),
    ("bidi-disguised macro document", MACRO_DOCX, "cv\u202excod.docx"),
]

# (label, content, filename as sent)
ACCEPTED = [
    ("pdf/html polyglot", POLYGLOT, "poly.pdf"),
    ("polyglot named html", POLYGLOT + b"%1", "poly.html"),
    ("path traversal", files.pdf("wsgi"), "../../wsgi.py"),
    ("backslash traversal", files.pdf("bs"), "..\\x.pdf"),
    ("windows path", files.pdf("win"), "C:\\Users\\ke-toan\\bao-cao.pdf"),
    ("NUL in name", files.pdf("nul"), "a\x00b.pdf"),
    ("CRLF in name", files.pdf("crlf"), "a\r\nContent-Type: text/html\r\n.pdf"),
    ("reserved device name", files.pdf("con"), "CON.pdf"),
    ("300 characters", files.pdf("long"), "a" * 296 + ".pdf"),
    ("markup in name", files.pdf("markup"), '"><img src=x onerror=alert(1)>.pdf'),
    ("dots only", files.pdf("dots"), "..."),
    ("right-to-left override", files.pdf("rlo"), "cv\u202excod.pdf"),
    ("isolates and marks", files.pdf("bidi"), "\u2067\u200fbao-cao\u061c\u2069.pdf"),
    ("exe extension on a png", files.PNG, "anh.exe"),
    ("jpeg with html appended", files.JPEG + b"<script>alert(1)</script>", "anh.jpg"),
    ("docx", files.office("word"), "don.docx"),
]


@pytest.fixture
def dossier(app, make):
    """A dossier waiting for the enterprise's supplement: it may upload, and the officer may preview."""
    application = make.application()
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    fire(application, "request_supplement", officer)
    return application, client_for(app, make.applicant_of(application)), client_for(app, officer)


def upload(client, application_id: int, content: bytes, filename: str):
    """POST the file as an attacker's client would: any name, carried exactly (RFC 5987 filename*)."""
    boundary = "----hostile-" + secrets.token_hex(8)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nother\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f"filename*=UTF-8''{quote(filename, safe='')}\r\nContent-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        f"/applicant/applications/{application_id}/documents",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def documents_of(application_id: int) -> list[Document]:
    db.session.expire_all()
    return db.session.scalars(
        select(Document).where(Document.application_id == application_id).order_by(Document.id)
    ).all()


def stored_files(root: str) -> set[str]:
    return {os.path.join(d, f) for d, _s, names in os.walk(root) for f in names}


def test_corpus_is_large_enough():
    assert len(REFUSED) + len(ACCEPTED) >= 25  # G9


@pytest.mark.parametrize(("label", "content", "filename"), REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_file_is_refused(app, dossier, label, content, filename):
    application, applicant, _officer = dossier
    storage = app.extensions["evidence_storage"]
    before_docs, before_files = len(documents_of(application.id)), stored_files(storage.root)
    response = upload(applicant, application.id, content, filename)
    assert response.status_code == 200, label
    assert "is-invalid" in response.text or "invalid-feedback" in response.text, label
    assert len(documents_of(application.id)) == before_docs
    assert stored_files(storage.root) == before_files  # nothing stored, the temp file removed


def safe_name(name: str) -> bool:
    return (
        0 < len(name) <= 255
        and not any(ch in name for ch in '/\\\x00\r\n<>"')
        and not name.startswith(".")
        and all(ord(ch) >= 32 for ch in name)
        and not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name)
    )


@pytest.mark.parametrize(("label", "content", "filename"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_file_is_stored_by_hash_and_served_as_attachment(app, dossier, label, content, filename):
    application, applicant, officer = dossier
    storage = app.extensions["evidence_storage"]
    project_files = {name: os.path.getmtime(name) for name in ("wsgi.py",) if os.path.exists(name)}
    response = upload(applicant, application.id, content, filename)
    if response.status_code == 400:  # refusing a name outright (e.g. NUL) is fine too
        assert len(documents_of(application.id)) == len(application.documents)
        return
    assert response.status_code == 302, (label, response.text[:500])
    document = documents_of(application.id)[-1]
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert safe_name(document.filename), (label, document.filename)
    extension = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(
        document.content_type, ".docx"
    )
    assert document.filename.endswith(extension), document.filename
    path = storage.path_for(document.sha256)
    assert os.path.realpath(path).startswith(os.path.realpath(storage.root) + os.sep)
    with open(path, "rb") as stored:
        assert stored.read() == content
    assert {name: os.path.getmtime(name) for name in project_files} == project_files

    download = applicant.get(f"/applicant/applications/{application.id}/documents/{document.id}")
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    assert (
        "\r" not in disposition and "\n" not in disposition and "/" not in disposition.split("filename")[-1]
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    csp = download.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp, csp
    assert download.mimetype == document.content_type
    assert download.data == content

    preview = officer.get(
        f"/unit/dossiers/{application.id}/documents/{document.id}", query_string={"inline": "1"}
    )
    assert preview.status_code == 200
    assert preview.headers["X-Content-Type-Options"] == "nosniff"
    assert preview.mimetype == document.content_type != "text/html"
    assert "default-src 'none'" in preview.headers["Content-Security-Policy"]
    if document.content_type not in ("application/pdf", "image/png", "image/jpeg"):
        assert preview.headers["Content-Disposition"].startswith("attachment;")
    elif document.content_type != "application/pdf":
        assert "sandbox" in preview.headers["Content-Security-Policy"]


def test_documents_page_shows_hostile_names_escaped(dossier):
    application, applicant, _officer = dossier
    upload(applicant, application.id, files.pdf("x"), "<script>alert(1)</script>.pdf")
    page = applicant.get(f"/applicant/applications/{application.id}/documents").text
    assert "<script>alert(1)" not in page


def test_body_over_the_limit_is_cut_off_early(dossier):
    """H20: a 1 GB Content-Length is answered 413 before the body is read."""
    application, applicant, _officer = dossier
    response = applicant.post(
        f"/applicant/applications/{application.id}/documents",
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        environ_overrides={"CONTENT_LENGTH": str(1024 * MB)},
    )
    assert response.status_code == 413


def test_too_many_parts_are_refused(dossier):
    """H20: 1,500 form parts (MAX_FORM_PARTS is 1,000) give 413, nothing stored."""
    application, applicant, _officer = dossier
    data = {f"field{i}": "x" for i in range(1500)}
    data.update({"kind": "other", "file": (io.BytesIO(files.pdf("parts")), "a.pdf")})
    response = applicant.post(
        f"/applicant/applications/{application.id}/documents", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 413
    assert len(documents_of(application.id)) == len(application.documents)


def _fill_dossier(application: Application, count: int, size: int) -> None:
    db.session.execute(
        insert(Document),
        [
            {
                "application_id": application.id,
                "kind": "other",
                "filename": f"f{i}.pdf",
                "sha256": f"{i:064x}",
                "size": size,
                "content_type": "application/pdf",
                "uploaded_at": utcnow(),
            }
            for i in range(count)
        ],
    )
    db.session.commit()


def test_dossier_quota_of_200_mb_holds(dossier):
    application, applicant, _officer = dossier
    _fill_dossier(application, 10, 20 * MB)  # 200 MB already listed
    count = len(documents_of(application.id))
    response = upload(applicant, application.id, files.pdf("one more"), "mot-nua.pdf")
    assert len(documents_of(application.id)) == count
    assert response.status_code in (200, 413)


@pytest.fixture
def published(app, make):
    """A round published for comment with one recommended dossier."""
    round_ = make.round(reviewers_per_dossier=1)
    application = make.recommended(round_, score=90)
    round_.results_published_at = utcnow()
    round_.comment_deadline = local_today() + timedelta(days=10)
    db.session.commit()
    return round_, application


@pytest.mark.parametrize(
    ("content", "filename"),
    [(files.HTML, "gop-y.html"), (SVG, "gop-y.svg"), (files.EXE, "gop-y.pdf"), (PLAIN_ZIP, "gop-y.docx")],
)
def test_public_comment_refuses_hostile_attachments(client, published, content, filename):
    round_, application = published
    response = client.post(
        f"/results/{round_.id}",
        data={
            "application_id": str(application.id),
            "name": "Người dân",
            "contact": "nguoidan@example.vn",
            "text": "Góp ý",
            "is_objection": "y",
            "file": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
        environ_base={"REMOTE_ADDR": f"10.1.0.{len(filename)}"},
    )
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Objection)) == 0


def test_each_refusal_says_why_in_the_users_language(dossier):
    application, applicant, _officer = dossier
    applicant.get("/lang/en")
    cases = [
        (PDF_WITH_JS, "js.pdf", "active content"),
        (MACRO_DOCX, "don.docx", "active content"),
        (ZIP_BOMB_DOCX, "bomb.docx", "expands"),
        (files.EXE, "x.pdf", "checked by content"),
    ]
    for content, filename, words in cases:
        response = upload(applicant, application.id, content, filename)
        assert words in response.text, filename


def test_upload_refused_for_the_dossier_quota_leaves_no_file_on_disk(app, dossier):
    application, applicant, _officer = dossier
    storage = app.extensions["evidence_storage"]
    used = sum(d.size for d in documents_of(application.id))
    _fill_dossier(application, 10, (app.config["DOSSIER_MAX_BYTES"] - used - 1000) // 10)  # ~1,000 bytes left
    before = stored_files(storage.root)
    applicant.get("/lang/en")
    response = upload(applicant, application.id, files.pdf("x" * 2000), "qua-han-muc.pdf")
    assert "reached its limit" in response.text
    assert stored_files(storage.root) == before
    assert upload(applicant, application.id, files.pdf("fits"), "vua.pdf").status_code == 302


def test_an_account_may_upload_only_so_many_files_an_hour(app, dossier, monkeypatch, frozen_clock):
    """UPLOADS_PER_HOUR per account (the clock is held still, so the hour cannot roll over mid-test)."""
    monkeypatch.setitem(app.config, "UPLOADS_PER_HOUR", 3)
    application, applicant, _officer = dossier
    storage = app.extensions["evidence_storage"]
    applicant.get("/lang/en")
    for n in range(3):
        assert upload(applicant, application.id, files.pdf(f"limit {n}"), f"{n}.pdf").status_code == 302
    before_docs, before_files = len(documents_of(application.id)), stored_files(storage.root)
    response = upload(applicant, application.id, files.pdf("one too many"), "4.pdf")
    assert response.status_code == 429
    assert "at most 3 files an hour" in response.text
    assert re.search(r'<option selected value="other">|<option value="other" selected', response.text)
    assert len(documents_of(application.id)) == before_docs
    assert stored_files(storage.root) == before_files
