"""The numbers of a round's dashboard: each a named query returning dataclasses.

Every function runs a fixed number of SQL statements whatever the number of applications: counts,
sums and medians are computed by the database (GROUP BY, window functions), the round's applications
are never loaded. Only the list of overdue dossiers returns rows, and at most OVERDUE_LISTED of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    Date,
    DateTime,
    Float,
    Row,
    case,
    distinct,
    exists,
    false,
    func,
    literal,
    literal_column,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from recognition.accounts.models import AdministrativeUnit, Enterprise, Sector, User
from recognition.cases.models import Application, ApplicationFigures, AuditEvent, Product, State
from recognition.extensions import db
from recognition.reports.models import CityTotals
from recognition.reports.targets import (
    EXPORT_SHARE_PERCENT,
    INDUSTRIAL_OUTPUT_SHARE_PERCENT,
    PRODUCTION_GROWTH_PERCENT,
    Band,
    Progress,
)
from recognition.review.models import ReviewAssignment
from recognition.rounds.models import Round, VettingBody

S = State
# A dossier that got through vetting, wherever it is now.
REACHED_ENDORSEMENT = (S.endorsed, S.under_review, S.recommended, S.not_recommended, S.recognised)
OVERDUE_LISTED = 50


# The funnel -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateCount:
    state: State
    count: int


def funnel(round_: Round) -> list[StateCount]:
    """The round's applications in each state, every state in workflow order (zeros included)."""
    counts = dict(
        db.session.execute(
            select(Application.state, func.count())
            .where(Application.round_id == round_.id)
            .group_by(Application.state)
        ).all()
    )
    return [StateCount(state, counts.get(state, 0)) for state in State]


# Recognised against the round's targets ---------------------------------------------------------


@dataclass(frozen=True)
class Recognised:
    products: Progress
    enterprises: Progress


def recognised_against_targets(round_: Round) -> Recognised:
    """Recognised products and the enterprises making them, against the round's min-max targets."""
    products, enterprises = db.session.execute(
        select(func.count(Application.id), func.count(distinct(Application.enterprise_id))).where(
            Application.round_id == round_.id, Application.state == S.recognised
        )
    ).one()
    return Recognised(
        products=Progress(products, Band(round_.target_products_min, round_.target_products_max)),
        enterprises=Progress(enterprises, Band(round_.target_enterprises_min, round_.target_enterprises_max)),
    )


# By administrative unit and by sector -----------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    """Submitted dossiers of one unit or sector; of them, those endorsed at vetting and recognised."""

    key: int
    name: str
    submitted: int
    endorsed: int
    recognised: int


def _breakdown(
    round_: Round,
    key: ColumnElement[int],
    entity: type[AdministrativeUnit] | type[Sector],
    join_product: bool,
) -> Sequence[Row]:
    """(entity, submitted, endorsed, recognised) per value of `key`, an expression over a submitted
    application; grouped on a derived table, so PostgreSQL never has to match bound parameters."""
    query = select(key.label("key"), Application.state.label("state")).join(Application.enterprise)
    if join_product:
        query = query.join(Application.product)
    dossiers = query.where(
        Application.round_id == round_.id, Application.submitted_at.is_not(None)
    ).subquery()
    endorsed = func.sum(case((dossiers.c.state.in_(REACHED_ENDORSEMENT), 1), else_=0))
    recognised = func.sum(case((dossiers.c.state == S.recognised, 1), else_=0))
    counted = (
        select(dossiers.c.key, func.count().label("submitted"), endorsed.label("endorsed"),
               recognised.label("recognised"))
        .group_by(dossiers.c.key)
        .subquery()
    )  # fmt: skip
    return db.session.execute(
        select(entity, counted.c.submitted, counted.c.endorsed, counted.c.recognised).join(
            counted, counted.c.key == entity.id
        )
    ).all()


def _sorted(rows: list[Breakdown]) -> list[Breakdown]:
    return sorted(rows, key=lambda row: (-row.submitted, -row.recognised, row.name))


