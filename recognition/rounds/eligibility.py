"""Eligibility of a nomination under Guidance 1520/HD-SCT (2019), with the round's thresholds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from recognition.cases.errors import Refusal
from recognition.cases.models import Application, ProductCategory
from recognition.rounds.models import Round


def format_vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def failing_eligibility_rules(application: Application) -> list[Refusal]:
    """The eligibility rules the nomination's saved figures break (empty list: eligible)."""
    figures = application.latest_figures
    return eligibility_failures(
        application.round,
        category=application.product.category if application.product else None,
        revenue_vnd=figures.revenue_vnd if figures else 0,
        export_value_usd=figures.export_value_usd if figures else 0,
        compliance_committed=application.compliance_committed,
        in_hanoi=application.enterprise is not None and application.enterprise.unit_id is not None,
    )


def eligibility_failures(
    round_: Round,
    category: ProductCategory | None,
    revenue_vnd: int,
    export_value_usd: int,
    compliance_committed: bool,
    in_hanoi: bool = True,
) -> list[Refusal]:
    """Guidance 1520/HD-SCT's rules on given figures: also used live while the form is being filled."""
    failures: list[Refusal] = []
    if not in_hanoi:
        failures.append(
            Refusal(
                "hanoi_presence", _l("The enterprise's head office or factory must be in Hanoi."), "profile"
            )
        )
    if not compliance_committed:
        failures.append(
            Refusal(
                "compliance_commitment",
                _l("The compliance commitment (environment, quality, intellectual property) is not given."),
                "commitment",
            )
        )
    # The floor of the product's category: the rule, the saved figure it measures, the round's minimum.
    floors = {
        ProductCategory.high_tech: ("revenue_high_tech", revenue_vnd, round_.min_revenue_high_tech_vnd),
        ProductCategory.other: ("revenue_other", revenue_vnd, round_.min_revenue_other_vnd),
        ProductCategory.handicraft: (
            "exports_handicraft", export_value_usd, round_.min_exports_handicraft_usd
        ),
    }
    if category in floors:
        code, figure, minimum = floors[category]
        if figure < minimum:
            failures.append(Refusal(code, _floor_message(code, format_vnd(minimum)), "figures"))
    return failures


def _floor_message(code: str, amount: str) -> LazyString:
    """What the applicant reads when a figure is under its category's floor (`amount`: the floor)."""
    if code == "revenue_high_tech":
        return _l("A high-tech product needs revenue of at least %(amount)s VND a year.", amount=amount)
    if code == "revenue_other":
        return _l("This product needs revenue of at least %(amount)s VND a year.", amount=amount)
    return _l("A handicraft product needs exports of at least %(amount)s USD a year.", amount=amount)
