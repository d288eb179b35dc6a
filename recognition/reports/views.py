"""The secretariat's reports (under /secretariat/reports): each round's dashboard against its targets.

The administrator reads them too; only the secretariat enters the city's totals."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from recognition.accounts.models import Role
from recognition.accounts.permissions import restricted_blueprint
from recognition.cases.models import STATE_LABELS
from recognition.clock import local_today
from recognition.policy import commit
from recognition.reports import targets
from recognition.reports.charts import Number, Row, bar_chart
from recognition.reports.city_totals import CityTotalsForm, may_enter_city_totals, save_city_totals
from recognition.reports.dashboard import STEP_LABELS, Breakdown, Dashboard, round_dashboard
from recognition.rounds.models import Round
from recognition.rounds.queries import get_round_or_404, rounds_newest_first
from recognition.validators import filled

bp = restricted_blueprint("reports", __name__, "/secretariat/reports", Role.secretariat, Role.admin)


def one_decimal(value: Number | None) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.0")


def _count(value: Number) -> str:
    return format_decimal(value, format="#,##0")


@bp.route("/")
def home() -> ResponseReturnValue:
    return render_template("reports/home.html", rounds=rounds_newest_first())


@bp.route("/rounds/<int:round_id>")
def dashboard(round_id: int) -> ResponseReturnValue:
    return _dashboard_page(get_round_or_404(round_id))


@bp.route("/rounds/<int:round_id>/city-totals", methods=["POST"])
def city_totals(round_id: int) -> ResponseReturnValue:
    if not may_enter_city_totals(current_user):
        abort(403)
    round_ = get_round_or_404(round_id)
    form = CityTotalsForm()
    if not form.validate_on_submit():
        return _dashboard_page(round_, form)
    save_city_totals(
        filled(form.year.data),
        filled(form.industrial_output_vnd.data),
        filled(form.export_value_usd.data),
        current_user,
    )
    commit()
    flash(_("The city's totals for %(year)s are saved.", year=form.year.data), "success")
    return redirect(url_for("reports.dashboard", round_id=round_.id, _anchor="economy"))


def _dashboard_page(round_: Round, form: CityTotalsForm | None = None) -> str:
    numbers = round_dashboard(round_, local_today(), str(get_locale()))
    if form is None and may_enter_city_totals(current_user):
        totals = numbers.shares.totals
        form = CityTotalsForm(
            formdata=None,
            year=numbers.figures.year,
            industrial_output_vnd=totals.industrial_output_vnd if totals else None,
            export_value_usd=totals.export_value_usd if totals else None,
        )
    return render_template(
        "reports/dashboard.html",
        round=round_,
        d=numbers,
        charts=dashboard_charts(numbers),
        form=form,
        targets=targets,
        STEP_LABELS=STEP_LABELS,
        one_decimal=one_decimal,
    )


def dashboard_charts(d: Dashboard) -> dict[str, Markup]:
    """The page's charts, each drawn from the same numbers as the table beside it."""
    band = _("Target")
    products, enterprises = d.recognised.products, d.recognised.enterprises
    growth, shares = (
        targets.PRODUCTION_GROWTH_PERCENT,
        (
            targets.INDUSTRIAL_OUTPUT_SHARE_PERCENT,
            targets.EXPORT_SHARE_PERCENT,
        ),
    )
    breakdown_series = (_("Submitted"), _("Endorsed"), _("Recognised"))

    def percent(value: Number | None) -> str:
        return f"{one_decimal(value)} %"

    def breakdown(chart_id: str, title: str, rows: list[Breakdown]) -> Markup:
        """Submitted, endorsed and recognised dossiers, a row per unit or per sector."""
        bars = [Row(row.name, (row.submitted, row.endorsed, row.recognised)) for row in rows]
        return bar_chart(chart_id, title, bars, series=breakdown_series, value_text=_count)

    return {
        "funnel": bar_chart(
            "chart-funnel",
            _("Dossiers by state"),
            [Row(str(STATE_LABELS[s.state]), (s.count,)) for s in d.funnel],
            value_text=_count,
        ),
        "targets": bar_chart(
            "chart-targets",
            _("Recognised against the round's targets"),
            [
                Row(
                    _("Recognised products"),
                    (products.value,),
                    (products.band.minimum, products.band.maximum),
                ),
                Row(
                    _("Their enterprises"),
                    (enterprises.value,),
                    (enterprises.band.minimum, enterprises.band.maximum),
                ),
            ],
            value_text=_count,
            band_label=band,
        ),
        "units": breakdown("chart-units", _("Dossiers by administrative unit"), d.by_unit),
        "sectors": breakdown("chart-sectors", _("Dossiers by sector"), d.by_sector),
        "overdue": bar_chart(
            "chart-overdue",
            _("Overdue dossiers by who must act"),
            [Row(f"{c.responsible} ({STEP_LABELS[c.step]})", (c.dossiers,)) for c in d.overdue.by_whom],
            value_text=_count,
        ),
        "stages": bar_chart(
            "chart-stages",
            _("Median days in each stage"),
            [Row(str(t.stage.label), (t.median_days,)) for t in d.stages],
            value_text=one_decimal,
        ),
        "growth": bar_chart(
            "chart-growth",
            _("Growth on the year before, in per cent"),
            [
                Row(
                    _("Production value"),
                    (d.figures.production_growth_percent,),
                    (growth.minimum, growth.maximum),
                ),
                Row(_("Exports"), (d.figures.export_growth_percent,)),
            ],
            value_text=percent,
            band_label=band,
        ),
        "shares": bar_chart(
            "chart-shares",
            _("Shares of the city's totals, in per cent"),
            [
                Row(
                    _("Industrial output"), (d.shares.output_percent,), (shares[0].minimum, shares[0].maximum)
                ),
                Row(_("Exports"), (d.shares.export_percent,), (shares[1].minimum, shares[1].maximum)),
            ],
            value_text=percent,
            band_label=band,
        ),
    }
