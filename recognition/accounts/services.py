"""Account operations: registration, authentication, user creation, staff accounts."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from recognition.accounts.models import (
    STAFF_ROLES,
    AdministrativeUnit,
    Enterprise,
    Role,
    RoleMembership,
    Sector,
    User,
    normalise_email,
    normalise_tax_code,
)
from recognition.cases.audit import record_change
from recognition.cases.errors import OperationRefused
from recognition.cases.models import Notification
from recognition.clock import utcnow
from recognition.extensions import db, is_unique_violation
from recognition.params import parse_id
from recognition.ratelimit import count_in_window, forget, hit, seconds_left
from recognition.urls import public_url

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
    code = normalise_tax_code(tax_code)
    return db.session.scalar(select(Enterprise.id).where(Enterprise.tax_code == code)) is not None


def create_user(email: str, password: str, full_name: str, confirmed: bool = True) -> User:
    """A new account; confirmed unless it registered itself (then it waits for its link)."""
    if email_taken(email):
        raise DuplicateError("email")
    user = User(email=email, full_name=full_name.strip(), email_confirmed_at=utcnow() if confirmed else None)
    user.set_password(password)
    db.session.add(user)
    return user


def grant_role(
    user: User, role: Role, enterprise: Enterprise | None = None, unit: AdministrativeUnit | None = None
) -> RoleMembership:
    membership = RoleMembership(user=user, role=role, enterprise=enterprise, unit=unit)
    db.session.add(membership)
    return membership


def register_enterprise(data: EnterpriseRegistration) -> None:
    """Create the enterprise and its unconfirmed applicant account, and queue the confirmation link.

    An e-mail that already has an account gets a notice to its owner instead, and the visitor the
    same answer as for a fresh one, at the same cost (one password hash): registration never tells
    whether an address has an account. Tax codes are public (business register): a taken one is
    refused. The caller commits.
    """
    if tax_code_taken(data.tax_code):
        raise AccountError(_l("An enterprise with this tax code is already registered."), "tax_code")
    try:
        user = create_user(data.email, data.password, data.full_name, confirmed=False)
    except DuplicateError:  # the address has an account (perhaps registered a moment ago)
        owner = db.session.scalars(select(User).where(User.email == normalise_email(data.email))).one()
        generate_password_hash(data.password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))
        _queue_mail(owner, "registration_attempt", {"login_url": public_url("accounts.login")})
        return
    enterprise = Enterprise(
        name=data.enterprise_name.strip(),
        tax_code=normalise_tax_code(data.tax_code),
        address=data.address.strip(),
        unit_id=data.unit_id,
        sector_id=data.sector_id,
    )
    db.session.add(enterprise)
    grant_role(user, Role.applicant, enterprise=enterprise)
    db.session.flush()
    link = public_url("accounts.confirm", token=confirmation_token(user))
    _queue_mail(user, "confirm_email", {"confirm_url": link})
    if current_app.config["RECOGNITION_ENV"] != "production" and not current_app.config["MAIL_SERVER"]:
        current_app.logger.warning("No mail server: the confirmation link for %s is %s", user.email, link)


def register_once_more_on_a_race(data: EnterpriseRegistration) -> None:
    """register_enterprise(), in a savepoint. When a registration at the same moment took the same
    tax code or e-mail, its insert fails here: the savepoint is undone and the registration tried
    once more, when that row is visible, so the ordinary answer follows. The caller commits."""
    for last_try in (False, True):
        try:
            with db.session.begin_nested():
                register_enterprise(data)
            return
        except IntegrityError as error:
            if last_try or not is_unique_violation(error):
                raise


def _queue_mail(user: User, event: str, payload: dict) -> None:
    """An outbox row: the mail drain (recognition/notifications/outbox.py) sends it."""
    db.session.add(
        Notification(event=event, recipient_role="account", recipient_user_id=user.id, payload=payload)
    )


# The link in the confirmation mail: signed, valid for CONFIRMATION_MAX_AGE, bound to the address it
# was sent to, and single-use because a confirmed account no longer accepts it.
CONFIRMATION_MAX_AGE = 3 * 24 * 3600


def _confirmation_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="email-confirmation")


def _address_digest(user: User) -> str:
    return hashlib.sha256(user.email.encode()).hexdigest()[:16]


def confirmation_token(user: User) -> str:
    return _confirmation_serializer().dumps([user.id, _address_digest(user)])


def user_to_confirm(token: str) -> User | None:
    """The unconfirmed account a valid, unexpired, unused link names; None otherwise."""
    try:
        user_id, digest = _confirmation_serializer().loads(token, max_age=CONFIRMATION_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.email_confirmed_at is not None or digest != _address_digest(user):
        return None
    return user


def confirm_email(user: User) -> None:
    """The owner opened the link: the account may log in from now on. The caller commits."""
    user.email_confirmed_at = utcnow()


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; same cost whether or not the e-mail exists."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


# Brute force, after OWASP's Authentication and Credential Stuffing cheat sheets: a lockout must not
# let anyone lock the owner out. So ACCOUNT_FAILURES failures in ACCOUNT_WINDOW_SECONDS lock the
# account for the client that made them only; and an account with THROTTLE_AFTER failures from all
# clients in the window takes one attempt every LOGIN_THROTTLE_SECONDS (a soft lock: a distributed
# guesser slows to a crawl, the owner waits a few seconds at worst, no worker sleeps).
ACCOUNT_FAILURES = 10
ACCOUNT_WINDOW_SECONDS = 15 * 60
THROTTLE_AFTER = 10


@dataclass(frozen=True)
class LoginOutcome:
    """The user who logged in, or the message saying why not (with `retry_after` when refused)."""

    user: User | None = None
    message: LazyString | None = None
    retry_after: int | None = None


def _limiter_name(email: str) -> str:
    """Accounts appear in the limiter's keys as a digest: bounded length, no addresses stored."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]


