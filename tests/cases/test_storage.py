"""Evidence storage: content-checked, stored once by SHA-256, never half-written."""

import hashlib
import io
import os
import time
import zipfile
import zlib
from datetime import timedelta

import pytest

from recognition.cases.storage import LocalStorage, UploadRejected, safe_display_name
from tests import files


def stored_files(root: str) -> list[str]:
    return [os.path.join(d, f) for d, _dirs, names in os.walk(root) for f in names]


class BrokenStream(io.RawIOBase):
    """Gives some bytes, then fails as a dropped connection would."""

    def __init__(self, good: bytes):
        self.good, self.sent = good, False

    def read(self, size=-1):
        if not self.sent:
            self.sent = True
            return self.good
        raise ConnectionResetError("client went away")


def test_same_content_is_stored_once(tmp_path):
    storage = LocalStorage(str(tmp_path))
    first = storage.put(io.BytesIO(files.pdf("x")), 10_000)
    second = storage.put(io.BytesIO(files.pdf("x")), 10_000)
    assert first == second
    assert first.sha256 == hashlib.sha256(files.pdf("x")).hexdigest()
    assert stored_files(str(tmp_path)) == [storage.path_for(first.sha256)]


def test_interrupted_write_leaves_nothing_behind(tmp_path):
    storage = LocalStorage(str(tmp_path))
    with pytest.raises(ConnectionResetError):
        storage.put(BrokenStream(files.PDF), 10_000)
    assert stored_files(str(tmp_path)) == []


def test_rejected_file_leaves_nothing_behind(tmp_path):
    storage = LocalStorage(str(tmp_path))
    with pytest.raises(UploadRejected) as rejected:
        storage.put(io.BytesIO(files.EXE), 10_000)
    assert rejected.value.reason == "type"
    assert stored_files(str(tmp_path)) == []


def test_too_large_is_refused_while_reading(tmp_path):
    storage = LocalStorage(str(tmp_path))
    with pytest.raises(UploadRejected) as rejected:
        storage.put(io.BytesIO(files.PDF + b"0" * 5000), 1000)
    assert rejected.value.reason == "too_large"
    assert stored_files(str(tmp_path)) == []


def test_zip_bomb_disguised_as_docx_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "0" * 5_000_000)
    with pytest.raises(UploadRejected):
        LocalStorage(str(tmp_path)).put(io.BytesIO(buffer.getvalue()), 10_000_000)


def test_path_for_refuses_anything_but_a_digest(tmp_path):
    with pytest.raises(ValueError):
        LocalStorage(str(tmp_path)).path_for("../../etc/passwd")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../wsgi.py", "wsgi.pdf"),
        ("..\\x.pdf", "x.pdf"),
        ("bao\x00cao.pdf", "baocao.pdf"),
        ("a\r\nb.pdf", "ab.pdf"),
        ("CON.pdf", "CON.pdf"),
        ("x" * 300 + ".pdf", "x" * 150 + ".pdf"),
        ("Báo cáo tài chính.PDF", "Báo cáo tài chính.pdf"),
        ("", "tai-lieu.pdf"),
    ],
)
def test_display_names_are_sanitised(name, expected):
    assert safe_display_name(name, "application/pdf") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cv\u202excod.pdf", "cvxcod.pdf"),  # RIGHT-TO-LEFT OVERRIDE would show "cvfdp.docx"
        ("\u2067bao-cao\u2069.pdf", "bao-cao.pdf"),
        ("a\u200eb\u200fc.pdf", "abc.pdf"),
        ("x\u202a\u202b\u202c\u202dy.pdf", "xy.pdf"),
        ("\u2066\u2068z.pdf", "z.pdf"),
        ("\u061cmẫu.pdf", "mẫu.pdf"),
        ("\ufeffzero\u200bwidth\u00ad.pdf", "zerowidth.pdf"),  # BOM, zero-width space, soft hyphen
        ("line\u2028break\u2029.pdf", "linebreak.pdf"),
        ("c1\u0085\u009b.pdf", "c1.pdf"),
        ("\u202e", "tai-lieu.pdf"),
    ],
)
def test_display_names_lose_bidi_and_other_format_characters(name, expected):
    assert safe_display_name(name, "application/pdf") == expected


