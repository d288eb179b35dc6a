"""Which evidence store the app uses, chosen at start-up from the configuration.

Apart from recognition/cases/storage.py (the interface and the local folder) so that the S3 store,
which builds on that module and needs boto3, is imported only when it is configured."""

from __future__ import annotations

import os
from collections.abc import Mapping

from recognition.cases.storage import MAX_EXPANDED_BYTES, EvidenceStorage, LocalStorage
from recognition.config import ConfigError


def storage_from_config(config: Mapping) -> EvidenceStorage:
    """The store STORAGE_URL names: empty (the default) for the folder EVIDENCE_DIR, or
    `s3://bucket/prefix` for an S3-compatible bucket (S3_ENDPOINT_URL for MinIO and the like;
    credentials and region from the standard AWS environment variables). A URL of another kind stops
    the app at start-up rather than storing evidence where nobody looks for it."""
    url = config.get("STORAGE_URL") or ""
    max_expanded_bytes = config.get("OFFICE_MAX_EXPANDED_BYTES", MAX_EXPANDED_BYTES)
    if not url:
        return LocalStorage(config["EVIDENCE_DIR"], max_expanded_bytes=max_expanded_bytes)
    if not url.startswith("s3://"):
        raise ConfigError(f"STORAGE_URL must be empty (the local folder) or s3://bucket/prefix, not {url!r}")
    try:
        from recognition.cases.s3storage import S3Storage
    except ImportError as error:
        raise ConfigError(f"STORAGE_URL={url} needs boto3: pip install 'recognition[s3]'") from error
    return S3Storage.from_url(
        url,
        endpoint_url=config.get("S3_ENDPOINT_URL") or None,
        spool_dir=os.path.join(config["EVIDENCE_DIR"], "tmp"),
        max_expanded_bytes=max_expanded_bytes,
    )
