"""A dossier in its round's words: in a round whose outcome is selection, the recognise step is the
Department's selection for support and the recognised state reads as selected, not as the city's
recognition."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from recognition.cases.models import STATE_LABELS, Application, State
from recognition.cases.workflow import TRIGGER_LABELS
from recognition.rounds.models import RoundOutcome

SELECTED_STEP = _l("Selected for support by the Department")


def step_label(application: Application, trigger: str) -> str:
    if trigger == "recognise" and application.round.outcome == RoundOutcome.selection:
        return str(SELECTED_STEP)
    return str(TRIGGER_LABELS.get(trigger, trigger))


def state_label(application: Application, locale: str, state: str | None = None) -> str:
    """A dossier's state (or `state`, one it passed through) as its pages say it: recognised, in a
    round whose outcome is selection, reads as its programme's outcome ("selected for support")."""
    state = State(application.state if state is None else state)
    if state == State.recognised and application.round.outcome == RoundOutcome.selection:
        return application.round.programme.text_for("outcome", locale)
    return str(STATE_LABELS[state])