# Active content and archives that expand too far: refused by reason, before any expensive parsing.


def _zip(entries: dict, method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _refusal(storage: LocalStorage, content: bytes) -> str:
    with pytest.raises(UploadRejected) as rejected:
        storage.put(io.BytesIO(content), 25 * MB)
    assert stored_files(storage.root) == []
    return rejected.value.reason


MB = 1024 * 1024
WORD_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="%s"/></Types>'
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def _declaring(content: bytes, name: str, declared: int) -> bytes:
    """The archive with `name`'s uncompressed size in the central directory changed to `declared`
    (what a bomb's directory says before anything is inflated)."""
    data = bytearray(content)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_length] == name.encode():
            data[at + 24 : at + 28] = declared.to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def test_office_file_expanding_past_the_cap_is_refused_from_its_directory(tmp_path, monkeypatch):
    """The 97x case: within the ratio, past the 100 MB cap; refused without inflating a member."""
    body = os.urandom(1_200_000)
    docx = _zip(
        {"[Content_Types].xml": WORD_TYPES % DOCX_MAIN, "word/document.xml": body}, zipfile.ZIP_STORED
    )
    docx = _declaring(docx, "word/document.xml", 97 * 1_200_000)
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile,
        "open",
        lambda self, name, *a, **k: opened.append(name) or real_open(self, name, *a, **k),
    )
    assert _refusal(LocalStorage(str(tmp_path)), docx) == "expands_too_much"
    assert opened == []


def test_the_expansion_cap_is_configurable(tmp_path):
    docx = _zip({"[Content_Types].xml": WORD_TYPES % DOCX_MAIN, "word/document.xml": os.urandom(300_000)})
    assert LocalStorage(str(tmp_path / "a")).put(io.BytesIO(docx), 25 * MB).content_type.endswith("document")
    assert _refusal(LocalStorage(str(tmp_path / "b"), max_expanded_bytes=200_000), docx) == "expands_too_much"


def test_office_file_over_the_ratio_gives_its_own_reason(tmp_path):
    docx = _zip({"[Content_Types].xml": WORD_TYPES % DOCX_MAIN, "word/document.xml": "0" * 5_000_000})
    assert _refusal(LocalStorage(str(tmp_path)), docx) == "expands_too_much"


@pytest.mark.parametrize(
    "entries",
    [
        {
            "[Content_Types].xml": WORD_TYPES % DOCX_MAIN,
            "word/document.xml": "<doc/>",
            "word/vbaProject.bin": b"\xd0\xcf",
        },
        {
            "[Content_Types].xml": WORD_TYPES % "application/vnd.ms-word.document.macroEnabled.main+xml",
            "word/document.xml": "<doc/>",
        },
        {
            "[Content_Types].xml": WORD_TYPES % "application/vnd.ms-word.document.macro&#x45;nabled.main+xml",
            "word/document.xml": "<doc/>",
        },
        {
            "[Content_Types].xml": (
                WORD_TYPES % "application/vnd.ms-word.document.macroEnabled.main+xml"
            ).encode("utf-16"),
            "word/document.xml": "<doc/>",
        },
    ],
    ids=["vbaProject.bin", "macro-enabled type", "escaped macro-enabled type", "utf-16 types"],
)
def test_macro_enabled_word_file_named_docx_is_refused(tmp_path, entries):
    assert _refusal(LocalStorage(str(tmp_path)), _zip(entries)) == "active_content"


