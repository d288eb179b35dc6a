"""The default 100-point rubrics (DESIGN.md): the official weights were not published, so these are
editable defaults copied into each new round. Their rows are data (review/data/<rubric>_groups.csv and
<rubric>_criteria.csv, one row a group or a criterion), read once when the module loads; which rubric a
new round gets depends on its programme (PROGRAMME_RUBRICS), the key-products one for any other."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from recognition.extensions import db
from recognition.review.models import Criterion, CriterionGroup
from recognition.rounds.models import Round

RUBRIC_DATA = Path(__file__).resolve().parent / "data"


class DefaultCriterion(NamedTuple):
    """A row of a <rubric>_criteria.csv; the field names are the Criterion columns it fills."""

    code: str
    name_vi: str
    name_en: str
    max_points: Decimal
    guidance_vi: str
    guidance_en: str


class DefaultGroup(NamedTuple):
    """A row of a <rubric>_groups.csv (the CriterionGroup columns) with the criteria that name it."""

    code: str
    name_vi: str
    name_en: str
    criteria: tuple[DefaultCriterion, ...]


def _csv_rows(name: str) -> list[dict[str, str]]:
    with (RUBRIC_DATA / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _read_rubric(name: str) -> tuple[DefaultGroup, ...]:
    by_group: dict[str, list[DefaultCriterion]] = {}
    for row in _csv_rows(f"{name}_criteria.csv"):
        group, points = row.pop("group"), Decimal(row.pop("max_points"))
        by_group.setdefault(group, []).append(DefaultCriterion(max_points=points, **row))
    return tuple(
        DefaultGroup(criteria=tuple(by_group.get(row["code"], ())), **row)
        for row in _csv_rows(f"{name}_groups.csv")
    )


# The key industrial products' rubric, also the default of any programme PROGRAMME_RUBRICS does not name.
DEFAULT_RUBRIC = _read_rubric("default")
# Programme code -> the rubric its new rounds start from, when it is not the key-products one.
PROGRAMME_RUBRICS = {"CNHT": "supporting_industries"}
_RUBRICS = {code: _read_rubric(name) for code, name in PROGRAMME_RUBRICS.items()}


def default_rubric_for(programme_code: str) -> tuple[DefaultGroup, ...]:
    """The rubric a new round of the programme starts from."""
    return _RUBRICS.get(programme_code, DEFAULT_RUBRIC)


def apply_default_rubric(round_: Round) -> list[CriterionGroup]:
    """Give a round without criteria its programme's default rubric; the caller commits."""
    groups = [
        CriterionGroup(
            round_id=round_.id,
            position=position,
            **{**default._asdict(), "criteria": _criteria_of(round_, default.criteria)},
        )
        for position, default in enumerate(default_rubric_for(round_.programme.code))
    ]
    db.session.add_all(groups)
    db.session.flush()
    return groups


def _criteria_of(round_: Round, defaults: tuple[DefaultCriterion, ...]) -> list[Criterion]:
    return [
        Criterion(round_id=round_.id, position=index, **default._asdict())
        for index, default in enumerate(defaults)
    ]
