"""Account operations: registration, authentication, user creation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from recognition.accounts.models import (
    AdministrativeUnit,
    Enterprise,
    Role,
    RoleMembership,
    Sector,
    User,
    normalise_email,
)
from recognition.extensions import db

_dummy_hashes: dict[str, str] = {}


def dummy_hash() -> str:
    """Checked against when the key is unknown, so both paths cost one hash (Django #20760)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _dummy_hashes[method]


class DuplicateError(ValueError):
    """A unique business key (e-mail, tax code) is already taken; `field` names the form field."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


@dataclass
class EnterpriseRegistration:
    enterprise_name: str
    tax_code: str
    address: str
    unit_id: int
    sector_id: int
    full_name: str
    email: str
    password: str


def email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == normalise_email(email))) is not None


def tax_code_taken(tax_code: str) -> bool:
    return db.session.scalar(select(Enterprise.id).where(Enterprise.tax_code == tax_code.strip())) is not None


def create_user(email: str, password: str, full_name: str) -> User:
    if email_taken(email):
        raise DuplicateError("email")
    user = User(email=email, full_name=full_name.strip())
    user.set_password(password)
    db.session.add(user)
    return user


def grant_role(
    user: User, role: Role, enterprise: Enterprise | None = None, unit: AdministrativeUnit | None = None
) -> RoleMembership:
    membership = RoleMembership(user=user, role=role, enterprise=enterprise, unit=unit)
    db.session.add(membership)
    return membership


def register_enterprise(data: EnterpriseRegistration) -> User:
    """Create the enterprise and its first applicant account; the caller commits."""
    if tax_code_taken(data.tax_code):
        raise DuplicateError("tax_code")
    user = create_user(data.email, data.password, data.full_name)
    enterprise = Enterprise(
        name=data.enterprise_name.strip(),
        tax_code=data.tax_code.strip(),
        address=data.address.strip(),
        unit_id=data.unit_id,
        sector_id=data.sector_id,
    )
    db.session.add(enterprise)
    grant_role(user, Role.applicant, enterprise=enterprise)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; same cost whether or not the e-mail exists."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def load_user_by_session_id(session_id: str) -> User | None:
    """Flask-Login loader: the id must carry the user's current session token."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def units_open_for_registration(today: date) -> list[AdministrativeUnit]:
    """Units an enterprise can sit in today: currently valid, below city level."""
    stmt = (
        select(AdministrativeUnit)
        .where(AdministrativeUnit.valid_from <= today)
        .where((AdministrativeUnit.valid_to.is_(None)) | (AdministrativeUnit.valid_to >= today))
        .where(AdministrativeUnit.parent_id.is_not(None))
        .order_by(AdministrativeUnit.name)
    )
    return list(db.session.scalars(stmt))


def current_sectors(today: date) -> list[Sector]:
    stmt = (
        select(Sector)
        .where(Sector.valid_from <= today)
        .where((Sector.valid_to.is_(None)) | (Sector.valid_to >= today))
        .order_by(Sector.code)
    )
    return list(db.session.scalars(stmt))
