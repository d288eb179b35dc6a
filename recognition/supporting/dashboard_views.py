"""The supporting-industries programme's dashboard against Plan 35/KH-UBND's targets, and the form
where the secretariat enters a year's figures."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from recognition.accounts.models import Role
from recognition.accounts.permissions import restricted_blueprint
from recognition.clock import local_today
from recognition.policy import commit
from recognition.reports.charts import Row, bar_chart
from recognition.reports.views import one_decimal
from recognition.rounds.models import Programme
from recognition.supporting import dashboard
from recognition.supporting.year_figures import YearFiguresForm, default_year, save_year_figures
from recognition.validators import filled

bp = restricted_blueprint(
    "supporting_dashboard", __name__, "/secretariat/supporting/dashboard", Role.secretariat
)


def _programme_or_404() -> Programme:
    programme = dashboard.supporting_programme()
    if programme is None:
        abort(404)  # the programme is seeded with the reference data; without it there is nothing to show
    return programme


@bp.route("/")
def home() -> ResponseReturnValue:
    return _dashboard_page(_programme_or_404())


@bp.route("/figures", methods=["POST"])
def year_figures() -> ResponseReturnValue:
    programme = _programme_or_404()
    form = YearFiguresForm()
    if not form.validate_on_submit():
        return _dashboard_page(programme, form)
    year = filled(form.year.data)
    save_year_figures(
        programme, year, form.output_share_percent.data, form.index_growth_percent.data, current_user
    )
    commit()
    flash(_("The figures for %(year)s are saved.", year=year), "success")
    return redirect(url_for("supporting_dashboard.home", _anchor="economy"))


def _dashboard_page(programme: Programme, form: YearFiguresForm | None = None) -> str:
    today = local_today()
    numbers = dashboard.programme_dashboard(programme, today, str(get_locale()))
    if form is None:
        form = YearFiguresForm(formdata=None, year=default_year(today))
    return render_template(
        "supporting/dashboard.html",
        d=numbers,
        charts=dashboard_charts(numbers),
        form=form,
        plan=dashboard.PLAN_REFERENCE,
        window_days=dashboard.EXPIRING_WITHIN_DAYS,
        one_decimal=one_decimal,
    )


def dashboard_charts(d: dashboard.Dashboard) -> dict[str, Markup]:
    """The page's charts, each drawn from the same numbers as the table beside it."""
    active, certified = d.firms.active, d.firms.certified
    series = (_("Active firms"), _("Certified firms"))

    def breakdown(chart_id: str, title: str, rows: list[dashboard.Breakdown]) -> Markup:
        bars = [Row(row.name, (row.active, row.certified)) for row in rows]
        return bar_chart(chart_id, title, bars, series=series)

    return {
        "targets": bar_chart(
            "chart-targets",
            _("Firms against the plan's targets"),
            [
                Row(_("Active firms"), (active.value,), (active.band.minimum, None)),
                Row(_("Certified firms"), (certified.value,), (certified.band.minimum, None)),
            ],
            band_label=_("Target"),
        ),
        "units": breakdown("chart-units", _("Firms by administrative unit"), d.by_unit),
        "sectors": breakdown("chart-sectors", _("Firms by supporting-industry sector"), d.by_sector),
    }
