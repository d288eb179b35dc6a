"""Running a workflow step for a view: from the version the form was rendered with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from recognition.accounts.models import User
from recognition.cases.errors import Refusal, WorkflowError
from recognition.cases.models import Application
from recognition.cases.workflow import StepResult, advance
from recognition.extensions import db


def parse_version(value: str | int | None) -> int | None:
    """The version a form was rendered with (None if absent or garbled: then the loaded one counts)."""
    try:
        return int(value)  # type: ignore[arg-type]  # None: TypeError, as garbled text
    except (TypeError, ValueError):
        return None


def take_step(
    application: Application, trigger: str, actor: User, version: str | int | None = None, **data: object
) -> StepResult:
    """Fire the trigger; a refusal is raised (a WorkflowError, with messages) and nothing is
    committed here: the view commits, or the request policy rolls back (recognition.policy)."""
    return advance(application, trigger, actor, expected_version=parse_version(version), **data)


@dataclass(frozen=True)
class StepOutcome:
    """One dossier of a step taken on many: taken (no refusals), or refused and left as it was."""

    application: Application
    refusals: list[Refusal]

    @property
    def ok(self) -> bool:
        return not self.refusals


def advance_each(
    application_ids: Iterable[int], trigger: str, actor: User, **data: object
) -> list[StepOutcome]:
    """Fire the trigger on each dossier in a savepoint of its own, so that one refusal undoes no other
    (a refused dossier is read again, as its savepoint left it); the caller commits once for all."""
    outcomes = []
    for application_id in application_ids:
        application = db.session.get_one(Application, application_id)
        try:
            with db.session.begin_nested():
                advance(application, trigger, actor, None, **data)
            outcomes.append(StepOutcome(application, []))
        except WorkflowError as error:
            outcomes.append(StepOutcome(db.session.get_one(Application, application_id), error.refusals))
    return outcomes
