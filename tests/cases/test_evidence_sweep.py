"""The daily sweep removes what a crash left in the evidence store: temporary files and stored files
that no document or comment references, once they are an hour old. Never a referenced or a fresh one."""

import io
import os
import time

from recognition.cases.models import Document
from recognition.cases.sweep import sweep
from recognition.clock import local_today, utcnow
from recognition.extensions import db
from recognition.honours.models import Objection
from recognition.rounds.models import DocumentKind
from tests import files

TWO_HOURS = 2 * 3600


def _age(path: str, seconds: int = TWO_HOURS) -> None:
    when = time.time() - seconds
    os.utime(path, (when, when))


def test_sweep_removes_old_leftovers_only(app, make):
    storage = app.extensions["evidence_storage"]
    application = make.application(complete=False)
    listed, commented, orphan, fresh = (
        storage.put(io.BytesIO(files.pdf(f"sweep {label}")), 10_000)
        for label in ("listed", "commented", "orphan", "fresh")
    )
    application.documents.append(
        Document(
            kind=DocumentKind.other, filename="a.pdf", sha256=listed.sha256, size=listed.size,
            content_type=listed.content_type, uploaded_at=utcnow(),
        )
    )  # fmt: skip
    db.session.add(
        Objection(
            application_id=application.id, name="Người dân", contact="a@example.vn", text="Góp ý",
            document_sha256=commented.sha256, document_type="application/pdf", document_name="b.pdf",
        )
    )  # fmt: skip
    db.session.commit()
    killed = os.path.join(storage.tmp, "upload-killed-by-sigkill")
    in_flight = os.path.join(storage.tmp, "upload-in-flight")
    for path in (killed, in_flight):
        with open(path, "wb") as partial:
            partial.write(b"%PDF-1.4 partial")
    for stored in (listed, commented, orphan):
        _age(storage.path_for(stored.sha256))
    _age(killed)

    report = sweep(local_today())

    assert report.evidence_removed == 2
    assert storage.exists(listed.sha256) and storage.exists(commented.sha256) and storage.exists(fresh.sha256)
    assert not storage.exists(orphan.sha256)
    assert os.path.exists(in_flight) and not os.path.exists(killed)
    assert sweep(local_today()).evidence_removed == 0  # idempotent
    os.unlink(in_flight)


def test_sweep_command_reports_the_files_removed(app):
    storage = app.extensions["evidence_storage"]
    sweep(local_today())  # what earlier tests left, unreferenced once their rows are gone
    killed = os.path.join(storage.tmp, "upload-from-a-crash")
    with open(killed, "wb") as partial:
        partial.write(b"half")
    _age(killed)
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "evidence files removed: 1" in result.output
    assert not os.path.exists(killed)
