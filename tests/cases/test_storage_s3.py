"""Evidence in an S3-compatible bucket (moto stands in for S3): the same upload checks, the same
download headers and permission checks as the local folder, which the same tests run against too."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import timedelta

import boto3
import pytest
from moto import mock_aws

from recognition import create_app
from recognition.accounts.models import Role
from recognition.cases import s3storage
from recognition.cases.models import Document
from recognition.cases.s3storage import S3Storage
from recognition.cases.storage import LocalStorage, UploadRejected
from recognition.cases.stores import storage_from_config
from recognition.config import ConfigError
from recognition.extensions import db
from tests import files
from tests.conftest import fire
from tests.security import client_for

BUCKET = "chuluc-evidence"
STORAGE_URL = f"s3://{BUCKET}/hanoi/evidence"


@pytest.fixture
def aws(monkeypatch):
    """A mocked S3 with the bucket; fake credentials come from moto, the region from the standard
    variable, as in production."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture
def s3_store(app, aws, tmp_path) -> S3Storage:
    store = storage_from_config({**app.config, "STORAGE_URL": STORAGE_URL, "EVIDENCE_DIR": str(tmp_path)})
    assert isinstance(store, S3Storage)
    return store


@pytest.fixture(params=["local", "s3"])
def store(request, app, monkeypatch):
    """The app's store for the test: the session's local folder, or a bucket configured by STORAGE_URL."""
    if request.param == "local":
        return app.extensions["evidence_storage"]
    s3_store = request.getfixturevalue("s3_store")
    monkeypatch.setitem(app.extensions, "evidence_storage", s3_store)
    return s3_store


def bucket_keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


@pytest.fixture
def dossier(app, make):
    """A dossier waiting for the enterprise's supplement: the enterprise may upload, its unit's
    officer may preview."""
    application = make.application()
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    fire(application, "request_supplement", officer)
    return application, client_for(app, make.applicant_of(application)), client_for(app, officer)


