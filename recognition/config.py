"""Configuration read from the environment, with safe defaults for development."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 -- refused in production by load_config


class ConfigError(RuntimeError):
    """Raised when the environment cannot run the app safely (e.g. production without a key)."""


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the settings dict: environment first, then explicit overrides (tests)."""
    env = os.environ.get("RECOGNITION_ENV", "development")
    production = env == "production"
    default_db = "sqlite:///" + str(Path(instance_path) / "recognition.db")
    config: dict[str, Any] = {
        "RECOGNITION_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ("vi", "en"),
        "BOOTSTRAP_SERVE_LOCAL": True,
        # One evidence file per request: the form sees files up to MAX_CONTENT_LENGTH and names the
        # field when one exceeds UPLOAD_MAX_BYTES; larger bodies are cut off early with a 413 that shows
        # the posted page again, the limit stated above its form.
        "UPLOAD_MAX_BYTES": int(os.environ.get("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)),
        "DOSSIER_MAX_BYTES": int(os.environ.get("DOSSIER_MAX_BYTES", 200 * 1024 * 1024)),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 50 * 1024 * 1024)),
        # An office file (a zip) whose parts add up to more is refused before any is inflated.
        "OFFICE_MAX_EXPANDED_BYTES": int(os.environ.get("OFFICE_MAX_EXPANDED_BYTES", 100 * 1024 * 1024)),
        "UPLOADS_PER_HOUR": int(os.environ.get("UPLOADS_PER_HOUR", "60")),
        "EVIDENCE_DIR": os.environ.get("EVIDENCE_DIR", str(Path(instance_path) / "evidence")),
        # Evidence in an S3-compatible bucket instead (s3://bucket/prefix; recognition/cases/s3storage.py):
        # credentials and region from the standard AWS_* variables, S3_ENDPOINT_URL for MinIO and the like.
        # EVIDENCE_DIR then holds only the partial uploads being checked (tmp/).
        "STORAGE_URL": os.environ.get("STORAGE_URL", ""),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL", ""),
        "MAX_FORM_PARTS": 1000,
        "AGENCY_CODE": os.environ.get("AGENCY_CODE", "SCT"),
        # Whom the public asks about a round (the home page shows it): the standing agency.
        "SECRETARIAT_CONTACT": os.environ.get(
            "SECRETARIAT_CONTACT", "Sở Công Thương Hà Nội, 331 Cầu Giấy, Hà Nội"
        ),
        # The address in mails, PDFs and the certificate's QR code (recognition/urls.py): required in
        # production; in development, when unset, the request's own address, or PORT outside a request.
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", ""),
        "PORT": int(os.environ.get("PORT", "5000")),
        # How many proxies set X-Forwarded-For in front of the app (0: use the peer address).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Peers allowed to send X-Forwarded-For; forwarded headers from anyone else are logged.
        "TRUSTED_PROXY_ADDRESSES": tuple(
            address.strip()
            for address in os.environ.get("TRUSTED_PROXY_ADDRESSES", "127.0.0.1,::1").split(",")
            if address.strip()
        ),
        "LOGIN_ATTEMPTS_PER_MINUTE": int(os.environ.get("LOGIN_ATTEMPTS_PER_MINUTE", "30")),
        # An account failing from many clients takes one attempt per this many seconds.
        "LOGIN_THROTTLE_SECONDS": int(os.environ.get("LOGIN_THROTTLE_SECONDS", "10")),
        "REGISTRATIONS_PER_HOUR": int(os.environ.get("REGISTRATIONS_PER_HOUR", "10")),
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD", "Demo@2026"),
        # Seals the audit trail (HMAC); kept outside the database, and apart from SECRET_KEY so that
        # rotating the session key leaves the trail verifiable.
        "AUDIT_KEY": os.environ.get("AUDIT_KEY", ""),
        # Mail (recognition/notifications/): SMTP from the environment. Without MAIL_SERVER, mails stay
        # in the local outbox (/dev/outbox outside production) and nothing is sent.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "1") == "1",  # STARTTLS
        "MAIL_TIMEOUT_SECONDS": int(os.environ.get("MAIL_TIMEOUT_SECONDS", "30")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Sở Công Thương Hà Nội <no-reply@chuluc.hanoi.gov.vn>"),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "5")),
        "MAIL_RETRY_SECONDS": int(os.environ.get("MAIL_RETRY_SECONDS", "60")),  # doubled each attempt
        # Several app servers share one mail queue on Redis (RQ workers: `flask mail-worker`); without
        # REDIS_URL, `flask drain-mail` from cron does the same work.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "MAIL_QUEUE_NAME": os.environ.get("MAIL_QUEUE_NAME", "chuluc-mail"),
        # JSON lines on stderr in production (recognition/logs.py); "text" keeps Flask's own lines.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json" if production else "text"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
    }
    if overrides:
        config.update(overrides)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgres://"):
        config["SQLALCHEMY_DATABASE_URI"] = config["SQLALCHEMY_DATABASE_URI"].replace(
            "postgres://", "postgresql+psycopg://", 1
        )
    if production and config["SECRET_KEY"] in ("", DEV_SECRET_KEY):
        raise ConfigError("SECRET_KEY must be set to a real secret when RECOGNITION_ENV=production")
    if production and len(config["SECRET_KEY"]) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production")
    if production and len(config["AUDIT_KEY"]) < 32:
        raise ConfigError("AUDIT_KEY must be set (32+ characters) when RECOGNITION_ENV=production")
    if production and not config["PUBLIC_BASE_URL"].startswith(("https://", "http://")):
        raise ConfigError(
            "PUBLIC_BASE_URL must be the public address (e.g. https://chuluc.example.vn) "
            "when RECOGNITION_ENV=production"
        )
    # What the app would mail, on a page of its own, where no mail leaves the machine anyway.
    config.setdefault(
        "LOCAL_OUTBOX", env == "development" and not config["MAIL_SERVER"] and not config.get("TESTING")
    )
    if not config["AUDIT_KEY"]:
        config["AUDIT_KEY"] = "dev-audit:" + config["SECRET_KEY"]
    return config
