"""Which sections of a nomination are complete: read from the same guards that refuse submission."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from recognition.cases.guards import StepContext, nomination_complete
from recognition.cases.models import Application, State
from recognition.clock import local_today, utcnow
from recognition.review.scoring import criteria_of
from recognition.rounds.eligibility import failing_eligibility_rules

SECTION_ORDER = ("product", "figures", "quality", "self_assessment", "commitment", "documents")


def section_status(application: Application) -> dict[str, bool]:
    """section name -> complete? (quality has no submit guard: complete once a technology level is set).

    The self-assessment appears only in rounds that have criteria.
    """
    ctx = StepContext(application=application, actor=None, data={}, today=local_today(), now=utcnow())
    incomplete = {r.section for r in nomination_complete(ctx) + failing_eligibility_rules(application)}
    sections = [s for s in SECTION_ORDER if s != "self_assessment" or criteria_of(application.round_id)]
    status = {section: section not in incomplete for section in sections}
    status["quality"] = application.technology_level is not None
    return status


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
