"""Evidence files: stored once by SHA-256, type checked by content, written atomically.

LocalStorage keeps them under the instance folder; an object-storage class with the same three
methods can replace it (the app reads `current_app.extensions["evidence_storage"]`).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO, Protocol

import filetype

CHUNK = 1024 * 1024

# Content types we accept, as detected from the bytes; the name's extension is never trusted.
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
}
ZIP_BOMB_RATIO = 100  # an office file expanding over 100x its size is refused


class UploadRejected(ValueError):
    """The file is not acceptable; `reason` is one of: empty, too_large, type, quota (per dossier)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str


class EvidenceStorage(Protocol):
    def put(self, stream: BinaryIO, max_bytes: int) -> StoredFile: ...

    def path_for(self, sha256: str) -> str: ...

    def exists(self, sha256: str) -> bool: ...


def detect_content_type(path: str) -> str | None:
    """The allowed type the file's bytes show, or None (office files must be well-formed zips)."""
    kind = filetype.guess(path)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        return None
    if kind.extension in ("docx", "xlsx"):
        try:
            with zipfile.ZipFile(path) as archive:
                expanded = sum(info.file_size for info in archive.infolist())
                if expanded > ZIP_BOMB_RATIO * max(os.path.getsize(path), 1):
                    return None
                if archive.testzip() is not None:
                    return None
        except zipfile.BadZipFile:
            return None
    return kind.mime


def safe_display_name(filename: str, content_type: str) -> str:
    """A name fit to show and to offer on download: no path, no control characters, bounded length."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"<>:|?*]", "", name).strip(" .")
    stem, _dot, _ext = name.rpartition(".")
    stem = (stem or name)[:150] or "tai-lieu"
    return stem + ALLOWED_TYPES[content_type]


class LocalStorage:
    """Files under `root`, named by their SHA-256 in two levels of folders; never overwritten."""

    def __init__(self, root: str):
        self.root = root
        self.tmp = os.path.join(root, "tmp")
        os.makedirs(self.tmp, exist_ok=True)

    def path_for(self, sha256: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a SHA-256 hex digest")
        return os.path.join(self.root, sha256[:2], sha256[2:4], sha256)

    def exists(self, sha256: str) -> bool:
        return os.path.exists(self.path_for(sha256))

    def put(self, stream: BinaryIO, max_bytes: int) -> StoredFile:
        """Copy the upload to a temp file while hashing, check it, then rename it into place."""
        digest, size = hashlib.sha256(), 0
        fd, tmp_path = tempfile.mkstemp(dir=self.tmp, prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as tmp_file:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise UploadRejected("too_large")
                    digest.update(chunk)
                    tmp_file.write(chunk)
                tmp_file.flush()
                os.fsync(tmp_file.fileno())
            if size == 0:
                raise UploadRejected("empty")
            content_type = detect_content_type(tmp_path)
            if content_type is None:
                raise UploadRejected("type")
            sha256 = digest.hexdigest()
            final_path = self.path_for(sha256)
            if not os.path.exists(final_path):
                os.makedirs(os.path.dirname(final_path), exist_ok=True)
                os.replace(tmp_path, final_path)
                _fsync_directory(os.path.dirname(final_path))
            return StoredFile(sha256=sha256, size=size, content_type=content_type)
        finally:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)


def _fsync_directory(path: str) -> None:
    """Make the rename itself durable (PostgreSQL's durable_rename does the same)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
