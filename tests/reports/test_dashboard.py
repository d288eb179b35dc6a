"""The round's dashboard (issue 11): its numbers equal those the test computes from the same data, for
a round with dossiers in every state walked through the workflow; the city's totals are entered and
audited; the charts are accessible SVG; and the page's SQL statements do not grow with the round."""

from __future__ import annotations

import re
import statistics
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale
from sqlalchemy import func, insert, select

from recognition import clock
from recognition.accounts.models import Role
from recognition.cases.audit import verify_chains
from recognition.cases.models import (
    Application,
    ApplicationFigures,
    AuditEvent,
    Product,
    RecordChange,
    State,
)
from recognition.extensions import db
from recognition.reports import dashboard as numbers
from recognition.reports.models import CityTotals
from recognition.review.models import ReviewAssignment
from recognition.rounds.models import Round, VettingBody
from tests.conftest import fire, login
from tests.queries import counting_queries

TODAY = clock.local_today()
UNITS = ("X-DONGANH", "P-HADONG")
SECTORS = ("CK", "DDT")


@contextmanager
def clock_at(day: date, hour: int = 9):
    """The app's clock at `hour` o'clock on `day`, Hanoi time (the steps are stamped then)."""
    moment = datetime.combine(day, clock_time(hour), tzinfo=clock.HANOI).astimezone(UTC)
    saved = clock._now
    clock._now = lambda: moment
    try:
        yield
    finally:
        clock._now = saved