def test_macro_enabled_workbook_named_xlsx_is_refused(tmp_path):
    xlsx = _zip(
        {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<wb/>", "xl/vbaProject.bin": b"\xd0\xcf"}
    )
    assert _refusal(LocalStorage(str(tmp_path)), xlsx) == "active_content"


def _object_stream(body: bytes) -> bytes:
    packed = zlib.compress(body)
    return (
        b"%PDF-1.5\n5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b" >>\nstream\n"
        + packed
        + b"\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


@pytest.mark.parametrize(
    "content",
    [
        files.PDF + b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n",
        files.PDF + b"<</S/JavaScript/JS(x)>>",
        files.PDF + b"<< /Names << /J#61vaScript 3 0 R >> >>",
        files.PDF + b"<< /A << /S /#4C#61#75#6e#63#68 /F (cmd.exe) >> >>",
        files.PDF + b"<< /AA << /O << /JS 7 0 R >> >> >>",
        files.PDF + b"%" + b"x" * (1024 * 1024 - len(files.PDF) - 4) + b"\n/JavaScript (x)",  # across chunks
        _object_stream(b"6 0 << /S /JavaScript /JS (app.alert(1)) >>"),
        _object_stream(b"6 0 << /Type /Action /S /Launch /F (calc.exe) >>"),
    ],
    ids=[
        "js",
        "no spaces",
        "hex-escaped",
        "hex-escaped launch",
        "additional action",
        "chunk edge",
        "in object stream",
        "launch in object stream",
    ],
)
def test_pdf_with_javascript_or_a_launch_action_is_refused(tmp_path, content):
    assert _refusal(LocalStorage(str(tmp_path)), content) == "active_content"


@pytest.mark.parametrize(
    "content",
    [
        files.PDF + b"<< /JSON (not a script key) /Launcher 1 /Title (JavaScript in a string) >>\n",
        _object_stream(b"6 0 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
    ],
    ids=["look-alike names", "harmless object stream"],
)
def test_pdf_without_active_content_is_accepted(tmp_path, content):
    assert LocalStorage(str(tmp_path)).put(io.BytesIO(content), 25 * MB).content_type == "application/pdf"


# Leftovers: what a crash leaves is removed once old; a referenced or a fresh file never is.


def _age(path: str, seconds: int) -> None:
    when = time.time() - seconds
    os.utime(path, (when, when))


def test_purge_removes_old_leftovers_and_keeps_referenced_and_fresh_files(tmp_path):
    storage = LocalStorage(str(tmp_path))
    kept = storage.put(io.BytesIO(files.pdf("referenced")), 10_000)
    orphan = storage.put(io.BytesIO(files.pdf("orphan")), 10_000)
    fresh = storage.put(io.BytesIO(files.pdf("fresh")), 10_000)
    stale_tmp = os.path.join(storage.tmp, "upload-killed")
    fresh_tmp = os.path.join(storage.tmp, "upload-in-flight")
    for path in (stale_tmp, fresh_tmp):
        with open(path, "wb") as partial:
            partial.write(b"%PDF-1.4 half")
    for path in (storage.path_for(kept.sha256), storage.path_for(orphan.sha256), stale_tmp):
        _age(path, 2 * 3600)

    assert storage.purge({kept.sha256}, timedelta(hours=1)) == 2
    assert storage.exists(kept.sha256) and storage.exists(fresh.sha256)
    assert not storage.exists(orphan.sha256)
    assert os.path.exists(fresh_tmp) and not os.path.exists(stale_tmp)
    assert storage.purge({kept.sha256}, timedelta(hours=1)) == 0


def test_storing_a_file_again_makes_it_fresh(tmp_path):
    """An old orphan uploaded again before its row is committed must not be purged under it."""
    storage = LocalStorage(str(tmp_path))
    stored = storage.put(io.BytesIO(files.pdf("again")), 10_000)
    _age(storage.path_for(stored.sha256), 2 * 3600)
    storage.put(io.BytesIO(files.pdf("again")), 10_000)
    assert storage.purge(set(), timedelta(hours=1)) == 0
    assert storage.exists(stored.sha256)
