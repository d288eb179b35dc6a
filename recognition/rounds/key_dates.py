"""A round's calendar as every role sees it: the plan's key dates in order, planned or done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from recognition.clock import format_day, local_today, to_local
from recognition.rounds.calendar import add_working_days
from recognition.rounds.models import Round, RoundOutcome


@dataclass(frozen=True)
class KeyDate:
    """One step of the calendar; without a date it is still to be announced, unless its note says more.

    `phase` is past, now or upcoming against today (upcoming while there is no date yet).
    """

    code: str
    label: str
    starts_on: date | None = None
    ends_on: date | None = None
    note: str = ""
    planned: bool = False
    phase: str = "upcoming"


def _phase(starts_on: date | None, ends_on: date | None, today: date) -> str:
    first, last = starts_on or ends_on, ends_on or starts_on
    if first is None or last is None:  # both are None, or neither
        return "upcoming"
    if last < today:
        return "past"
    return "now" if first <= today else "upcoming"


def key_dates(round_: Round) -> list[KeyDate]:
    """Opening, closing, vetting, council review, results and comments, decision, certificate validity.

    The vetting date is the latest a dossier submitted on the closing day is due (the round's working
    days, on the working-day calendar); review, results and decision dates are the plan's, until done.
    """
    today = local_today()

    def entry(
        code: str,
        label: LazyString,
        starts_on: date | None = None,
        ends_on: date | None = None,
        runs_from: date | None = None,
        **rest: Any,
    ) -> KeyDate:
        """`runs_from`: when a step shown as a deadline ("by …") begins, for its phase."""
        phase = _phase(starts_on or runs_from, ends_on, today)
        return KeyDate(code, str(label), starts_on, ends_on, phase=phase, **rest)

    vetting_note = _l(
        "Within %(days)s working days of submission, so by this date for a dossier submitted on the "
        "closing day (the clock pauses while the enterprise supplements).",
        days=round_.vetting_working_days,
    )
    dates = [
        entry("opens", _l("Nominations open"), round_.opens_on),
        entry("closes", _l("Nominations close"), round_.closes_on),
        entry(
            "vetting",
            _l("Vetting"),
            ends_on=add_working_days(round_.closes_on, round_.vetting_working_days),
            runs_from=round_.opens_on,
            note=str(vetting_note),
        ),
        entry(
            "review",
            _l("Review by the council"),
            round_.review_starts_on,
            round_.review_ends_on,
            planned=True,
        ),
    ]
    if round_.results_published_at is not None:
        published_on = to_local(round_.results_published_at).date()
        dates.append(entry("results", _l("Results published for comment"), published_on))
        closed_on = round_.comment_closed_on
        closed_early = (
            ""
            if closed_on is None
            else _l(
                "Comments closed early on %(date)s: %(reason)s",
                date=format_day(closed_on),
                reason=round_.comment_closed_reason,
            )
        )
        dates.append(
            entry("comments", _l("Comment deadline"), ends_on=closed_on or round_.comment_deadline,
                  runs_from=published_on, note=str(closed_early))
        )  # fmt: skip
    else:
        dates.append(
            entry("results", _l("Results published for comment"), round_.results_planned_on, planned=True)
        )
    dates.append(entry("decision", DECISIONS[round_.outcome], round_.decision_planned_on, planned=True))
    if round_.outcome == RoundOutcome.certificate:  # a selection for support has no term to show
        months = round_.certificate_validity_months
        validity = _l("%(months)s months from the city's decision.", months=months)
        dates.append(entry("certificate", _l("Certificate validity"), note=str(validity)))
    return dates


# Who decides at the end of a round, by what the decision grants.
DECISIONS = {
    RoundOutcome.certificate: _l("City's decision"),
    RoundOutcome.selection: _l("The Department's decision on selection for support"),
}