# Reading the page ---------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """Every <table id=…> of a page: its body and foot rows, each the <tr>'s attributes and the
    text of its cells (th and td)."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[tuple[dict, list[str]]]] = {}
        self.current: str | None = None
        self.in_head = False
        self.row: tuple[dict, list[str]] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self.current = attrs["id"]
            self.tables[self.current] = []
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr" and self.current and not self.in_head:
            self.row = (attrs, [])
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag == "thead":
            self.in_head = False
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row[1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.current].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_tables(html: str) -> dict[str, list[tuple[dict, list[str]]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def whole(text: str) -> int:
    """A count or an amount as the page writes it (1,234 or 1.234.567)."""
    return int(re.sub(r"[.,\s]", "", text))


def percent(text: str) -> Decimal | None:
    """ "12.3 %" (English page) as a number; None for "—"."""
    text = text.replace("%", "").strip()
    return None if text == "—" else Decimal(text.replace(",", ""))


def close(shown: Decimal | None, expected: float | Decimal | None, places: int = 1) -> bool:
    """The page rounds to `places` decimals."""
    if expected is None or shown is None:
        return shown is None and expected is None
    return abs(Decimal(str(shown)) - Decimal(str(expected))) <= Decimal(5) / 10 ** (places + 1) + Decimal(
        "1e-9"
    )


# The seeded round ---------------------------------------------------------------------------------


@dataclass
class Seeded:
    round_id: int
    secretariat: object
    admin: object
    ids: dict[str, list[int]] = field(default_factory=dict)


# What each dossier goes through: (final state, days its steps are apart, sheets left pending).
PLANS = (
    ("draft", ()),
    ("submitted", ()),
    ("submitted", ()),
    ("vetting", (2,)),
    ("supplement_requested", (3, 1)),
    ("endorsed", (1, 4)),
    ("endorsed", (4, 6)),
    ("unit_rejected", (2, 3)),
    ("under_review", (2, 5, 8)),  # every sheet missing
    ("under_review_scored", (3, 4, 6)),  # every sheet in: the secretariat must conclude
    ("recommended", (1, 5, 7, 10)),
    ("not_recommended", (2, 6, 9, 12)),
    ("recognised", (1, 3, 7, 11), "supplemented"),
    ("recognised", (5, 8, 9, 14)),
    ("recognised", (3, 4, 10, 13)),
    ("withdrawn", (6,)),
)


def seed_round(make) -> Seeded:
    """A round with dossiers in every state, in two units and two sectors, walked through the workflow
    with the clock set to each step's day (so the audit trail carries real durations)."""
    round_ = make.round(
        opens_on=TODAY - timedelta(days=200),
        closes_on=TODAY + timedelta(days=30),
        review_starts_on=TODAY - timedelta(days=20),
        review_ends_on=TODAY - timedelta(days=5),
        decision_planned_on=TODAY - timedelta(days=2),
        target_products_min=2,
        target_products_max=4,
        target_enterprises_min=4,
        target_enterprises_max=6,
    )
    secretariat = make.user(Role.secretariat)
    seeded = Seeded(round_.id, secretariat, make.user(Role.admin))
    officers = {code: make.user(Role.unit_officer, unit=make.unit(code)) for code in UNITS}
    concluded = []
    for n, (final, gaps, *extra) in enumerate(PLANS):
        enterprise = make.enterprise(UNITS[n % 2], sector=make.sector(SECTORS[(n // 2) % 2]))
        application = make.application(round=round_, enterprise=enterprise)
        before, latest = sorted(application.figures, key=lambda f: f.year)
        before.production_value_vnd = 100_000_000_000 + n * 7_000_000_000
        latest.production_value_vnd = before.production_value_vnd * (108 + n) // 100
        before.export_value_usd = 1_000_000 + n * 150_000
        latest.export_value_usd = before.export_value_usd * (95 + 2 * n) // 100
        db.session.commit()
        seeded.ids.setdefault(final, []).append(application.id)
        if final == "draft":
            continue
        applicant = make.applicant_of(application)
        officer = officers[UNITS[n % 2]]
        day = TODAY - timedelta(days=150 - 3 * n)
        with clock_at(day):
            fire(application, "submit", applicant)
        if final == "submitted":
            continue
        if final == "withdrawn":
            with clock_at(day + timedelta(days=gaps[0])):
                fire(application, "withdraw", applicant)
            continue
        day += timedelta(days=gaps[0])
        with clock_at(day):
            fire(application, "start_vetting", officer)
        if final == "supplement_requested" or extra:
            with clock_at(day + timedelta(days=1), hour=10):
                fire(application, "request_supplement", officer)
            if final == "supplement_requested":
                continue
            with clock_at(day + timedelta(days=1), hour=16):
                fire(application, "resubmit", applicant)
        if final == "vetting":
            continue
        day += timedelta(days=gaps[1])
        with clock_at(day):
            fire(application, "reject_in_unit" if final == "unit_rejected" else "endorse", officer)
        if final in ("endorsed", "unit_rejected"):
            continue
        outcome_scores = [50, 60, 55] if final == "not_recommended" else [80, 85, 90]
        make.assign_reviewers(application, scores=None if final == "under_review" else outcome_scores)
        day += timedelta(days=gaps[2])
        with clock_at(day):
            fire(application, "open_review", secretariat)
        if final.startswith("under_review"):
            continue
        day += timedelta(days=gaps[3])
        with clock_at(day, hour=15):
            fire(application, "conclude_review", secretariat)
        concluded.append((application, final))
    make.publish_results(db.session.get(type(round_), round_.id))
    for application, final in concluded:
        if final == "recognised":
            fire(application, "recognise", secretariat)
    return seeded


# What the test expects, computed from the rows alone ----------------------------------------------

DUE_RULES = {
    State.submitted: ("vetting", "due_on"),
    State.vetting: ("vetting", "due_on"),
    State.supplement_requested: ("supplement", "due_on"),
    State.endorsed: ("open_review", "review_starts_on"),
    State.under_review: ("council_review", "review_ends_on"),
    State.recommended: ("decision", "decision_planned_on"),
}
STAGE_PAIRS = {
    "waiting_for_vetting": ("submit", "start_vetting"),
    "vetting": ("start_vetting", "endorse"),
    "supplement": ("request_supplement", "resubmit"),
    "waiting_for_review": ("endorse", "open_review"),
    "council_review": ("open_review", "conclude_review"),
    "recommended": ("conclude_review", "recognise"),
    "published": ("published", "recognise"),
    "whole_path": ("submit", "recognise"),
}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def expected_numbers(round_id: int) -> dict:
    db.session.expire_all()
    applications = db.session.scalars(select(Application).where(Application.round_id == round_id)).all()
    round_ = applications[0].round
    submitted = [a for a in applications if a.submitted_at is not None]
    endorsed_or_later = {"endorsed", "under_review", "recommended", "not_recommended", "recognised"}
    recognised = [a for a in applications if a.state == State.recognised]

    def breakdown(key) -> dict[int, tuple[int, int, int]]:
        counts = defaultdict(lambda: [0, 0, 0])
        for a in submitted:
            row = counts[key(a)]
            row[0] += 1
            row[1] += a.state.value in endorsed_or_later
            row[2] += a.state == State.recognised
        return {k: tuple(v) for k, v in counts.items()}

    overdue = {}
    pending_of = defaultdict(list)
    for assignment in db.session.scalars(select(ReviewAssignment)):
        if assignment.submitted_at is None and assignment.has_conflict is not True:
            pending_of[assignment.application_id].append(assignment.reviewer.full_name)
    for a in applications:
        if a.state not in DUE_RULES:
            continue
        step, source = DUE_RULES[a.state]
        due = a.due_on if source == "due_on" else getattr(round_, source)
        if due is None or due >= TODAY:
            continue
        if a.state == State.under_review:
            who = tuple(sorted(pending_of[a.id])) or ("Secretariat (Department of Industry and Trade)",)
            step = "council_review" if pending_of[a.id] else "conclude_review"
        elif a.state == State.supplement_requested:
            who = (a.enterprise.name,)
        elif a.vetting_body == VettingBody.unit and a.state in (State.submitted, State.vetting):
            who = (a.vetting_unit.name,)
        else:
            who = ("Secretariat (Department of Industry and Trade)",)
        overdue[a.id] = (step, (TODAY - due).days, who)

    firsts: dict[int, dict[str, datetime]] = defaultdict(dict)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.application_id.in_([a.id for a in applications]))
    )
    for e in sorted(events, key=lambda e: (e.application_id, e.seq)):
        firsts[e.application_id].setdefault(e.trigger, _aware(e.at))
    for app_firsts in firsts.values():
        app_firsts["published"] = _aware(round_.results_published_at)
    stages = {}
    for code, (start, end) in STAGE_PAIRS.items():
        days = [
            (f[end] - f[start]).total_seconds() / 86400 for f in firsts.values() if start in f and end in f
        ]
        stages[code] = (len(days), statistics.median(days) if days else None)

    def latest_and_before(a):
        by_year = {f.year: f for f in a.figures}
        year = max(by_year)
        return by_year[year], by_year.get(year - 1)

    pairs = [latest_and_before(a) for a in recognised]
    return {
        "funnel": {s: sum(a.state == s for a in applications) for s in State},
        "products": len(recognised),
        "enterprises": len({a.enterprise_id for a in recognised}),
        "units": breakdown(lambda a: a.vetting_unit_id or a.enterprise.unit_id),
        "sectors": breakdown(lambda a: a.product.sector_id),
        "overdue": overdue,
        "stages": stages,
        "year": max(latest.year for latest, _ in pairs),
        "production": sum(latest.production_value_vnd for latest, _ in pairs),
        "production_before": sum(before.production_value_vnd for _, before in pairs),
        "export": sum(latest.export_value_usd for latest, _ in pairs),
        "export_before": sum(before.export_value_usd for _, before in pairs),
    }


# The acceptance test ------------------------------------------------------------------------------


def secretariat_client(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    client.get("/lang/en")
    return client


def test_the_dashboard_shows_the_numbers_the_test_computes_for_a_round_in_every_state(app, make):
    seeded = seed_round(make)
    expected = expected_numbers(seeded.round_id)
    assert {s for s in State if expected["funnel"][s]} == set(State), "the seed misses a state"
    assert expected["overdue"], "the seed has nothing overdue: the check would be void"
    client = secretariat_client(app, seeded.secretariat)
    url = f"/secretariat/reports/rounds/{seeded.round_id}"

    # The city's totals, entered on the dashboard and audited.
    year = expected["year"]
    response = client.post(
        url + "/city-totals",
        data={"year": year, "industrial_output_vnd": "4.000.000.000.000", "export_value_usd": "20,000,000"},
    )
    assert response.status_code == 302
    totals = db.session.scalar(select(CityTotals).where(CityTotals.year == year))
    assert (totals.industrial_output_vnd, totals.export_value_usd, totals.entered_by_id) == (
        4_000_000_000_000,
        20_000_000,
        seeded.secretariat.id,
    )
    change = db.session.scalar(select(RecordChange).where(RecordChange.subject_type == "city_totals"))
    assert change.action == "enter_city_totals" and change.actor_id == seeded.secretariat.id
    assert change.payload["industrial_output_vnd"] == [None, 4_000_000_000_000]
    assert verify_chains() == []

    html = client.get(url).text
    tables = page_tables(html)
    with force_locale("en"):  # as the English page computes it
        returned = numbers.round_dashboard(db.session.get(Round, seeded.round_id), TODAY, "en")

    # The funnel: every state, in workflow order.
    funnel_rows = tables["funnel-table"]
    assert [attrs["data-state"] for attrs, _ in funnel_rows[:-1]] == [s.value for s in State]
    assert {State(attrs["data-state"]): whole(cells[1]) for attrs, cells in funnel_rows[:-1]} == expected[
        "funnel"
    ]
    assert {c.state: c.count for c in returned.funnel} == expected["funnel"]
    assert whole(funnel_rows[-1][1][1]) == sum(expected["funnel"].values())

    # Recognised products and enterprises against the round's bands.
    targets = {attrs["data-row"]: cells for attrs, cells in tables["targets-table"]}
    assert whole(targets["products"][1]) == expected["products"] == returned.recognised.products.value == 3
    assert (
        whole(targets["enterprises"][1]) == expected["enterprises"] == returned.recognised.enterprises.value
    )
    assert targets["products"][2] == "2–4" and targets["enterprises"][2] == "4–6"
    assert targets["products"][3] == "on target" and targets["enterprises"][3] == "below target"

    # By unit and by sector.
    for table, key in (("units-table", "units"), ("sectors-table", "sectors")):
        shown = {int(attrs["data-key"]): tuple(whole(c) for c in cells[1:]) for attrs, cells in tables[table]}
        assert shown == expected[key], table
        from_module = getattr(returned, "by_unit" if key == "units" else "by_sector")
        assert {r.key: (r.submitted, r.endorsed, r.recognised) for r in from_module} == expected[key]
    assert len(expected["units"]) == 2 and len(expected["sectors"]) == 2

    # Overdue steps: each dossier, its step, who must act and how late; the counts by whom.
    shown_overdue = {
        int(attrs["data-application"]): (attrs["data-step"], whole(cells[6]), tuple(cells[4].split(", ")))
        for attrs, cells in tables["overdue-dossiers"]
    }
    expected_overdue = {
        k: (step, late, tuple(sorted(who))) for k, (step, late, who) in expected["overdue"].items()
    }
    assert {k: (s, late, tuple(sorted(w))) for k, (s, late, w) in shown_overdue.items()} == expected_overdue
    assert {
        s.application_id: (s.step, s.days_late, tuple(sorted(s.responsible))) for s in returned.overdue.listed
    } == expected_overdue
    assert {s for s, _late, _who in expected_overdue.values()} == {
        "vetting", "supplement", "open_review", "council_review", "conclude_review", "decision",
    }  # fmt: skip
    assert whole(re.search(r'id="overdue-total">(\d+)<', html).group(1)) == len(expected_overdue)
    by_whom = Counter()
    for step, _late, who in expected["overdue"].values():
        for name in who:
            by_whom[(step, name if step != "supplement" else "The enterprises")] += 1
    shown_by_whom = {
        (attrs["data-step"], cells[0]): whole(cells[2]) for attrs, cells in tables["overdue-by-whom"]
    }
    assert shown_by_whom == dict(by_whom)

    # The median days of each stage, from the audit trail.
    shown_stages = {
        attrs["data-stage"]: (whole(cells[1]), percent(cells[2])) for attrs, cells in tables["stages-table"]
    }
    assert set(shown_stages) == set(STAGE_PAIRS)
    for code, (count, median) in expected["stages"].items():
        assert shown_stages[code][0] == count, code
        assert close(shown_stages[code][1], median), (code, shown_stages[code], median)
        module = next(t for t in returned.stages if t.stage.code == code)
        assert module.dossiers == count
        assert module.median_days == pytest.approx(median, abs=1e-3), code
    assert expected["stages"]["vetting"][0] == 9 and expected["stages"]["supplement"][0] == 1

    # Production and exports of the recognised dossiers, growth and shares of the city's totals.
    growth = {attrs["data-row"]: cells for attrs, cells in tables["growth-table"]}
    assert whole(growth["production"][1]) == expected["production_before"]
    assert whole(growth["production"][2]) == expected["production"]
    assert whole(growth["exports"][1]) == expected["export_before"]
    assert whole(growth["exports"][2]) == expected["export"]
    production_growth = (
        (expected["production"] - expected["production_before"]) * 100 / expected["production_before"]
    )
    export_growth = (expected["export"] - expected["export_before"]) * 100 / expected["export_before"]
    assert close(percent(growth["production"][3]), production_growth)
    assert close(percent(growth["exports"][3]), export_growth)
    assert float(returned.figures.production_growth_percent) == pytest.approx(production_growth)
    assert growth["production"][4] == "10–12 %"
    shares = {attrs["data-row"]: cells for attrs, cells in tables["shares-table"]}
    assert whole(shares["output"][1]) == expected["production"]
    assert whole(shares["output"][2]) == 4_000_000_000_000
    output_share = expected["production"] * 100 / 4_000_000_000_000
    export_share = expected["export"] * 100 / 20_000_000
    assert close(percent(shares["output"][3]), output_share)
    assert close(percent(shares["exports"][3]), export_share)
    assert float(returned.shares.export_percent) == pytest.approx(export_share)
    assert shares["output"][4] == "35–40 %" and shares["exports"][4] == "≥ 15 %"
    assert shares["output"][5] == "below target"


def test_every_chart_is_an_accessible_svg_beside_its_table(app, make):
    seeded = seed_round(make)
    year = TODAY.year - 1  # the latest year of the factory's figures
    db.session.add(CityTotals(year=year, industrial_output_vnd=10**13, export_value_usd=10**8))
    db.session.commit()
    html = (
        secretariat_client(app, seeded.secretariat).get(f"/secretariat/reports/rounds/{seeded.round_id}").text
    )
    charts = re.findall(r'<svg [^>]*id="(chart-[a-z]+)"[^>]*role="img"[^>]*aria-labelledby="\1-title"', html)
    assert sorted(charts) == sorted(
        ["chart-funnel", "chart-targets", "chart-units", "chart-sectors", "chart-overdue", "chart-stages",
         "chart-growth", "chart-shares"]
    )  # fmt: skip
    for chart in charts:
        assert re.search(rf'<title id="{chart}-title">[^<]+</title>', html), chart
    funnel_svg = html[html.index('id="chart-funnel"') : html.index("</svg>", html.index('id="chart-funnel"'))]
    assert funnel_svg.count('class="bar"') == len(State)
    assert 'class="band"' in html  # the targets' bands are drawn
    assert "<script" not in html[html.index('id="funnel"') :].split("</main>")[0]
    tables = page_tables(html)
    for table in ("funnel-table", "targets-table", "units-table", "sectors-table", "overdue-by-whom",
                  "stages-table", "growth-table", "shares-table"):  # fmt: skip
        assert tables[table], table


def test_the_admin_reads_the_dashboard_but_cannot_enter_the_city_totals(app, make):
    seeded = seed_round(make)
    client = secretariat_client(app, seeded.admin)
    url = f"/secretariat/reports/rounds/{seeded.round_id}"
    html = client.get(url).text
    assert 'id="funnel-table"' in html and 'id="city-totals-form"' not in html
    assert client.get("/secretariat/reports/").status_code == 200
    response = client.post(url + "/city-totals", data={"year": TODAY.year - 1, "industrial_output_vnd": "1",
                                                       "export_value_usd": "1"})  # fmt: skip
    assert response.status_code == 403
    assert db.session.scalar(select(CityTotals)) is None
    assert client.get(f"/secretariat/rounds/{seeded.round_id}").status_code == 403


def test_bad_city_totals_are_refused_in_the_visitors_language_keeping_what_was_typed(app, make):
    round_ = make.round(year=TODAY.year)
    client = secretariat_client(app, make.user(Role.secretariat))
    url = f"/secretariat/reports/rounds/{round_.id}"
    assert 'id="no-city-totals"' in client.get(url).text
    response = client.post(
        url + "/city-totals",
        data={"year": round_.year - 1, "industrial_output_vnd": "12x3", "export_value_usd": "0"},
    )
    assert response.status_code == 200
    assert 'value="12x3"' in response.text
    assert "Write the amount as 1.234.567 or 1,234,567" in response.text
    assert "Must be more than zero." in response.text
    assert db.session.scalar(select(CityTotals)) is None

    # Correcting them later edits the same year's row, audited as an edit.
    for output in ("1.000", "2.000"):
        data = {"year": round_.year - 1, "industrial_output_vnd": output, "export_value_usd": "5"}
        assert client.post(url + "/city-totals", data=data).status_code == 302
    assert db.session.scalars(select(CityTotals.industrial_output_vnd)).all() == [2000]
    actions = db.session.scalars(
        select(RecordChange.action)
        .where(RecordChange.subject_type == "city_totals")
        .order_by(RecordChange.seq)
    ).all()
    assert actions == ["enter_city_totals", "edit_city_totals"]


def test_the_round_pages_and_the_admin_link_to_the_dashboard(app, make):
    round_ = make.round()
    secretariat = secretariat_client(app, make.user(Role.secretariat))
    link = f'href="/secretariat/reports/rounds/{round_.id}"'
    assert link in secretariat.get("/secretariat/").text
    assert link in secretariat.get(f"/secretariat/rounds/{round_.id}").text
    admin = secretariat_client(app, make.user(Role.admin))
    assert 'href="/secretariat/reports/"' in admin.get("/admin/").text
    assert link in admin.get("/secretariat/reports/").text


# A constant number of SQL statements --------------------------------------------------------------


def bulk_round(make, size: int):
    """A round of `size` applications, spread over every state, inserted with Core in a few
    statements (figures, audit events and pending council sheets included), not one by one."""
    round_ = make.round(
        review_starts_on=TODAY - timedelta(days=20),
        review_ends_on=TODAY - timedelta(days=5),
        decision_planned_on=TODAY - timedelta(days=2),
        target_products_min=25,
        target_products_max=30,
    )
    enterprises = [make.enterprise(UNITS[i % 2], sector=make.sector(SECTORS[i % 2])) for i in range(4)]
    member = make.user(Role.council_member)
    states = list(State)
    tag = uuid.uuid4().hex[:8]
    products = db.session.execute(
        insert(Product.__table__).returning(Product.__table__.c.id, sort_by_parameter_order=True),
        [
            {"enterprise_id": enterprises[i % 4].id, "name": f"Sản phẩm {i}", "name_folded": f"san pham {i}",
             "sector_id": enterprises[i % 4].sector_id, "category": "other", "description": "",
             "capacity": "", "main_markets": "", "hs_code": "", "created_at": clock.utcnow()}
            for i in range(size)
        ],
    ).scalars().all()  # fmt: skip
    submitted_at = clock.utcnow() - timedelta(days=60)
    rows = []
    for i, product_id in enumerate(products):
        state = states[i % len(states)]
        enterprise = enterprises[i % 4]
        rows.append(
            {
                "round_id": round_.id, "product_id": product_id, "enterprise_id": enterprise.id,
                "state": state.value, "vetting_body": "unit", "vetting_unit_id": enterprise.unit_id,
                "receipt_code": None if state == State.draft else f"B{tag}-{i:06d}",
                "submitted_at": None if state == State.draft else submitted_at,
                "due_on": TODAY - timedelta(days=1 + i % 30)
                if state in (State.submitted, State.vetting, State.supplement_requested) else None,
                "decision_number": "1/QĐ-UBND" if state == State.recognised else None,
                "snapshot": {"enterprise": {"unit_id": enterprise.unit_id},
                             "product": {"sector_id": enterprise.sector_id}} if i % 2 else None,
                "compliance_committed": True, "declaration_accepted": True, "environmental_compliance": "",
                "created_at": submitted_at, "version": 1,
            }
        )  # fmt: skip
    applications = db.session.execute(
        insert(Application.__table__).returning(
            Application.__table__.c.id, Application.__table__.c.state, sort_by_parameter_order=True
        ),
        rows,
    ).all()
    figures, events, sheets = [], [], []
    path = ["submit", "start_vetting", "endorse", "open_review", "conclude_review", "recognise"]
    reached = {State.submitted: 1, State.vetting: 2, State.endorsed: 3, State.under_review: 4,
               State.recommended: 5, State.not_recommended: 5, State.recognised: 6}  # fmt: skip
    for application_id, state in applications:
        state = State(state)
        if state == State.recognised:
            for year, value in ((TODAY.year - 2, 100), (TODAY.year - 1, 111)):
                figures.append({"application_id": application_id, "year": year, "production_value_vnd": value,
                                "revenue_vnd": value, "export_value_usd": value, "budget_contribution_vnd": 0,
                                "employees": 0, "average_wage_vnd": 0})  # fmt: skip
        if state == State.under_review:
            sheets.append({"application_id": application_id, "reviewer_id": member.id, "has_conflict": False,
                           "assigned_at": submitted_at})  # fmt: skip
        for seq, trigger in enumerate(path[: reached.get(state, 0)], start=1):
            events.append(
                {"application_id": application_id, "seq": seq, "actor_role": "system", "trigger": trigger,
                 "from_state": "x", "to_state": "y", "at": submitted_at + timedelta(days=3 * seq + seq * seq),
                 "payload": {}, "prev_hash": "0" * 64, "hash": uuid.uuid4().hex * 2}
            )  # fmt: skip
    for table, batch in ((ApplicationFigures.__table__, figures), (AuditEvent.__table__, events),
                         (ReviewAssignment.__table__, sheets)):  # fmt: skip
        if batch:
            db.session.execute(insert(table), batch)
    db.session.commit()
    return round_


def dashboard_statements(app, client, round_id: int) -> tuple[int, int]:
    """Statements of the page (as the secretariat sees it) and of dashboard.py's round_dashboard."""
    url = f"/secretariat/reports/rounds/{round_id}"
    client.get(url)
    with counting_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        with counting_queries() as module_statements:
            numbers.round_dashboard(round_, TODAY, "en")
    return len(statements), len(module_statements)


def test_the_dashboard_runs_the_same_statements_for_5_and_60_applications(app, make):
    client = secretariat_client(app, make.user(Role.secretariat))
    small = bulk_round(make, 5)
    large = bulk_round(make, 60)
    assert db.session.scalar(select(func.count()).where(Application.round_id == large.id)) == 60
    page_small, module_small = dashboard_statements(app, client, small.id)
    page_large, module_large = dashboard_statements(app, client, large.id)
    assert (page_small, module_small) == (page_large, module_large)
    assert module_small <= 12 and page_small <= 25


def test_a_round_of_10000_applications_uses_the_same_number_of_statements(app, make):
    client = secretariat_client(app, make.user(Role.secretariat))
    small = bulk_round(make, 5)
    big = bulk_round(make, 10_000)
    assert db.session.scalar(select(func.count()).where(Application.round_id == big.id)) == 10_000
    assert dashboard_statements(app, client, big.id) == dashboard_statements(app, client, small.id)
    html = client.get(f"/secretariat/reports/rounds/{big.id}").text
    funnel = {attrs["data-state"]: whole(cells[1]) for attrs, cells in page_tables(html)["funnel-table"][:-1]}
    assert sum(funnel.values()) == 10_000 and funnel["recognised"] == len(range(9, 10_000, len(State)))
    assert len(page_tables(html)["overdue-dossiers"]) == numbers.OVERDUE_LISTED
