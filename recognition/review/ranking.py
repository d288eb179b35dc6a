"""The board's ranking in SQL: the same totals, outcomes, ranks and Top N as `scoring.board()`, computed
by the database over the whole round, so a page of the board turns only its own rows into objects.

Totals are exact: each criterion's mean is kept as an integer number of cents scaled by SCALE (every
mean of up to MAX_SCORERS members' cents is a whole number of 1/SCALE cents), summed, then rounded half
up to the cent once, as `evaluate()` does with Decimals. A dossier with more scorers on one criterion
than MAX_SCORERS is ranked by `scoring.board()` instead (never seen: councils are a handful)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from math import lcm
from typing import Any

from sqlalchemy import BigInteger, Select, and_, case, cast, func, literal_column, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from recognition.cases.models import BOARD_STATES, PUBLISHED_STATES, Application, State
from recognition.extensions import db
from recognition.paging import PER_PAGE, PageOf, offset_of
from recognition.review.models import ReviewAssignment, Score
from recognition.review.scoring import DossierResult, board, evaluate, groups_of, load_assignments
from recognition.rounds.models import Round

MAX_SCORERS = 16
SCALE = lcm(*range(1, MAX_SCORERS + 1))  # 720720


def _cents(value: Any) -> ColumnElement[int]:
    return cast(func.round(value * 100), BigInteger)


def _int(value: Any) -> ColumnElement[int]:
    return cast(value, BigInteger)


def _number(value: int) -> ColumnElement[int]:
    """An integer written into the statement (so PostgreSQL divides it as an integer, never numeric)."""
    return literal_column(str(int(value)), BigInteger)


def _half_up(scaled: ColumnElement[int], scale: Any) -> ColumnElement[int]:
    """`scaled / scale` rounded half up to a whole number (both non-negative integers)."""
    return (scaled * 2 + scale) // (scale * 2)


@dataclass(frozen=True)
class Ranked:
    """One dossier's place on the board: its position (1..n, every dossier), its rank (only with a
    total), its total and whether it is Top N."""

    application_id: int
    state: State
    position: int
    rank: int | None
    total: Decimal | None
    top: bool


def ranking(round_: Round) -> Select[Any]:
    """Every dossier of the round's board, with `position`, `rank`, `total_cents`, `top`, `recommended`,
    `state`, `rows` (the board's length) and `max_scorers`, ordered by position."""
    groups = groups_of(round_.id)
    criterion_ids = [c.id for g in groups for c in g.criteria]
    scale = _number(SCALE)
    in_round = and_(Application.round_id == round_.id, Application.state.in_(BOARD_STATES))
    active = (
        select(
            ReviewAssignment.id,
            ReviewAssignment.application_id,
            ReviewAssignment.submitted_at,
            ReviewAssignment.total_score,
        )
        .join(Application, Application.id == ReviewAssignment.application_id)
        .where(in_round, ReviewAssignment.reviews)
        .cte("active")
    )
    stats = (
        select(
            active.c.application_id,
            func.count().label("n_active"),
            func.count(active.c.submitted_at).label("n_submitted"),
            func.count(active.c.total_score).label("n_totals"),
            _int(func.sum(_cents(active.c.total_score))).label("sum_totals"),
        )
        .group_by(active.c.application_id)
        .cte("stats")
    )
    per_criterion = (
        select(
            active.c.application_id,
            Score.criterion_id,
            func.count().label("n"),
            _int(func.sum(_cents(Score.points))).label("s"),
        )
        .join(Score, Score.assignment_id == active.c.id)
        .where(active.c.submitted_at.is_not(None))
        .group_by(active.c.application_id, Score.criterion_id)
        .cte("per_criterion")
    )
    scaled = per_criterion.c.s * (scale // _int(per_criterion.c.n))

    def count_of(ids: list[int]) -> ColumnElement[int]:
        return func.sum(case((per_criterion.c.criterion_id.in_(ids or [-1]), 1), else_=0))

    def sum_of(ids: list[int]) -> ColumnElement[int]:
        return _int(func.sum(case((per_criterion.c.criterion_id.in_(ids or [-1]), scaled), else_=0)))

    group_columns = []
    for index, group in enumerate(groups):
        ids = [c.id for c in group.criteria]
        group_columns += [sum_of(ids).label(f"g{index}"), count_of(ids).label(f"k{index}")]
    sums = (
        select(
            per_criterion.c.application_id,
            func.count().label("k_rows"),
            count_of(criterion_ids).label("k_round"),
            _int(func.sum(scaled)).label("t"),
            func.max(per_criterion.c.n).label("max_n"),
            *group_columns,
        )
        .group_by(per_criterion.c.application_id)
        .cte("sums")
    )
    scored = sums.c.k_rows.is_not(None)
    unscored = and_(scored, sums.c.k_round < len(criterion_ids))
    total = case(
        (scored, case((sums.c.k_round == len(criterion_ids), _half_up(sums.c.t, scale)), else_=None)),
        (stats.c.n_totals > 0, _half_up(stats.c.sum_totals, _int(stats.c.n_totals))),
        else_=None,
    )

    def group_complete(index: int) -> ColumnElement[bool]:
        return and_(scored, sums.c[f"k{index}"] == len(groups[index].criteria))

    first_group: ColumnElement[Any] = _number(0)
    if groups:
        first_group = case((group_complete(0), _half_up(sums.c.g0, scale)), else_=0)
    failing = [
        and_(group_complete(i), sums.c[f"g{i}"] < _number(int(g.min_points * 100) * SCALE))
        for i, g in enumerate(groups)
        if g.min_points is not None
    ]
    complete = and_(stats.c.n_active > 0, stats.c.n_active == stats.c.n_submitted, ~unscored)
    passes = and_(total.is_not(None), total >= _number(round_.pass_threshold * 100), *[~f for f in failing])
    recommended = case(
        (Application.state.in_(PUBLISHED_STATES), 1),
        (and_(Application.state == State.under_review, complete, passes), 1),
        else_=0,
    )
    order = (
        func.coalesce(total, -1).desc(),
        first_group.desc(),
        Application.submitted_at,
        Application.id,
    )
    takes_top = case((and_(total.is_not(None), recommended == 1), 1), else_=0)
    position = func.row_number().over(order_by=order)
    rows = (
        select(
            Application.id.label("application_id"),
            Application.state.label("state"),
            position.label("position"),
            total.label("total_cents"),
            recommended.label("recommended"),
            takes_top.label("takes_top"),
            func.sum(takes_top).over(order_by=order).label("tops_so_far"),
            func.count().over().label("rows"),
            func.max(sums.c.max_n).over().label("max_scorers"),
        )
        .select_from(Application)
        .outerjoin(stats, stats.c.application_id == Application.id)
        .outerjoin(sums, sums.c.application_id == Application.id)
        .where(in_round)
        .subquery("board")
    )
    return select(
        rows.c.application_id,
        rows.c.state,
        rows.c.position,
        case((rows.c.total_cents.is_not(None), rows.c.position), else_=None).label("rank"),
        rows.c.total_cents,
        and_(rows.c.takes_top == 1, rows.c.tops_so_far <= _number(round_.top_n)).label("top"),
        rows.c.recommended,
        rows.c.rows,
        rows.c.max_scorers,
    ).order_by(rows.c.position)


def _as_ranked(row: Any) -> Ranked:
    total = None if row.total_cents is None else Decimal(int(row.total_cents)) / 100
    return Ranked(row.application_id, State(row.state), row.position, row.rank, total, bool(row.top))


def _from_board(round_: Round) -> list[Ranked]:
    """The ranking as `scoring.board()` computes it, for a board SQL cannot rank exactly."""
    return [
        Ranked(r.application.id, State(r.application.state), position, r.rank, r.total, r.top)
        for position, r in enumerate(board(round_), start=1)
    ]


def ranked_slice(round_: Round, offset: int, limit: int) -> tuple[list[Ranked], int]:
    """Rows `offset`..`offset + limit` of the board's ranking, and the board's length: one statement."""
    rows = db.session.execute(ranking(round_).offset(offset).limit(limit)).all()
    if not rows and offset:
        # Past the end: the length alone.
        first = db.session.execute(ranking(round_).limit(1)).first()
        return [], 0 if first is None else first.rows
    if rows and rows[0].max_scorers is not None and rows[0].max_scorers > MAX_SCORERS:
        ranked = _from_board(round_)
        return ranked[offset : offset + limit], len(ranked)
    return [_as_ranked(row) for row in rows], rows[0].rows if rows else 0


def ranked_all(round_: Round) -> list[Ranked]:
    """The whole ranking as light rows (no objects): for tests and whole-round documents."""
    rows = db.session.execute(ranking(round_)).all()
    if rows and rows[0].max_scorers is not None and rows[0].max_scorers > MAX_SCORERS:
        return _from_board(round_)
    return [_as_ranked(row) for row in rows]


def board_page(round_: Round, page: int, per_page: int = PER_PAGE) -> PageOf[DossierResult]:
    """Page `page` of the board: its dossiers ranked among the whole round's (one statement), then only
    these dossiers, their reviewers and their scores read as objects and evaluated as `board()` does."""
    ranked, rows = ranked_slice(round_, offset_of(page, per_page), per_page)
    ids = [r.application_id for r in ranked]
    applications = {
        a.id: a
        for a in db.session.scalars(
            select(Application)
            .where(Application.id.in_(ids or [-1]))
            .options(selectinload(Application.enterprise), selectinload(Application.product))
        )
    }
    groups = groups_of(round_.id)
    assignments = load_assignments(ids)
    results = []
    for place in ranked:
        result = evaluate(
            applications[place.application_id],
            assignments.get(place.application_id, []),
            groups,
            round_.spread_flag_points,
        )
        result.rank, result.top = place.rank, place.top
        results.append(result)
    return PageOf(results, page, rows, per_page)


def ranked_among(
    round_: Round, states: tuple[State, ...], offset: int, limit: int
) -> tuple[list[Ranked], int]:
    """Rows `offset`..`offset + limit` of the board's dossiers in `states`, in the board's order, each
    `rank` counted among these dossiers alone (1..n, as the published list counts), and their number."""
    whole = ranking(round_).order_by(None).subquery("ranked")
    among = (
        select(
            whole.c.application_id,
            whole.c.state,
            whole.c.position,
            func.row_number().over(order_by=whole.c.position).label("rank"),
            whole.c.total_cents,
            whole.c.top,
            func.count().over().label("rows"),
            whole.c.max_scorers,
        )
        .where(whole.c.state.in_(states))
        .subquery("among")
    )
    rows = db.session.execute(select(among).order_by(among.c.rank).offset(offset).limit(limit)).all()
    if rows and rows[0].max_scorers is not None and rows[0].max_scorers > MAX_SCORERS:
        listed = [r for r in _from_board(round_) if r.state in states]
        ranked = [replace(r, rank=rank) for rank, r in enumerate(listed, start=1)]
        return ranked[offset : offset + limit], len(ranked)
    if not rows and offset:
        return [], ranked_among(round_, states, 0, 1)[1]  # past the end: the number alone
    return [_as_ranked(row) for row in rows], rows[0].rows if rows else 0
