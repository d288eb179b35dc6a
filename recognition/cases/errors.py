"""What a service answers when it will not go ahead: each refusal carries messages a user can read.

Services raise these and never commit; the request policy (recognition.policy) rolls the request
back and shows the messages: flashed on the page the form came from, or as JSON for the API."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Refusal:
    """Why something cannot go ahead: a stable code, a message to show, the form section to fix."""

    code: str
    message: LazyString | str
    section: str | None = None

    def __str__(self) -> str:
        return str(self.message)


class Refused(Exception):
    """Base of every refusal a service raises. `refusals` say why, in the user's language;
    `http_status` is the JSON answer's status; `field` names the form field to show it beside;
    `subject` (set by the view) names what it is about on a page that lists many (a receipt code);
    `category` is the flash message's."""

    http_status = 422
    category = "danger"
    field: str | None = None
    subject: str | None = None
    refusals: list[Refusal]

    @property
    def messages(self) -> list[str]:
        return [str(r.message) for r in self.refusals]


class WorkflowError(Refused):
    """Base of every refusal of advance()."""

    http_status = 409

    def __init__(self, *refusals: Refusal):
        super().__init__("; ".join(r.code for r in refusals))
        self.refusals = list(refusals)


class TransitionRefused(WorkflowError):
    """A guard failed: something required is missing or a rule is broken."""

    http_status = 422


class ActorNotAllowed(WorkflowError):
    """The person may not fire this trigger on this application (role, unit or ownership)."""

    http_status = 403

    def __init__(self) -> None:
        super().__init__(Refusal("actor", _l("You may not take this step on this dossier.")))


class InvalidTrigger(WorkflowError):
    """The trigger does not leave the application's current state (or does not exist)."""

    def __init__(self, trigger: str, state_label: LazyString):
        super().__init__(
            Refusal(
                "state",
                _l("This step is not possible while the dossier is '%(state)s'.", state=state_label),
            )
        )
        self.trigger = trigger


class ConcurrentChange(WorkflowError):
    """Someone else moved the application after this person loaded it."""

    def __init__(self) -> None:
        super().__init__(
            Refusal(
                "concurrent",
                _l("Someone else acted on this dossier first. Reload the page to see its current state."),
            )
        )


class OperationRefused(Refused, ValueError):
    """A service outside the workflow said no; `message` (translatable) is what the user reads."""

    def __init__(self, message: LazyString | str):
        super().__init__(str(message))
        self.message = message
        self.refusals = [Refusal("refused", message)]
