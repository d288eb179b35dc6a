"""Role checks written once, used by routes and templates."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Blueprint, abort, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from recognition.accounts.models import Role, User

P = ParamSpec("P")
R = TypeVar("R")

# Where each role lands after login; with several roles, the first in this order wins.
ROLE_HOME_ENDPOINTS: dict[Role, str] = {
    Role.admin: "admin.home",
    Role.secretariat: "rounds.home",
    Role.council_member: "review.home",
    Role.unit_officer: "vetting.home",
    Role.applicant: "nomination.home",
}


def home_url_for(user: User) -> str:
    """The landing page of the user's most senior role (the public home if none)."""
    for role, endpoint in ROLE_HOME_ENDPOINTS.items():
        if user.has_role(role):
            return url_for(endpoint)
    return url_for("registry.home")


def role_required(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R | ResponseReturnValue]]:
    """Decorate a view: anonymous users go to login, users without any of the roles get 403."""

    def decorator(view: Callable[P, R]) -> Callable[P, R | ResponseReturnValue]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | ResponseReturnValue:
            if not current_user.is_authenticated:
                from recognition.extensions import login_manager

                return login_manager.unauthorized()
            if not any(current_user.has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def restricted_blueprint(name: str, import_name: str, url_prefix: str, *roles: Role) -> Blueprint:
    """A blueprint for the area of `roles` (/admin, /secretariat/..., /council, /applicant): every view
    of it asks for one of them, with the same check as `role_required`."""
    blueprint = Blueprint(name, import_name, url_prefix=url_prefix)

    @blueprint.before_request
    @role_required(*roles)
    def _check_role() -> None:
        return None

    return blueprint