def attempt_login(email: str, password: str, client: str | None) -> LoginOutcome:
    """authenticate() behind the brute-force limits.

    The client's counter is incremented before the password is checked, and the decision is taken
    on the count the increment returns, so parallel requests cannot check more than ACCOUNT_FAILURES
    passwords. A success clears the client's counter (it counts failures since the last success).
    """
    account = _limiter_name(email)
    mine = f"login-failures:{account}:{client}"
    everyone = f"login-account:{account}"
    locked = LoginOutcome(
        message=_l("Too many failed attempts on this account. Try again in 15 minutes."),
        retry_after=seconds_left(ACCOUNT_WINDOW_SECONDS),
    )
    if count_in_window(mine, ACCOUNT_WINDOW_SECONDS) >= ACCOUNT_FAILURES:
        return locked  # cheap refusal first, so a locked client does not use up the account's turns
    throttle = current_app.config["LOGIN_THROTTLE_SECONDS"]
    under_attack = count_in_window(everyone, ACCOUNT_WINDOW_SECONDS) >= THROTTLE_AFTER
    if under_attack and not hit(f"login-turn:{account}", 1, throttle):
        return LoginOutcome(
            message=_l(
                "This account has had many failed log-in attempts, so it accepts one attempt every "
                "few seconds. Wait %(seconds)s seconds and try again.",
                seconds=seconds_left(throttle),
            ),
            retry_after=seconds_left(throttle),
        )
    if not hit(mine, ACCOUNT_FAILURES, ACCOUNT_WINDOW_SECONDS):
        return locked
    user = authenticate(email, password)
    if user is None:
        hit(everyone, THROTTLE_AFTER, ACCOUNT_WINDOW_SECONDS)
        return LoginOutcome(message=_l("Wrong e-mail or password."))
    forget(mine)
    if user.email_confirmed_at is None:
        return LoginOutcome(message=_l("Confirm your e-mail address first: open the link we sent to it."))
    return LoginOutcome(user=user)


def load_user_by_session_id(session_id: str) -> User | None:
    """Flask-Login loader: the id must carry the user's current session token."""
    user_id, _, token = session_id.partition(":")
    number = parse_id(user_id)
    if number is None or not token:
        return None
    user = db.session.get(User, number)
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


# Staff accounts, managed by the administrator (/admin/accounts).

MIN_PASSWORD_LENGTH = 8


class AccountError(OperationRefused):
    """An account operation refused; `field` names the form field at fault, when one is."""

    def __init__(self, message: LazyString | str, field: str | None = None):
        super().__init__(message)
        self.field = field


