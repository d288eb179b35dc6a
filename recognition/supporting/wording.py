"""A dossier's timeline in its round's words: the recognise step of a selection round is the
Department's selection for support, not the city's recognition."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from recognition.cases.models import Application
from recognition.cases.workflow import TRIGGER_LABELS
from recognition.rounds.models import RoundOutcome

SELECTED_STEP = _l("Selected for support by the Department")


def step_label(application: Application, trigger: str) -> str:
    if trigger == "recognise" and application.round.outcome == RoundOutcome.selection:
        return str(SELECTED_STEP)
    return str(TRIGGER_LABELS.get(trigger, trigger))