def by_unit(round_: Round) -> list[Breakdown]:
    """Per administrative unit: the unit fixed at submission to vet the dossier, else (the secretariat
    vets) the enterprise's unit as the dossier states it, so a later move or merger changes nothing."""
    unit_id = func.coalesce(
        Application.vetting_unit_id,
        Application.snapshot[("enterprise", "unit_id")].as_integer(),
        Enterprise.unit_id,
    )
    rows = _breakdown(round_, unit_id, AdministrativeUnit, join_product=False)
    return _sorted([Breakdown(unit.id, unit.name, int(s), int(e), int(r)) for unit, s, e, r in rows])


def by_sector(round_: Round, locale: str) -> list[Breakdown]:
    """Per sector of the product, as the dossier states it."""
    sector_id = func.coalesce(Application.snapshot[("product", "sector_id")].as_integer(), Product.sector_id)
    rows = _breakdown(round_, sector_id, Sector, join_product=True)
    return _sorted(
        [Breakdown(sector.id, sector.name_for(locale), int(s), int(e), int(r)) for sector, s, e, r in rows]
    )


# Overdue steps ----------------------------------------------------------------------------------

STEP_LABELS = {
    "vetting": _l("Vetting"),
    "supplement": _l("Reply to the request to supplement"),
    "open_review": _l("Opening the council review"),
    "council_review": _l("Council review"),
    "conclude_review": _l("Concluding the council review"),
    "decision": _l("The city's decision"),
}
SECRETARIAT_LABEL = _l("Secretariat (Department of Industry and Trade)")
ENTERPRISES_LABEL = _l("The enterprises")


@dataclass(frozen=True)
class OverdueStep:
    """A dossier whose current step is past its date: who must act, and how many days late."""

    application_id: int
    receipt_code: str | None
    enterprise: str
    product: str
    step: str
    due_on: date
    days_late: int
    responsible: tuple[str, ...]


@dataclass(frozen=True)
class OverdueCount:
    step: str
    responsible: str
    dossiers: int
    most_days_late: int


@dataclass(frozen=True)
class Overdue:
    total: int
    by_whom: list[OverdueCount]
    listed: list[OverdueStep]  # the latest first, at most OVERDUE_LISTED

    @property
    def unlisted(self) -> int:
        return self.total - len(self.listed)


def _due_on(round_: Round) -> ColumnElement[date | None]:
    """The date the dossier's current step is due: its own clock while it is vetted or supplemented
    (working days, set by the workflow), then the round's plan (review start and end, decision)."""
    whens: list[tuple[ColumnElement[bool], ColumnExpressionArgument[date | None]]] = [
        (Application.state.in_([S.submitted, S.vetting, S.supplement_requested]), Application.due_on)
    ]
    for state, day in (
        (S.endorsed, round_.review_starts_on),
        (S.under_review, round_.review_ends_on),
        (S.recommended, round_.decision_planned_on),
    ):
        if day is not None:
            whens.append((Application.state == state, literal(day, Date)))
    return case(*whens, else_=None)


def _step_of(state: State, sheets_pending: bool) -> str:
    return {
        S.submitted: "vetting",
        S.vetting: "vetting",
        S.supplement_requested: "supplement",
        S.endorsed: "open_review",
        S.under_review: "council_review" if sheets_pending else "conclude_review",
        S.recommended: "decision",
    }[state]


def _sheet_pending() -> tuple[ColumnExpressionArgument[bool], ColumnExpressionArgument[bool]]:
    """A reviewer of the dossier (not removed by a conflict) has not submitted their sheet."""
    return ReviewAssignment.submitted_at.is_(None), ReviewAssignment.reviews


def _responsible(state: State, vetting_body: VettingBody | None, unit_name: str | None) -> str:
    """Who must act on a dossier late in `state`, for the counts (council members are counted apart)."""
    if state == S.supplement_requested:
        return str(ENTERPRISES_LABEL)
    if state in (S.submitted, S.vetting) and vetting_body == VettingBody.unit:
        return unit_name or ""
    return str(SECRETARIAT_LABEL)


