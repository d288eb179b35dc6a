"""Receipt codes (mã hồ sơ) and lookup secrets (mã tra cứu), after Circular 01/2018/TT-VPCP.

Code: <agency code>-<YYMMDD>-<4-digit daily sequence>, from a per-day counter that only goes up,
so two submissions never share a code and a withdrawn dossier's code is never issued again.
"""

from __future__ import annotations

import secrets
from datetime import date

from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.security import check_password_hash, generate_password_hash

from recognition.cases.models import ReceiptCounter
from recognition.extensions import db

# No look-alikes: 0/O, 1/I/L are left out so the secret can be typed from a paper slip.
SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # noqa: S105 -- an alphabet, not a secret
SECRET_LENGTH = 6


def next_daily_sequence(day: date) -> int:
    """Atomically take the next number of the day (one upsert; the row lock serialises callers)."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(ReceiptCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": ReceiptCounter.last + 1})
        .returning(ReceiptCounter.last)
    )
    return db.session.execute(stmt).scalar_one()


def new_receipt_code(day: date) -> str:
    sequence = next_daily_sequence(day)
    return f"{current_app.config['AGENCY_CODE']}-{day:%y%m%d}-{sequence:04d}"


def new_lookup_secret() -> str:
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))


def hash_lookup_secret(secret: str) -> str:
    return generate_password_hash(
        secret.upper(), method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    )


def lookup_secret_matches(secret_hash: str | None, secret: str) -> bool:
    if not secret_hash:
        return False
    return check_password_hash(secret_hash, (secret or "").strip().upper())
