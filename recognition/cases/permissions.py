"""Who may act on an application, written once: used by the workflow, the views and the templates.

Each predicate answers the role the user acts in, or None when they may not act
(the role goes into the audit trail).
"""

from __future__ import annotations

from recognition.accounts.models import Role, User
from recognition.cases.models import Application
from recognition.rounds.models import VettingBody


def acts_as_applicant(user: User | None, application: Application) -> Role | None:
    """An applicant of the enterprise that owns the application."""
    if user is None:
        return None
    for membership in user.memberships:
        if membership.role == Role.applicant and membership.enterprise_id == application.enterprise_id:
            return Role.applicant
    return None


def acts_as_vetting_body(user: User | None, application: Application) -> Role | None:
    """The body the round names: an officer of the application's unit, or the secretariat.

    Before submission the body is not fixed yet, so it follows the round and the enterprise's unit.
    An officer who is also an applicant of the enterprise has a conflict and may not vet it.
    """
    if user is None or acts_as_applicant(user, application):
        return None
    body = application.vetting_body or application.round.vetting_body
    if body == VettingBody.secretariat:
        return Role.secretariat if user.has_role(Role.secretariat) else None
    unit_id = application.vetting_unit_id or application.enterprise.unit_id
    for membership in user.memberships:
        if membership.role == Role.unit_officer and membership.unit_id == unit_id:
            return Role.unit_officer
    return None


def acts_as_secretariat(user: User | None, application: Application) -> Role | None:
    if user is None or acts_as_applicant(user, application):
        return None
    return Role.secretariat if user.has_role(Role.secretariat) else None


SYSTEM = "system"


def acts_as_system(user: User | None, application: Application) -> str | None:
    """Scheduled jobs act with no user; no person may fire a system step."""
    return SYSTEM if user is None else None


def can_vet(user: User | None, application: Application) -> bool:
    return acts_as_vetting_body(user, application) is not None
