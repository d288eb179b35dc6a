"""Which sections of a nomination are complete: read from the same guards that refuse submission."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from recognition.cases.guards import StepContext, nomination_complete
from recognition.cases.models import Application, State
from recognition.clock import local_today, utcnow
from recognition.review.scoring import criteria_of
from recognition.rounds.eligibility import failing_eligibility_rules

SECTION_ORDER = ("product", "figures", "quality", "self_assessment", "support", "commitment", "documents")


def sections_of(application: Application) -> list[str]:
    """The sections this dossier's round asks for: the self-assessment only in rounds that have
    criteria, the support sought only in rounds that offer support areas."""
    shown = {
        "self_assessment": bool(criteria_of(application.round_id)),
        "support": bool(application.round.support_areas),
    }
    return [section for section in SECTION_ORDER if shown.get(section, True)]


def section_status(application: Application) -> dict[str, bool]:
    """section name -> complete? (quality has no submit guard: complete once a technology level is set)."""
    ctx = StepContext(application=application, actor=None, data={}, today=local_today(), now=utcnow())
    incomplete = {r.section for r in nomination_complete(ctx) + failing_eligibility_rules(application)}
    status = {section: section not in incomplete for section in sections_of(application)}
    status["quality"] = application.technology_level is not None
    return status


def section_after(application: Application, section: str) -> str:
    """The section a saved one leads to."""
    sections = sections_of(application)
    return sections[min(sections.index(section) + 1, len(sections) - 1)]


# What the enterprise does or waits for next, by state (shown on its home page).
NEXT_STEP_LABELS = {
    State.draft: _l("Fill in every section, then submit"),
    State.submitted: _l("Waiting for vetting to start"),
    State.vetting: _l("Being vetted"),
    State.supplement_requested: _l("Answer the request to supplement"),
    State.endorsed: _l("Waiting for the council's review"),
    State.unit_rejected: _l("Closed: see the reasons in the timeline"),
    State.under_review: _l("The council is scoring"),
    State.recommended: _l("Waiting for the city's decision"),
    State.not_recommended: _l("Closed: not recommended by the council"),
    State.recognised: _l("Recognised: download your certificate"),
    State.withdrawn: _l("Closed: withdrawn"),
}
