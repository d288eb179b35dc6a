"""Accounts and reference data: who people are, which enterprise or unit they act for."""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from stdnum.vn import mst
from werkzeug.security import check_password_hash, generate_password_hash

from recognition.clock import utcnow
from recognition.extensions import Model, SurrogateKey, db, enum_check
from recognition.i18n import Bilingual, FoldedName
from recognition.labels import LabelledEnum

# ASCII digits only: `\d` would also take fullwidth or Arabic-Indic digits, a twin of a real code.
TAX_CODE_PATTERN = re.compile(r"[0-9]{10}(-[0-9]{3})?")


def normalise_email(email: str) -> str:
    """E-mails compare case-insensitively and without surrounding spaces (CTFd CVE-2020-7245)."""
    return (email or "").strip().lower()


def normalise_tax_code(tax_code: str | None) -> str:
    """NFKC folds look-alikes (fullwidth digits and dash) to ASCII, so "010023348８" is compared, and
    caught, as the "0100233488" it imitates."""
    return unicodedata.normalize("NFKC", tax_code or "").strip()


def is_tax_code_shaped(tax_code: str) -> bool:
    """10 ASCII digits, optionally a dash and a 3-digit branch suffix (the check digit aside)."""
    return TAX_CODE_PATTERN.fullmatch(tax_code or "") is not None


def is_valid_tax_code(tax_code: str) -> bool:
    """Mã số thuế: shaped right, and the 10th digit is the check digit of the first nine (python-stdnum's
    MST rules: weights 31, 29, 23, 19, 17, 13, 7, 5, 3; no all-zero sequence, no branch 000)."""
    return is_tax_code_shaped(tax_code) and mst.is_valid(tax_code)


class Role(LabelledEnum):
    applicant = "applicant", _l("Applicant")  # acts for the enterprise it registered
    unit_officer = "unit_officer", _l("Unit officer")  # vets for the administrative units it holds
    council_member = "council_member", _l("Council member")  # scores the dossiers assigned to it
    secretariat = "secretariat", _l("Secretariat")  # the Department: rounds, vetting, decisions
    admin = "admin", _l("Administrator")  # accounts and reference data


# The roles the administrator grants; applicants come with their enterprise's registration.
STAFF_ROLES = tuple(role for role in Role if role != Role.applicant)


class UnitLevel(LabelledEnum):
    city = "city", _l("City")  # thành phố Hà Nội itself
    district = "district", _l("District")  # quận, huyện: district level until 30/06/2025
    town = "town", _l("Town")  # thị xã (Sơn Tây): district level too, until 30/06/2025
    ward = "ward", _l("Ward")  # phường: commune level, from 01/07/2025
    commune = "commune", _l("Commune")  # xã: commune level, from 01/07/2025


unit_predecessors = Table(
    "unit_predecessors",
    db.metadata,
    Column("unit_id", ForeignKey("administrative_units.id", ondelete="CASCADE"), primary_key=True),
    Column("predecessor_id", ForeignKey("administrative_units.id", ondelete="CASCADE"), primary_key=True),
)


class AdministrativeUnit(SurrogateKey, Model):
    """A People's Committee area, versioned: units are dissolved and merged, old dossiers keep theirs."""

    __tablename__ = "administrative_units"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity_order"),
        enum_check("level", UnitLevel),
    )

    code: Mapped[str] = mapped_column(String(20), unique=True)
    # Mã số đơn vị hành chính of the General Statistics Office (Cục Thống kê), when it has one.
    official_code: Mapped[str | None] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[UnitLevel] = mapped_column(db.Enum(UnitLevel, native_enum=False, length=20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("administrative_units.id"))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]

    parent: Mapped[AdministrativeUnit | None] = relationship(remote_side="AdministrativeUnit.id")
    predecessors: Mapped[list[AdministrativeUnit]] = relationship(
        secondary=unit_predecessors,
        primaryjoin="AdministrativeUnit.id == unit_predecessors.c.unit_id",
        secondaryjoin="AdministrativeUnit.id == unit_predecessors.c.predecessor_id",
    )

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def __str__(self) -> str:
        return self.name


class Sector(Bilingual, SurrogateKey, Model):
    """An industrial sector (ngành), versioned reference data."""

    __tablename__ = "sectors"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]


class Enterprise(FoldedName, SurrogateKey, Model):
    """A firm that nominates products; the tax code (mã số thuế) identifies it."""

    __tablename__ = "enterprises"

    name: Mapped[str] = mapped_column(String(255))
    # The name folded for search (no diacritics, lower case), kept in step by FoldedName.
    name_folded: Mapped[str] = mapped_column(String(255), default="", index=True)
    tax_code: Mapped[str] = mapped_column(String(14), unique=True)
    address: Mapped[str] = mapped_column(String(500))
    unit_id: Mapped[int] = mapped_column(ForeignKey("administrative_units.id"), index=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sectors.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    unit: Mapped[AdministrativeUnit] = relationship()
    sector: Mapped[Sector] = relationship()

    @validates("tax_code")
    def _check_tax_code(self, _key: str, value: str) -> str:
        value = normalise_tax_code(value)
        if not is_valid_tax_code(value):
            raise ValueError(f"invalid tax code: {value!r}")
        return value


class User(SurrogateKey, Model):
    """A person who logs in. Roles come from memberships, so one person may hold several."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Rotated on password change or deactivation, so old session cookies stop working.
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    # Unset while a self-registered owner has not opened the link sent to the address: until then
    # the account cannot log in, so nobody holds an account on an address they do not read.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    # Set on an account the administrator created with a password it chose: until the owner picks
    # their own, every page sends them to the change-password form.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The language of the user's mails: the one they last chose in the interface.
    locale: Mapped[str] = mapped_column(String(5), default="vi", server_default="vi")

    memberships: Mapped[list[RoleMembership]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan"
    )

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return normalise_email(value)

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Every session cookie issued so far stops working (logout, password change, deactivation)."""
        self.session_token = secrets.token_hex(16)

    @validates("active")
    def _end_sessions_when_disabled(self, _key: str, value: bool) -> bool:
        if not value:
            self.end_sessions()
        return value

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # Flask-Login protocol; the id carries the session token ("alternative id").
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def roles(self) -> set[Role]:
        return {m.role for m in self.memberships}

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def enterprise_ids(self) -> set[int]:
        return {m.enterprise_id for m in self.memberships if m.enterprise_id is not None}

    @property
    def unit_ids(self) -> set[int]:
        return {m.unit_id for m in self.memberships if m.unit_id is not None}


class RoleMembership(SurrogateKey, Model):
    """One role a user holds; applicants act for an enterprise, officers for a unit."""

    __tablename__ = "role_memberships"
    __table_args__ = (
        CheckConstraint(
            "(role = 'applicant') = (enterprise_id IS NOT NULL)", name="applicant_has_enterprise"
        ),
        CheckConstraint("(role = 'unit_officer') = (unit_id IS NOT NULL)", name="officer_has_unit"),
        enum_check("role", Role),
        UniqueConstraint("user_id", "role", "enterprise_id", "unit_id", name="uq_role_membership"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(db.Enum(Role, native_enum=False, length=20))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("administrative_units.id"), index=True)

    user: Mapped[User] = relationship(back_populates="memberships")
    enterprise: Mapped[Enterprise | None] = relationship()
    unit: Mapped[AdministrativeUnit | None] = relationship()
