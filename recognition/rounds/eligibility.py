"""Eligibility of a nomination under Guidance 1520/HD-SCT (2019), with the round's thresholds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

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
    if category == ProductCategory.high_tech and revenue_vnd < round_.min_revenue_high_tech_vnd:
        failures.append(
            Refusal(
                "revenue_high_tech",
                _l(
                    "A high-tech product needs revenue of at least %(amount)s VND a year.",
                    amount=format_vnd(round_.min_revenue_high_tech_vnd),
                ),
                "figures",
            )
        )
    elif category == ProductCategory.other and revenue_vnd < round_.min_revenue_other_vnd:
        failures.append(
            Refusal(
                "revenue_other",
                _l(
                    "This product needs revenue of at least %(amount)s VND a year.",
                    amount=format_vnd(round_.min_revenue_other_vnd),
                ),
                "figures",
            )
        )
    elif category == ProductCategory.handicraft and export_value_usd < round_.min_exports_handicraft_usd:
        failures.append(
            Refusal(
                "exports_handicraft",
                _l(
                    "A handicraft product needs exports of at least %(amount)s USD a year.",
                    amount=format_vnd(round_.min_exports_handicraft_usd),
                ),
                "figures",
            )
        )
    return failures