def overdue_steps(round_: Round, today: date) -> Overdue:
    """Dossiers whose step is past due, counted by step and by whom must act, and the latest listed:
    the vetting body (a unit or the secretariat), the enterprise asked to supplement, the council
    members whose sheets are missing, or the secretariat (open or conclude the review, the decision).
    Days late are calendar days after the due date."""
    due = _due_on(round_)
    overdue = (
        select(
            Application.id.label("id"),
            Application.state.label("state"),
            Application.vetting_body.label("vetting_body"),
            Application.vetting_unit_id.label("unit_id"),
            due.label("due_on"),
            exists()
            .where(ReviewAssignment.application_id == Application.id, *_sheet_pending())
            .label("pending"),
        )
        .where(Application.round_id == round_.id, due < today)
        .subquery("overdue")
    )
    groups = db.session.execute(
        select(
            overdue.c.state, overdue.c.vetting_body, AdministrativeUnit.name.label("unit_name"),
            overdue.c.pending, func.count().label("dossiers"), func.min(overdue.c.due_on).label("first_due"),
        )
        .outerjoin(AdministrativeUnit, AdministrativeUnit.id == overdue.c.unit_id)
        .group_by(overdue.c.state, overdue.c.vetting_body, AdministrativeUnit.name, overdue.c.pending)
    ).all()  # fmt: skip
    review_ended = round_.review_ends_on is not None and round_.review_ends_on < today
    members = db.session.execute(
        select(User.full_name, func.count(distinct(ReviewAssignment.application_id)))
        .join(ReviewAssignment, ReviewAssignment.reviewer_id == User.id)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .where(Application.round_id == round_.id, Application.state == S.under_review, *_sheet_pending())
        .where(true() if review_ended else false())
        .group_by(User.id, User.full_name)
    ).all()
    listed = db.session.execute(
        select(
            overdue.c.id, overdue.c.state, overdue.c.vetting_body, overdue.c.due_on, overdue.c.pending,
            Application.receipt_code, Enterprise.name.label("enterprise"), Product.name.label("product"),
            AdministrativeUnit.name.label("unit_name"),
        )
        .join(Application, Application.id == overdue.c.id)
        .join(Enterprise, Enterprise.id == Application.enterprise_id)
        .join(Product, Product.id == Application.product_id)
        .outerjoin(AdministrativeUnit, AdministrativeUnit.id == overdue.c.unit_id)
        .order_by(overdue.c.due_on, overdue.c.id)
        .limit(OVERDUE_LISTED)
    ).all()  # fmt: skip
    reviewing = [row.id for row in listed if row.state == S.under_review and row.pending]
    reviewers: dict[int, list[str]] = {}
    for application_id, name in db.session.execute(
        select(ReviewAssignment.application_id, User.full_name)
        .join(User, User.id == ReviewAssignment.reviewer_id)
        .where(ReviewAssignment.application_id.in_(reviewing), *_sheet_pending())
        .order_by(User.full_name)
    ):
        reviewers.setdefault(application_id, []).append(name)

    counts: dict[tuple[str, str], tuple[int, date]] = {}
    for row in groups:
        if row.state == S.under_review and row.pending:
            continue  # counted per council member
        key = (_step_of(row.state, row.pending), _responsible(row.state, row.vetting_body, row.unit_name))
        dossiers, first_due = counts.get(key, (0, row.first_due))
        counts[key] = (dossiers + row.dossiers, min(first_due, row.first_due))
    by_whom = [
        OverdueCount(step, who, dossiers, (today - first_due).days)
        for (step, who), (dossiers, first_due) in counts.items()
    ]
    if round_.review_ends_on is not None:  # else `members` is empty: no review has ended
        by_whom += [
            OverdueCount("council_review", name, dossiers, (today - round_.review_ends_on).days)
            for name, dossiers in members
        ]
    by_whom.sort(key=lambda c: (-c.most_days_late, -c.dossiers, c.step, c.responsible))

    def who_must_act(row: Row) -> tuple[str, ...]:
        if row.state == S.under_review and row.pending:
            return tuple(reviewers.get(row.id, ()))
        if row.state == S.supplement_requested:
            return (row.enterprise,)
        return (_responsible(row.state, row.vetting_body, row.unit_name),)

    steps = [
        OverdueStep(
            application_id=row.id,
            receipt_code=row.receipt_code,
            enterprise=row.enterprise,
            product=row.product,
            step=_step_of(row.state, row.pending),
            due_on=row.due_on,
            days_late=(today - row.due_on).days,
            responsible=who_must_act(row),
        )
        for row in listed
    ]
    return Overdue(total=sum(row.dossiers for row in groups), by_whom=by_whom, listed=steps)


