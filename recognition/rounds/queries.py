"""Named lookups of rounds."""

from __future__ import annotations

from flask import abort

from recognition.extensions import db
from recognition.rounds.models import Round


def get_round_or_404(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        abort(404)
    return round_