def password_problem(email: str, password: str) -> LazyString | None:
    """Why a chosen password is refused (too short, or the e-mail itself), or None."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return _l("A password has at least %(count)s characters.", count=MIN_PASSWORD_LENGTH)
    if normalise_email(password) == normalise_email(email):
        return _l("The password cannot be the e-mail address.")
    return None


@dataclass
class StaffRoles:
    """The staff roles an account should hold, with the units it vets as a unit officer."""

    roles: list[Role]
    units: list[AdministrativeUnit]


def _check_staff_roles(wanted: StaffRoles, keeps_other_roles: bool) -> None:
    if any(role not in STAFF_ROLES for role in wanted.roles):
        raise AccountError(_l("Only staff roles are given here."), "roles")
    if not wanted.roles and not keeps_other_roles:
        raise AccountError(_l("Choose at least one role."), "roles")
    if Role.unit_officer in wanted.roles and not wanted.units:
        raise AccountError(_l("A unit officer needs the unit they vet."), "unit_codes")
    if wanted.units and Role.unit_officer not in wanted.roles:
        raise AccountError(_l("Units are only for unit officers."), "unit_codes")


def _role_summary(user: User) -> list[str]:
    """The roles for the audit record, e.g. ["council_member", "unit_officer:X-DONGANH"]."""
    return sorted(
        f"{m.role.value}:{m.unit.code}" if m.unit is not None else m.role.value
        for m in user.memberships
        if m.role in STAFF_ROLES
    )


def create_staff_account(full_name: str, email: str, password: str, wanted: StaffRoles, admin: User) -> User:
    """An account for Department or unit staff: confirmed (the administrator knows the person), with
    the roles chosen and a password the owner must replace at first login. The caller commits."""
    _check_staff_roles(wanted, keeps_other_roles=False)
    problem = password_problem(email, password)
    if problem:
        raise AccountError(problem, "password")
    try:
        user = create_user(email, password, full_name)
    except DuplicateError as error:
        raise AccountError(_l("An account with this e-mail already exists."), "email") from error
    user.must_change_password = True
    for role in wanted.roles:
        if role == Role.unit_officer:
            for unit in wanted.units:
                grant_role(user, role, unit=unit)
        else:
            grant_role(user, role)
    db.session.flush()
    record_change(
        user, admin, Role.admin.value, "account_created", {"email": user.email, "roles": _role_summary(user)}
    )
    return user


def set_staff_roles(user: User, wanted: StaffRoles, admin: User) -> None:
    """Replace the account's staff roles; an applicant's enterprise membership stays as it is. The
    last active administrator keeps the admin role. The caller commits."""
    keeps_applicant = user.has_role(Role.applicant)
    _check_staff_roles(wanted, keeps_other_roles=keeps_applicant)
    if user.has_role(Role.admin) and Role.admin not in wanted.roles:
        _keep_an_active_admin(user)
    before = _role_summary(user)
    wanted_units = {unit.id for unit in wanted.units}
    for membership in list(user.memberships):
        if membership.role not in STAFF_ROLES:
            continue
        if membership.role not in wanted.roles or (
            membership.role == Role.unit_officer and membership.unit_id not in wanted_units
        ):
            user.memberships.remove(membership)
    held = {(m.role, m.unit_id) for m in user.memberships}
    for role in wanted.roles:
        for unit in wanted.units if role == Role.unit_officer else [None]:
            if (role, unit.id if unit else None) not in held:
                grant_role(user, role, unit=unit)
    db.session.flush()
    after = _role_summary(user)
    if after != before:
        record_change(user, admin, Role.admin.value, "roles_changed", {"roles": [before, after]})


def deactivate_account(user: User, admin: User) -> None:
    """The account can no longer log in and its sessions end at once. Nobody deactivates themself,
    and the last active administrator stays. The caller commits."""
    if user.id == admin.id:
        raise AccountError(_l("You cannot deactivate your own account."))
    if not user.active:
        return
    if user.has_role(Role.admin):
        _keep_an_active_admin(user)
    user.active = False
    record_change(user, admin, Role.admin.value, "account_deactivated", {})


def reactivate_account(user: User, admin: User) -> None:
    """The account may log in again (with its password as it was). The caller commits."""
    if user.active:
        return
    user.active = True
    record_change(user, admin, Role.admin.value, "account_reactivated", {})


def _keep_an_active_admin(leaving: User) -> None:
    """Refuse when `leaving` is the last active administrator. The administrators' rows are first
    written to (a no-op update: row locks on PostgreSQL, the write lock on SQLite), then counted by a
    statement that sees what a concurrent change committed meanwhile: two administrators removing each
    other at the same moment cannot both succeed."""
    active_admins = (
        select(User.id)
        .join(RoleMembership, RoleMembership.user_id == User.id)
        .where(RoleMembership.role == Role.admin, User.active.is_(True))
    )
    users = User.__table__
    db.session.execute(update(users).where(users.c.id.in_(active_admins)).values(id=users.c.id))
    if set(db.session.scalars(active_admins)) <= {leaving.id}:
        raise AccountError(_l("This is the last active administrator: give another account the role first."))


def change_password(user: User, new_password: str) -> None:
    """The owner's own password from now on: every session but the caller's ends (the caller logs
    the current one in again) and the first-login requirement is met. The caller commits."""
    user.set_password(new_password)
    user.must_change_password = False
