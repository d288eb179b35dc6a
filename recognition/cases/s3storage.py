"""Evidence files in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...): the scale-out store, for
several app servers that share no disk. STORAGE_URL=s3://bucket/prefix selects it
(recognition/cases/stores.py: storage_from_config); it needs boto3 (`pip install 'recognition[s3]'`).

The same rules as the local folder: an upload is spooled, hashed, counted and checked by content on
local disk by `spooled_upload` before a byte reaches the bucket; objects are keyed by SHA-256 in the
local folder's layout (`prefix/ab/cd/abcd...`) and never overwritten. Downloads stream through the app
rather than redirecting to a presigned URL: every download passes the app's permission check, and a
presigned URL would let anyone who holds it (a forwarded mail, a proxy log) read the file until it
expires.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Container
from datetime import UTC, datetime, timedelta
from typing import IO, Any, BinaryIO
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from flask import Response, request, send_file
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from recognition.cases.storage import (
    MAX_EXPANDED_BYTES,
    StoredFile,
    purge_partial_uploads,
    spooled_upload,
)
from recognition.config import ConfigError

SHA256_HEX = re.compile(r"[0-9a-f]{64}")
MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Storage:
    """Files in `bucket` under `prefix`, named by their SHA-256; partial uploads in `spool_dir`."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        client: Any,
        spool_dir: str,
        max_expanded_bytes: int = MAX_EXPANDED_BYTES,
    ):
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.client = client
        self.spool_dir = spool_dir
        self.max_expanded_bytes = max_expanded_bytes
        os.makedirs(spool_dir, exist_ok=True)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        endpoint_url: str | None,
        spool_dir: str,
        max_expanded_bytes: int = MAX_EXPANDED_BYTES,
    ) -> S3Storage:
        """The store `s3://bucket/prefix` names. Credentials and region come from boto3's own chain
        (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, a profile or an instance role);
        with an endpoint (MinIO and most S3-compatible servers) buckets are addressed by path."""
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
            raise ConfigError(f"STORAGE_URL must look like s3://bucket/prefix, not {url!r}")
        config = (
            Config(s3={"addressing_style": "path"}, retries={"mode": "standard"}) if endpoint_url else None
        )
        client = boto3.client("s3", endpoint_url=endpoint_url, config=config)
        return cls(
            parts.netloc,
            parts.path,
            client=client,
            spool_dir=spool_dir,
            max_expanded_bytes=max_expanded_bytes,
        )

    def key_for(self, sha256: str) -> str:
        if not SHA256_HEX.fullmatch(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return f"{self.prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def _head(self, key: str) -> dict | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in MISSING:
                return None
            raise

    def exists(self, sha256: str) -> bool:
        return self._head(self.key_for(sha256)) is not None

    def put(self, stream: IO[bytes], max_bytes: int) -> StoredFile:
        """Spool and check the upload as LocalStorage does, then send it to the bucket (in parts when
        large). Content already stored is not sent again, only made fresh (see `purge`)."""
        with spooled_upload(stream, max_bytes, self.spool_dir, self.max_expanded_bytes) as (tmp_path, stored):
            key = self.key_for(stored.sha256)
            extra = {"ContentType": stored.content_type, "Metadata": {"sha256": stored.sha256}}
            if self.exists(stored.sha256):
                # A copy onto itself is how S3 renews LastModified: purge() spares the object until
                # the row that references it is committed.
                self.client.copy_object(
                    Bucket=self.bucket,
                    Key=key,
                    CopySource={"Bucket": self.bucket, "Key": key},
                    MetadataDirective="REPLACE",
                    **extra,
                )
            else:
                self.client.upload_file(tmp_path, self.bucket, key, ExtraArgs=extra)
        return stored

    def open(self, sha256: str) -> BinaryIO:
        key = self.key_for(sha256)
        head = self._head(key)
        if head is None:
            raise FileNotFoundError(key)
        return _ObjectReader(self.client, self.bucket, key, head["ContentLength"])  # type: ignore[return-value]

    def send(self, sha256: str, download_name: str, *, content_type: str, as_attachment: bool) -> Response:
        """The object streamed through the app with the headers LocalStorage's send_file gives
        (Content-Disposition, Content-Length, Last-Modified, an ETag, no-cache) and the same answers to
        conditional and range requests; a range is read from S3 from its start, not from the file's."""
        key = self.key_for(sha256)
        head = self._head(key)
        if head is None:
            raise FileNotFoundError(key)
        size = head["ContentLength"]
        reader = _ObjectReader(self.client, self.bucket, key, size)
        response = send_file(
            reader,  # type: ignore[arg-type]
            mimetype=content_type,
            as_attachment=as_attachment,
            download_name=download_name,
            max_age=0,
            etag=sha256,  # the content's own digest: a strong validator
            last_modified=head["LastModified"],
            conditional=False,  # done below, once the length is known (send_file knows it for paths only)
        )
        response.content_length = size
        try:
            response.make_conditional(request.environ, accept_ranges=True, complete_length=size)
        except RequestedRangeNotSatisfiable:
            reader.close()
            raise
        return response

    def purge(self, referenced: Container[str], older_than: timedelta) -> int:
        """Partial uploads in the spool folder, objects no row references and multipart uploads never
        completed (a killed worker's), once older than `older_than`: a fresh object may be an upload
        whose row is not committed yet."""
        cutoff = _now() - older_than.total_seconds()
        removed = purge_partial_uploads(self.spool_dir, cutoff)
        cutoff_moment = datetime.fromtimestamp(cutoff, UTC)
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        ):
            for item in page.get("Contents", ()):
                key, name = item["Key"], item["Key"].rsplit("/", 1)[-1]
                leftover = (
                    SHA256_HEX.fullmatch(name)
                    and key == self.key_for(name)
                    and name not in referenced
                    and item["LastModified"] < cutoff_moment
                )
                if leftover and self._delete_if_older(key, cutoff_moment):
                    removed += 1
        uploads = self.client.get_paginator("list_multipart_uploads")
        for page in uploads.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for upload in page.get("Uploads", ()):
                if upload["Initiated"] < cutoff_moment:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    removed += 1
        return removed

    def _delete_if_older(self, key: str, cutoff: datetime) -> bool:
        """Delete the object if it was last written before `cutoff`, asked again at the last moment (a
        put of the same content since the listing has renewed it)."""
        head = self._head(key)
        if head is None or head["LastModified"] >= cutoff:
            return False
        self.client.delete_object(Bucket=self.bucket, Key=key)
        return True


def _now() -> float:
    """Seconds since the epoch; the purge test moves it on, since S3 cannot be told an object is old."""
    return time.time()


class _ObjectReader(io.RawIOBase):
    """An object read as a seekable file: reads go on from one GET; a seek elsewhere starts a ranged
    GET from there, so a browser asking for the end of a PDF does not download its start."""

    def __init__(self, client: Any, bucket: str, key: str, size: int):
        super().__init__()
        self.client, self.bucket, self.key, self.size = client, bucket, key, size
        self.position = 0
        self.body: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        target = {io.SEEK_SET: offset, io.SEEK_CUR: self.position + offset, io.SEEK_END: self.size + offset}[
            whence
        ]
        if target < 0:
            raise ValueError("negative seek position")
        if target != self.position:
            self._drop_body()
            self.position = target
        return self.position

    def readinto(self, buffer: Any) -> int:
        if self.position >= self.size:
            return 0
        if self.body is None:
            self.body = self.client.get_object(
                Bucket=self.bucket, Key=self.key, Range=f"bytes={self.position}-"
            )["Body"]
        data = self.body.read(len(buffer))
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)

    def _drop_body(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None

    def close(self) -> None:
        self._drop_body()
        super().close()