def upload(client, application_id: int, content: bytes, filename: str):
    return client.post(
        f"/applicant/applications/{application_id}/documents",
        data={"kind": "other", "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def newest_document(application_id: int) -> Document:
    db.session.expire_all()
    return db.session.scalars(
        db.select(Document).where(Document.application_id == application_id).order_by(Document.id.desc())
    ).first()


def test_an_upload_through_the_app_is_stored_and_served_back(store, dossier):
    application, applicant, officer = dossier
    content = files.pdf("through the app")
    assert upload(applicant, application.id, content, "báo cáo tài chính.pdf").status_code == 302

    document = newest_document(application.id)
    assert document.sha256 == hashlib.sha256(content).hexdigest() and document.size == len(content)
    assert store.exists(document.sha256)
    with store.open(document.sha256) as stored:
        assert stored.read() == content

    download = applicant.get(f"/applicant/applications/{application.id}/documents/{document.id}")
    assert download.status_code == 200
    assert download.data == content
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Length"] == str(len(content))
    assert download.headers["Content-Disposition"] == (
        "attachment; filename=\"bao cao tai chinh.pdf\"; "
        "filename*=UTF-8''b%C3%A1o%20c%C3%A1o%20t%C3%A0i%20ch%C3%ADnh.pdf"
    )
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]
    assert "sandbox" in download.headers["Content-Security-Policy"]

    preview = officer.get(
        f"/unit/dossiers/{application.id}/documents/{document.id}", query_string={"inline": "1"}
    )
    assert preview.status_code == 200 and preview.data == content
    assert preview.headers["Content-Disposition"].startswith("inline;")
    assert preview.headers["X-Content-Type-Options"] == "nosniff"


def test_in_s3_the_object_is_keyed_by_its_digest_under_the_prefix(s3_store, app, aws, dossier, monkeypatch):
    monkeypatch.setitem(app.extensions, "evidence_storage", s3_store)
    application, applicant, _officer = dossier
    content = files.pdf("keyed")
    digest = hashlib.sha256(content).hexdigest()
    assert upload(applicant, application.id, content, "a.pdf").status_code == 302
    key = f"hanoi/evidence/{digest[:2]}/{digest[2:4]}/{digest}"
    assert bucket_keys(aws) == [key]
    stored = aws.get_object(Bucket=BUCKET, Key=key)
    assert stored["Body"].read() == content
    assert stored["ContentType"] == "application/pdf"
    assert os.listdir(s3_store.spool_dir) == []  # the checked copy did not stay on local disk


def test_a_stranger_is_refused_the_file(store, app, make, dossier):
    application, applicant, _officer = dossier
    content = files.pdf("not for strangers")
    assert upload(applicant, application.id, content, "rieng.pdf").status_code == 302
    document = newest_document(application.id)
    other_enterprise = client_for(app, make.user(Role.applicant))
    foreign_officer = client_for(app, make.user(Role.unit_officer, unit=make.unit("P-HADONG")))
    anonymous = client_for(app, None)

    refused = [
        other_enterprise.get(f"/applicant/applications/{application.id}/documents/{document.id}"),
        foreign_officer.get(f"/unit/dossiers/{application.id}/documents/{document.id}"),
        anonymous.get(f"/applicant/applications/{application.id}/documents/{document.id}"),
    ]
    assert [r.status_code for r in refused[:2]] == [404, 404]
    assert refused[2].status_code == 302 and "/login" in refused[2].headers["Location"]
    assert all(content not in r.data for r in refused)


def test_range_and_conditional_requests_are_answered(store, dossier):
    application, applicant, _officer = dossier
    content = files.pdf("ranges " + "x" * 200)
    assert upload(applicant, application.id, content, "r.pdf").status_code == 302
    url = f"/applicant/applications/{application.id}/documents/{newest_document(application.id).id}"

    part = applicant.get(url, headers={"Range": "bytes=100-149"})
    assert part.status_code == 206
    assert part.data == content[100:150]
    assert part.headers["Content-Range"] == f"bytes 100-149/{len(content)}"
    tail = applicant.get(url, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == content[-10:]
    assert applicant.get(url, headers={"Range": f"bytes={len(content) + 5}-"}).status_code == 416

    etag = applicant.get(url).headers["ETag"]
    assert applicant.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_both_stores_send_the_same_headers(app, s3_store, tmp_path):
    """A download's headers do not depend on where the file is kept (only the validators' and the
    clock's values do)."""
    local = LocalStorage(str(tmp_path / "local"))
    content = files.pdf("same headers")
    sha256 = local.put(io.BytesIO(content), 10_000).sha256
    assert s3_store.put(io.BytesIO(content), 10_000).sha256 == sha256
    for as_attachment in (True, False):
        sent = []
        for store in (local, s3_store):
            with app.test_request_context():
                response = store.send(
                    sha256, "hồ sơ.pdf", content_type="application/pdf", as_attachment=as_attachment
                )
                sent.append(response)
                assert b"".join(response.response) == content
                response.close()
        local_headers, s3_headers = (dict(r.headers) for r in sent)
        for varying in ("ETag", "Last-Modified", "Expires", "Date"):  # both "now": a second may pass
            assert local_headers.pop(varying) and s3_headers.pop(varying)
        assert s3_headers == local_headers


@pytest.mark.parametrize(
    ("content", "max_bytes", "reason"),
    [
        (files.EXE, 10_000, "type"),
        (b"", 10_000, "empty"),
        (files.pdf("big") + b"0" * 5000, 1000, "too_large"),
    ],
)
def test_a_refused_file_reaches_neither_the_bucket_nor_the_spool(s3_store, aws, content, max_bytes, reason):
    with pytest.raises(UploadRejected) as rejected:
        s3_store.put(io.BytesIO(content), max_bytes)
    assert rejected.value.reason == reason
    assert bucket_keys(aws) == []
    assert os.listdir(s3_store.spool_dir) == []


def test_refusal_through_the_app_with_s3_says_why(s3_store, app, aws, dossier, monkeypatch):
    monkeypatch.setitem(app.extensions, "evidence_storage", s3_store)
    application, applicant, _officer = dossier
    applicant.get("/lang/en")
    response = upload(applicant, application.id, files.EXE, "bao-cao.pdf")
    assert response.status_code == 200
    assert "checked by content" in response.text
    assert bucket_keys(aws) == []


def test_same_content_is_stored_once_and_made_fresh(s3_store, aws):
    first = s3_store.put(io.BytesIO(files.pdf("once")), 10_000)
    key = s3_store.key_for(first.sha256)
    written = aws.head_object(Bucket=BUCKET, Key=key)["LastModified"]
    assert s3_store.put(io.BytesIO(files.pdf("once")), 10_000) == first
    assert bucket_keys(aws) == [key]
    renewed = aws.head_object(Bucket=BUCKET, Key=key)
    assert renewed["LastModified"] >= written
    assert renewed["ContentType"] == "application/pdf"  # the copy onto itself kept what it is


def test_purge_removes_what_no_row_references_once_old(s3_store, aws, monkeypatch):
    kept = s3_store.put(io.BytesIO(files.pdf("referenced")), 10_000)
    orphan = s3_store.put(io.BytesIO(files.pdf("orphan")), 10_000)
    stranger = "someone-else/notes.txt"  # not in the store's layout: never touched
    aws.put_object(Bucket=BUCKET, Key=stranger, Body=b"x")
    partial = os.path.join(s3_store.spool_dir, "upload-killed")
    with open(partial, "wb") as leftover:
        leftover.write(b"%PDF-half")

    assert s3_store.purge({kept.sha256}, timedelta(hours=1)) == 0  # all of it is fresh
    assert s3_store.exists(orphan.sha256) and os.path.exists(partial)

    # moto dates every multipart upload in 2010, so only its removal can be shown here.
    abandoned = aws.create_multipart_upload(Bucket=BUCKET, Key=s3_store.key_for("ab" * 32))
    real_now = s3storage._now()
    monkeypatch.setattr(s3storage, "_now", lambda: real_now + 2 * 3600)
    assert s3_store.purge({kept.sha256}, timedelta(hours=1)) == 3  # the orphan, the upload, the spool file
    assert s3_store.exists(kept.sha256) and not s3_store.exists(orphan.sha256)
    assert stranger in bucket_keys(aws)
    assert not os.path.exists(partial)
    uploads = aws.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
    assert abandoned["UploadId"] not in [u["UploadId"] for u in uploads]


def test_a_missing_object_is_not_found(s3_store):
    assert not s3_store.exists("0" * 64)
    with pytest.raises(FileNotFoundError):
        s3_store.open("0" * 64)
    with pytest.raises(ValueError):
        s3_store.key_for("../../etc/passwd")


def test_open_reads_from_where_it_is_sought(s3_store):
    content = files.pdf("seek " + "y" * 100)
    sha256 = s3_store.put(io.BytesIO(content), 10_000).sha256
    with s3_store.open(sha256) as stored:
        assert stored.read(8) == content[:8]
        stored.seek(-5, io.SEEK_END)
        assert stored.read() == content[-5:]
        stored.seek(20)
        assert stored.read(10) == content[20:30]


def test_storage_url_selects_the_store(aws, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "EVIDENCE_DIR": str(tmp_path),
            "STORAGE_URL": "s3://other-bucket",
            "S3_ENDPOINT_URL": "http://minio.internal:9000",
        }
    )
    store = app.extensions["evidence_storage"]
    assert isinstance(store, S3Storage)
    assert (store.bucket, store.prefix) == ("other-bucket", "")
    assert store.client.meta.endpoint_url == "http://minio.internal:9000"
    assert store.client.meta.config.s3 == {"addressing_style": "path"}
    local = storage_from_config({"EVIDENCE_DIR": str(tmp_path / "here"), "STORAGE_URL": ""})
    assert isinstance(local, LocalStorage) and local.root == str(tmp_path / "here")


@pytest.mark.parametrize(
    "url", ["file:///srv/evidence", "s3://", "s3:///no-bucket", "s3://b/p?x=1", "/srv/evidence"]
)
def test_a_storage_url_of_another_kind_stops_the_app(tmp_path, url):
    with pytest.raises(ConfigError):
        storage_from_config({"EVIDENCE_DIR": str(tmp_path), "STORAGE_URL": url})
