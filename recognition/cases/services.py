"""Running a workflow step for a view: advance, commit, or roll back and say why."""

from __future__ import annotations

from recognition.accounts.models import User
from recognition.cases.errors import Refusal, WorkflowError
from recognition.cases.models import Application
from recognition.cases.workflow import StepResult, advance
from recognition.extensions import db


def parse_version(value) -> int | None:
    """The version a form was rendered with (None if absent or garbled: then the loaded one counts)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def take_step(
    application: Application, trigger: str, actor: User, version=None, **data
) -> tuple[StepResult | None, list[Refusal]]:
    """Fire the trigger and commit; on refusal roll back and return the refusals instead."""
    try:
        result = advance(application, trigger, actor, expected_version=parse_version(version), **data)
        db.session.commit()
    except WorkflowError as error:
        db.session.rollback()
        return None, error.refusals
    return result, []
