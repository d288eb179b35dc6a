"""Evidence files: stored once by SHA-256, type checked by content, written atomically.

LocalStorage keeps them under the instance folder (the embedded default); S3Storage
(recognition/cases/s3storage.py) keeps them in an S3-compatible bucket when STORAGE_URL names one.
Both have the methods of EvidenceStorage (put, open, send, exists, purge) and check an upload the same
way (`spooled_upload`); the app reads `current_app.extensions["evidence_storage"]` and never a path.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import tempfile
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, BinaryIO, Protocol

import filetype
from flask import Response, current_app, send_file
from flask_babel import gettext as _

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
MAX_EXPANDED_BYTES = 100 * CHUNK  # ... and one expanding past 100 MB in all (OFFICE_MAX_EXPANDED_BYTES)
CONTENT_TYPES_MAX_BYTES = CHUNK  # [Content_Types].xml is a few hundred bytes in a real document
# PDF names that run code: a script, or a launch action that opens a program or a file.
PDF_ACTIVE_NAMES = frozenset({b"JS", b"JavaScript", b"Launch"})
# A name (its characters up to a delimiter), or the keyword that starts a stream's data.
PDF_TOKEN = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]*)|(?<![A-Za-z])stream\r?\n")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_CARRY = 64  # bytes kept between chunks: more than any escaped active name ("/#4A#61..." is 31)
# Control, format (bidirectional overrides and isolates, zero-width and joiner marks, BOM, soft
# hyphen), surrogate and line/paragraph separator characters: invisible or misleading in a name.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


class UploadRejected(ValueError):
    """The file is not acceptable; `reason` is one of: empty, too_large, type, expands_too_much (an
    office file's archive), active_content (macros, PDF scripts or launch actions), quota (per
    dossier), rate (uploads per account)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def upload_message(reason: str) -> str:
    """What the person reads for each UploadRejected reason: the nomination's documents page, the
    public comment form and the handler of an over-size body all say the same."""
    config, mb = current_app.config, 1024 * 1024
    return {
        "too_large": _("The file is larger than %(limit)s MB.", limit=config["UPLOAD_MAX_BYTES"] // mb),
        "empty": _("The file is empty."),
        "type": _("Only PDF, JPEG, PNG, DOCX and XLSX files are accepted (checked by content, not by name)."),
        "expands_too_much": _(
            "This office file expands to more than %(limit)s MB, or far beyond its own size, when opened: "
            "save it again without embedded media, or send it as PDF.",
            limit=config["OFFICE_MAX_EXPANDED_BYTES"] // mb,
        ),
        "active_content": _(
            "Files with active content are not accepted: macros, JavaScript, launch actions, or compressed "
            "parts that cannot be checked. Save the document without them (DOCX/XLSX, not DOCM/XLSM), or "
            "print it to PDF."
        ),
        "quota": _(
            "This dossier has reached its limit of %(limit)s MB of documents.",
            limit=config["DOSSIER_MAX_BYTES"] // mb,
        ),
        "rate": _(
            "You can upload at most %(limit)s files an hour. Please try again later.",
            limit=config["UPLOADS_PER_HOUR"],
        ),
    }[reason]


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str


class EvidenceStorage(Protocol):
    def put(self, stream: IO[bytes], max_bytes: int) -> StoredFile: ...

    def send(self, sha256: str, download_name: str, *, content_type: str, as_attachment: bool) -> Response:
        """The stored file as the response to a download (headers beyond the file's own are the
        caller's: recognition/cases/downloads.py)."""
        ...

    def open(self, sha256: str) -> BinaryIO:
        """The stored bytes, to read (FileNotFoundError when there are none)."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def purge(self, referenced: Container[str], older_than: timedelta) -> int:
        """Remove what a crash left behind once older than `older_than`: partial uploads, and stored
        files whose digest is not in `referenced`; returns how many were removed."""
        ...


def check_content(path: str, max_expanded_bytes: int = MAX_EXPANDED_BYTES) -> str:
    """The allowed type the file's bytes show; raises UploadRejected when there is none, or when the
    file carries active content or would expand too far. Reads what it needs in bounded pieces."""
    kind = filetype.guess(path)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise UploadRejected("type")
    if kind.extension in ("docx", "xlsx"):
        _check_office_package(path, max_expanded_bytes)
    elif kind.mime == "application/pdf":
        _check_pdf(path, max_expanded_bytes)
    return kind.mime


def _check_office_package(path: str, max_expanded_bytes: int) -> None:
    """Sizes come from the zip's central directory, so a bomb is refused before anything is inflated
    (a member never inflates past its declared size: zipfile stops there and fails the CRC). No full
    testzip(): integrity of the parts is for the reader of the document; only the small content-types
    part is inflated, to refuse macro-enabled packages named .docx or .xlsx."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            expanded = sum(info.file_size for info in members)
            if expanded > max_expanded_bytes or expanded > ZIP_BOMB_RATIO * max(os.path.getsize(path), 1):
                raise UploadRejected("expands_too_much")
            if any(info.filename.lower().endswith("vbaproject.bin") for info in members):
                raise UploadRejected("active_content")
            types = next((i for i in members if i.filename == "[Content_Types].xml"), None)
            if types is None or types.file_size > CONTENT_TYPES_MAX_BYTES:
                raise UploadRejected("type")
            declared = _xml_text(archive.read(types))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise UploadRejected("type") from error
    if "macroenabled" in declared or "vbaproject" in declared:
        raise UploadRejected("active_content")


def _xml_text(data: bytes) -> str:
    """The part's text, lower case, character references resolved ("macro&#x45;nabled" hides nothing)."""
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
    return html.unescape(data.decode(encoding, errors="replace")).lower()


def _check_pdf(path: str, max_expanded_bytes: int) -> None:
    """Refuse a PDF that names a script or a launch action, in its own bytes or inside a compressed
    object stream (where PDF 1.5+ keeps dictionaries). Two bounded passes: the file in chunks, then
    each object stream inflated in chunks, at most `max_expanded_bytes` in all."""
    with open(path, "rb") as pdf:
        object_streams = []
        for name, offset in _pdf_tokens(_chunks(pdf)):
            if name in PDF_ACTIVE_NAMES:
                raise UploadRejected("active_content")
            if offset is not None:
                object_streams.append(offset)
        budget = max_expanded_bytes
        for offset in object_streams:
            pdf.seek(offset)
            inflated = _Inflated(_chunks(pdf), budget)
            if any(name in PDF_ACTIVE_NAMES for name, _offset in _pdf_tokens(inflated)):
                raise UploadRejected("active_content")
            budget -= inflated.total


def _chunks(file: BinaryIO) -> Iterator[bytes]:
    while chunk := file.read(CHUNK):
        yield chunk


def _pdf_tokens(pieces: Iterable[bytes]) -> Iterator[tuple[bytes, int | None]]:
    """Each PDF name (#xx escapes decoded) as (name, None), read from the bytes fed in pieces; a token
    cut by a piece's end is read whole from the next. The `stream` keyword after a name ObjStm (an
    object stream's dictionary) yields (b"", the offset where its data starts)."""
    pieces = iter(pieces)
    carry, base, in_object_stream = b"", 0, False
    piece = next(pieces, b"")
    while piece:
        following = next(pieces, b"")
        buffer, done = carry + piece, 0
        for match in PDF_TOKEN.finditer(buffer):
            if following and match.end() == len(buffer):
                break  # may go on in the next piece
            done = match.end()
            if match.group(1) is None:  # the stream keyword
                if in_object_stream:
                    yield b"", base + match.end()
                in_object_stream = False
                continue
            name = PDF_NAME_ESCAPE.sub(lambda escape: bytes([int(escape[1], 16)]), match.group(1))
            in_object_stream = in_object_stream or name == b"ObjStm"
            yield name, None
        keep_from = max(done, len(buffer) - PDF_CARRY)
        base, carry, piece = base + keep_from, buffer[keep_from:], following


class _Inflated:
    """A zlib stream inflated in bounded pieces, refused past `budget` bytes; `total` counts them."""

    def __init__(self, pieces: Iterable[bytes], budget: int):
        self.pieces, self.budget, self.total = pieces, budget, 0

    def __iter__(self) -> Iterator[bytes]:
        inflater = zlib.decompressobj()
        try:
            for piece in self.pieces:
                while piece and not inflater.eof:
                    out = inflater.decompress(piece, CHUNK)
                    piece = inflater.unconsumed_tail
                    self.total += len(out)
                    if self.total > self.budget:
                        raise UploadRejected("expands_too_much")
                    yield out
                if inflater.eof:
                    return
        except zlib.error as error:
            # An object stream that cannot be read could hide anything: refuse rather than guess.
            raise UploadRejected("active_content") from error


def safe_display_name(filename: str, content_type: str) -> str:
    """A name fit to show and to offer on download: no path, no control, bidirectional or other
    invisible format characters (U+202E shows "cv\u202excod.pdf" as "cvfdp.docx"), bounded length."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in HIDDEN_CATEGORIES)
    name = re.sub(r"[\"<>:|?*]", "", name).strip(" .")
    stem, _dot, _ext = name.rpartition(".")
    stem = (stem or name)[:150] or "tai-lieu"
    return stem + ALLOWED_TYPES[content_type]


@contextmanager
def spooled_upload(
    stream: IO[bytes], max_bytes: int, spool_dir: str, max_expanded_bytes: int = MAX_EXPANDED_BYTES
) -> Iterator[tuple[str, StoredFile]]:
    """The upload copied to a temp file in `spool_dir` while hashed and counted (refused past
    `max_bytes`, before the rest is read), made durable, then checked by content: yields the temp
    file's path and what it holds. Every store takes an upload through here, so the checks cannot
    differ between them; the temp file is removed on the way out unless the store moved it."""
    digest, size = hashlib.sha256(), 0
    fd, tmp_path = tempfile.mkstemp(dir=spool_dir, prefix="upload-")
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
        content_type = check_content(tmp_path, max_expanded_bytes)
        yield tmp_path, StoredFile(sha256=digest.hexdigest(), size=size, content_type=content_type)
    finally:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)


class LocalStorage:
    """Files under `root`, named by their SHA-256 in two levels of folders; never overwritten."""

    def __init__(self, root: str, max_expanded_bytes: int = MAX_EXPANDED_BYTES):
        self.root = root
        self.tmp = os.path.join(root, "tmp")
        self.max_expanded_bytes = max_expanded_bytes
        os.makedirs(self.tmp, exist_ok=True)

    def path_for(self, sha256: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a SHA-256 hex digest")
        return os.path.join(self.root, sha256[:2], sha256[2:4], sha256)

    def exists(self, sha256: str) -> bool:
        return os.path.exists(self.path_for(sha256))

    def send(self, sha256: str, download_name: str, *, content_type: str, as_attachment: bool) -> Response:
        return send_file(
            self.path_for(sha256),
            mimetype=content_type,
            as_attachment=as_attachment,
            download_name=download_name,
            max_age=0,
        )

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_for(sha256), "rb")  # the caller closes it

    def put(self, stream: IO[bytes], max_bytes: int) -> StoredFile:
        """Copy the upload to a temp file while hashing, check it, then rename it into place."""
        with spooled_upload(stream, max_bytes, self.tmp, self.max_expanded_bytes) as (tmp_path, stored):
            final_path = self.path_for(stored.sha256)
            if os.path.exists(final_path):
                os.utime(final_path)  # fresh again: purge() spares it until its row is committed
            else:
                os.makedirs(os.path.dirname(final_path), exist_ok=True)
                os.replace(tmp_path, final_path)
                _fsync_directory(os.path.dirname(final_path))
        return stored

    def purge(self, referenced: Container[str], older_than: timedelta) -> int:
        """Partial uploads in `tmp` (a killed worker's) and stored files no row references, once older
        than `older_than`: a fresh one may be an upload whose row is not committed yet."""
        cutoff = time.time() - older_than.total_seconds()
        removed = 0
        for folder, _folders, names in os.walk(self.root):
            for name in names:
                path = os.path.join(folder, name)
                leftover = folder == self.tmp or (
                    re.fullmatch(r"[0-9a-f]{64}", name)
                    and path == self.path_for(name)
                    and name not in referenced
                )
                if leftover and _remove_if_older(path, cutoff):
                    removed += 1
        return removed


def purge_partial_uploads(spool_dir: str, cutoff: float) -> int:
    """Remove the temp files in `spool_dir` last written before `cutoff` (a killed worker's)."""
    removed = 0
    for entry in os.scandir(spool_dir):
        if entry.is_file(follow_symlinks=False) and _remove_if_older(entry.path, cutoff):
            removed += 1
    return removed


def _remove_if_older(path: str, cutoff: float) -> bool:
    """Remove the file if it was last written before `cutoff` (checked at the last moment)."""
    try:
        if os.stat(path).st_mtime >= cutoff:
            return False
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def _fsync_directory(path: str) -> None:
    """Make the rename itself durable (PostgreSQL's durable_rename does the same)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