# Time spent in each stage -----------------------------------------------------------------------


class days_between(FunctionElement):
    """Days, with their fraction, from the first instant to the second (each database subtracts
    instants its own way)."""

    type = Float()
    name = "days_between"
    inherit_cache = True


@compiles(days_between)
def _days_between(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


PUBLISHED = "published"  # not an event of the dossier: the round's publication of the results


@dataclass(frozen=True)
class Stage:
    """From the first audit event of trigger `start` to the first of trigger `end`."""

    code: str
    label: str
    start: str
    end: str


STAGES = (
    Stage("waiting_for_vetting", _l("Submitted → vetting started"), "submit", "start_vetting"),
    Stage("vetting", _l("Vetting started → endorsed"), "start_vetting", "endorse"),
    Stage("supplement", _l("Supplement requested → answered (first request)"), "request_supplement",
          "resubmit"),
    Stage("waiting_for_review", _l("Endorsed → council review opened"), "endorse", "open_review"),
    Stage("council_review", _l("Council review opened → concluded"), "open_review", "conclude_review"),
    Stage("recommended", _l("Review concluded → recognised"), "conclude_review", "recognise"),
    Stage("published", _l("Results published → recognised"), PUBLISHED, "recognise"),
    Stage("whole_path", _l("Submitted → recognised (the whole path)"), "submit", "recognise"),
)  # fmt: skip
STAGE_TRIGGERS = tuple(
    dict.fromkeys(t for stage in STAGES for t in (stage.start, stage.end) if t != PUBLISHED)
)


@dataclass(frozen=True)
class StageTime:
    stage: Stage
    dossiers: int
    median_days: float | None


def stage_times(round_: Round) -> list[StageTime]:
    """The median days the round's dossiers spent in each stage, from their audit events' times
    (each dossier counts in a stage once it has left it)."""
    firsts = (
        select(
            AuditEvent.application_id.label("id"),
            *(func.min(case((AuditEvent.trigger == t, AuditEvent.at))).label(t) for t in STAGE_TRIGGERS),
        )
        .join(Application, Application.id == AuditEvent.application_id)
        .where(Application.round_id == round_.id)
        .group_by(AuditEvent.application_id)
        .cte("first_events")
    )
    parts = []
    start: ColumnElement[Any]
    for index, stage in enumerate(STAGES):
        if stage.start == PUBLISHED:
            if round_.results_published_at is None:
                continue
            start = literal(round_.results_published_at, DateTime(timezone=True))
        else:
            start = firsts.c[stage.start]
        end = firsts.c[stage.end]
        parts.append(
            select(literal_column(str(index)).label("stage"), days_between(start, end).label("days")).where(
                firsts.c[stage.end].is_not(None), start.is_not(None)
            )
        )
    durations = parts[0].union_all(*parts[1:]).subquery("durations")
    ranked = select(
        durations.c.stage,
        durations.c.days,
        func.row_number().over(partition_by=durations.c.stage, order_by=durations.c.days).label("rank"),
        func.count().over(partition_by=durations.c.stage).label("n"),
    ).subquery("ranked")
    # The middle one (odd n) or the mean of the middle two (even n).
    medians = {
        stage: (int(n), float(median))
        for stage, median, n in db.session.execute(
            select(ranked.c.stage, func.avg(ranked.c.days), func.max(ranked.c.n))
            .where(ranked.c.rank * 2 >= ranked.c.n, ranked.c.rank * 2 <= ranked.c.n + 2)
            .group_by(ranked.c.stage)
        )
    }
    return [StageTime(stage, *medians.get(index, (0, None))) for index, stage in enumerate(STAGES)]


# Production and exports of the recognised -------------------------------------------------------


def _percent(part: int, whole: int) -> Decimal | None:
    return Decimal(part) * 100 / Decimal(whole) if whole else None


@dataclass(frozen=True)
class Figures:
    """The recognised dossiers' nomination figures: each dossier's latest year, and the year before
    for the same dossiers (those that state it), for the growth the plan asks for."""

    year: int  # the latest year the figures cover (the year before the round's when there are none)
    dossiers: int
    production_vnd: int
    export_usd: int
    compared_dossiers: int
    production_compared_vnd: int
    production_year_before_vnd: int
    export_compared_usd: int
    export_year_before_usd: int

    @property
    def production_growth_percent(self) -> Decimal | None:
        return _growth(self.production_compared_vnd, self.production_year_before_vnd)

    @property
    def export_growth_percent(self) -> Decimal | None:
        return _growth(self.export_compared_usd, self.export_year_before_usd)

    @property
    def growth_status(self) -> str | None:
        return PRODUCTION_GROWTH_PERCENT.status(self.production_growth_percent)


def _growth(now: int, before: int) -> Decimal | None:
    return _percent(now - before, before)


def recognised_figures(round_: Round) -> Figures:
    figures = ApplicationFigures
    latest = (
        select(figures.application_id.label("id"), func.max(figures.year).label("year"))
        .join(Application, Application.id == figures.application_id)
        .where(Application.round_id == round_.id, Application.state == S.recognised)
        .group_by(figures.application_id)
        .subquery("latest")
    )

    def in_year(offset: int, column: ColumnExpressionArgument[int]) -> ColumnElement[int | None]:
        return func.max(case((figures.year == latest.c.year - offset, column)))

    per_dossier = (
        select(
            latest.c.id,
            latest.c.year,
            in_year(0, figures.production_value_vnd).label("production"),
            in_year(1, figures.production_value_vnd).label("production_before"),
            in_year(0, figures.export_value_usd).label("export"),
            in_year(1, figures.export_value_usd).label("export_before"),
        )
        .join(latest, latest.c.id == figures.application_id)
        .group_by(latest.c.id, latest.c.year)
        .subquery("per_dossier")
    )
    compared = per_dossier.c.production_before.is_not(None)

    def total(column: ColumnElement[int | None], only_compared: bool = False) -> ColumnElement[int]:
        value = case((compared, column), else_=0) if only_compared else column
        return func.coalesce(func.sum(value), 0)

    row = db.session.execute(
        select(
            func.max(per_dossier.c.year),
            func.count(),
            total(per_dossier.c.production),
            total(per_dossier.c.export),
            func.coalesce(func.sum(case((compared, 1), else_=0)), 0),
            total(per_dossier.c.production, only_compared=True),
            total(per_dossier.c.production_before),
            total(per_dossier.c.export, only_compared=True),
            total(per_dossier.c.export_before),
        )
    ).one()
    year, *amounts = row
    return Figures(year or round_.year - 1, *(int(amount) for amount in amounts))


def city_totals_for(year: int) -> CityTotals | None:
    return db.session.scalar(select(CityTotals).where(CityTotals.year == year))


@dataclass(frozen=True)
class Shares:
    """The recognised dossiers' latest production and exports as shares of the city's totals."""

    totals: CityTotals | None
    output_percent: Decimal | None
    export_percent: Decimal | None

    @property
    def output_status(self) -> str | None:
        return INDUSTRIAL_OUTPUT_SHARE_PERCENT.status(self.output_percent)

    @property
    def export_status(self) -> str | None:
        return EXPORT_SHARE_PERCENT.status(self.export_percent)


def city_shares(figures: Figures) -> Shares:
    totals = city_totals_for(figures.year)
    if totals is None:
        return Shares(None, None, None)
    return Shares(
        totals,
        _percent(figures.production_vnd, totals.industrial_output_vnd),
        _percent(figures.export_usd, totals.export_value_usd),
    )


# The whole page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    round: Round
    today: date
    funnel: list[StateCount]
    recognised: Recognised
    by_unit: list[Breakdown]
    by_sector: list[Breakdown]
    overdue: Overdue
    stages: list[StageTime]
    figures: Figures
    shares: Shares


def round_dashboard(round_: Round, today: date, locale: str) -> Dashboard:
    """Everything the round's dashboard shows (a dozen statements, whatever the round's size)."""
    figures = recognised_figures(round_)
    return Dashboard(
        round=round_,
        today=today,
        funnel=funnel(round_),
        recognised=recognised_against_targets(round_),
        by_unit=by_unit(round_),
        by_sector=by_sector(round_, locale),
        overdue=overdue_steps(round_, today),
        stages=stage_times(round_),
        figures=figures,
        shares=city_shares(figures),
    )
