"""Evidence storage: content-checked, stored once by SHA-256, never half-written."""

import hashlib
import io
import os

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
    import zipfile

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
