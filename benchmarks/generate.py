"""A realistic data set at city scale, written fast: bulk inserts of prepared rows (SQLAlchemy Core
executemany on SQLite, COPY on PostgreSQL), never the ORM one row at a time, never the workflow.

Six rounds of the key-products programme (five closed, the current one ≈30 % of the dossiers), Hanoi's
units and sectors as the app seeds them, enterprises spread unevenly over the commune-level units (the
busiest ≈4.5 %), every workflow state, each dossier carrying what the real workflow leaves: time stamps,
receipt code and lookup secret, the submitted snapshot sealed by its digest, the vetting report,
council assignments and scores, the published results, certificates, and an audit event per step,
chained and keyed exactly as recognition/cases/audit.py computes them (`flask verify-audit` passes).

    python -m benchmarks.generate --applications 100000 --seed 1
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import hmac
import json
import operator
import os
import random
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, func, select, text

from benchmarks.common import LOOKUP_SECRETS, PASSWORD, bench_app, database_kind, database_url

# Shares of the dossiers in each state: the current round is still moving, the past ones are over.
CURRENT_STATES = {
    "draft": 0.14,
    "submitted": 0.08,
    "vetting": 0.12,
    "supplement_requested": 0.06,
    "endorsed": 0.08,
    "unit_rejected": 0.07,
    "under_review": 0.20,
    "recommended": 0.08,
    "not_recommended": 0.12,
    "withdrawn": 0.05,
}
PAST_STATES = {
    "draft": 0.06,
    "withdrawn": 0.05,
    "unit_rejected": 0.14,
    "not_recommended": 0.55,
    "recognised": 0.20,
}
CURRENT_SHARE = 0.30
# audit.py's canonical JSON (sorted keys, no spaces), one encoder for every event and snapshot.
CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
POINTS = [(Decimal(t) / 10).quantize(Decimal("0.01")) for t in range(0, 1001)]  # tenths of a point
PAST_ROUNDS = 5
REVIEWERS = 3
# The tables written in bulk, and the columns of the two largest tables' rows, kept as tuples.
BULK_TABLES = (
    "enterprises",
    "products",
    "users",
    "role_memberships",
    "applications",
    "application_figures",
    "supplement_requests",
    "vetting_reports",
    "review_assignments",
    "scores",
    "audit_events",
    "certificates",
)
SCORE_COLUMNS = ("id", "assignment_id", "criterion_id", "points", "comment")
EVENT_COLUMNS = (
    "id",
    "application_id",
    "seq",
    "actor_id",
    "actor_role",
    "trigger",
    "from_state",
    "to_state",
    "at",
    "payload",
    "prev_hash",
    "hash",
    "mac",
)
COUNCIL_SIZE = 12

FORMS = ("Công ty Cổ phần", "Công ty TNHH", "Công ty TNHH MTV", "Tổng công ty", "Hợp tác xã")
TRADES = (
    "Cơ khí",
    "Điện tử",
    "Dệt may",
    "Thực phẩm",
    "Nhựa",
    "Hóa chất",
    "Vật liệu xây dựng",
    "Thiết bị điện",
    "Dược phẩm",
    "Gốm sứ",
    "Thủ công mỹ nghệ",
    "Bao bì",
    "Cao su",
    "Đồ gỗ",
    "Kim khí",
)
PLACES = (
    "Đông Anh",
    "Gia Lâm",
    "Thăng Long",
    "Hà Nội",
    "Sông Hồng",
    "Bắc Hà",
    "Phú Thượng",
    "Hoàng Mai",
    "Thạch Thất",
    "Sóc Sơn",
    "Thanh Trì",
    "Mê Linh",
    "Hà Đông",
    "Sơn Tây",
    "Ba Vì",
)
PRODUCTS = (
    "Máy biến áp",
    "Dây cáp điện",
    "Động cơ điện",
    "Bơm nước",
    "Vải kỹ thuật",
    "Áo sơ mi",
    "Sữa tiệt trùng",
    "Bia chai",
    "Gạch ốp lát",
    "Ống nhựa",
    "Sơn nước",
    "Thép cán",
    "Khuôn mẫu",
    "Linh kiện ô tô",
    "Bảng mạch điện tử",
    "Thuốc viên",
    "Bát đĩa sứ",
    "Mây tre đan",
    "Bao bì carton",
    "Lốp xe",
    "Tủ bếp",
    "Quạt điện",
    "Bình nóng lạnh",
    "Dụng cụ y tế",
    "Bánh kẹo",
)
MODELS = ("loại A", "cao cấp", "công nghiệp", "dân dụng", "xuất khẩu", "110 kV", "thế hệ mới", "tiêu chuẩn")
CATEGORIES = ("other", "other", "other", "high_tech", "handicraft", "start_up")
CUSTOMERS = ("Samsung", "Canon", "Honda", "Toyota", "Panasonic", "LG", "Foxconn", "Yamaha")
STANDARDS = ("iso_9001", "iso_14001", "iatf_16949", "iso_13485", "as9100")


@dataclass
class Built:
    """What was generated, for the report."""

    applications: int
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)


def _at(day: date, rng: random.Random, hour_from: int = 1, hour_to: int = 10) -> datetime:
    """A time during a Hanoi working day (01:00-10:00 UTC), to the microsecond, in UTC."""
    return datetime(
        day.year,
        day.month,
        day.day,
        rng.randint(hour_from, hour_to - 1),
        rng.randint(0, 59),
        rng.randint(0, 59),
        rng.randint(0, 999_999),
        tzinfo=UTC,
    )


class Writer:
    """Bulk rows into tables, in the shape each database takes fastest."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.postgresql = connection.dialect.name == "postgresql"
        self.rows: dict[str, int] = defaultdict(int)

    def insert(self, table: Table, rows: Sequence[Any], columns: Sequence[str] | None = None) -> None:
        """Rows as dicts (their keys the columns), or as tuples in the order of `columns` (the
        largest tables: no dict per row)."""
        if not rows:
            return
        if columns is None:
            columns = list(rows[0])
            pick = operator.itemgetter(*columns)
            rows = [pick(row) for row in rows]
        self.rows[table.name] += len(rows)
        names = ", ".join(f'"{c}"' for c in columns)
        raw = self.connection.connection.driver_connection
        if self.postgresql:
            json_at = [i for i, c in enumerate(columns) if table.c[c].type.__class__.__name__ == "JSON"]
            with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for chunk in _chunks(rows):
                    for row in _converted(chunk, [(i, _json_text) for i in json_at]):
                        copy.write_row(row)
            return
        # SQLite: the dialect's own bind processors, applied column by column, then the driver's
        # executemany of plain tuples (what Core's executemany sends, without its per-row work).
        # The table and column names are the metadata's, never input.
        dialect = self.connection.dialect
        processors = [table.c[c].type._cached_bind_processor(dialect) for c in columns]
        conversions = [(i, p) for i, p in enumerate(processors) if p is not None]
        marks = ", ".join("?" * len(columns))
        statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608
        cursor = raw.cursor()
        for chunk in _chunks(rows):
            cursor.executemany(statement, _converted(chunk, conversions))


def _chunks(rows: Sequence[Any], size: int = 50_000) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _converted(rows: Sequence[tuple], conversions: Sequence[tuple[int, Callable[[Any], Any]]]) -> list[tuple]:
    """The rows with each converted column's non-null values passed through its converter."""
    if not conversions:
        return list(rows)
    columns = list(zip(*rows, strict=True))
    for i, convert in conversions:
        columns[i] = tuple(None if v is None else convert(v) for v in columns[i])
    return list(zip(*columns, strict=True))


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _weights(count: int, rng: random.Random, top: float = 0.045) -> list[float]:
    """Uneven shares summing to 1, the largest `top` (the busiest unit's share of the firms)."""
    raw = sorted((rng.lognormvariate(0, 0.9) for _ in range(count - 1)), reverse=True)
    scale = (1 - top) / sum(raw)
    shares = [min(r * scale, top * 0.95) for r in raw]
    rest = (1 - top) - sum(shares)
    shares = [s + rest / len(shares) for s in shares]
    return [top, *shares]


def generate(url: str, applications: int = 100_000, seed: int = 1, quiet: bool = False) -> Built:
    """Drop and recreate the schema at `url`, then fill it; returns the row counts and the time taken.
    The cyclic garbage collector pauses meanwhile: millions of rows, no cycles, and each of its passes
    would walk them all."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        built = _generate(url, applications, seed)
    finally:
        if collecting:
            gc.enable()
    if not quiet:
        print(f"generated {built.applications} applications in {built.seconds:.1f} s: {built.rows}")
    return built


def _generate(url: str, applications: int, seed: int) -> Built:
    from werkzeug.security import generate_password_hash

    from benchmarks.taxcodes import tax_code
    from recognition.accounts.models import AdministrativeUnit, Sector, unit_predecessors
    from recognition.cases.audit import canonical_sha256, compute_hash, json_safe, keyed_mac
    from recognition.cases.receipts import hash_lookup_secret
    from recognition.cli import seed_programmes_and_rounds, seed_reference_data
    from recognition.extensions import db
    from recognition.honours.certificates import add_months
    from recognition.i18n import fold
    from recognition.review.models import Criterion
    from recognition.review.rubric import apply_default_rubric
    from recognition.rounds.models import Round, RoundStatus
    from recognition.supporting.models import SupportingSector

    started = time.perf_counter()
    rng = random.Random(seed)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    app = bench_app(url)
    tables = db.metadata.tables
    with app.app_context():
        if database_kind(url) == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        seed_reference_data()
        today = date.today()
        this_year = today.year
        current = seed_programmes_and_rounds(today)["CNCL"]
        rounds: list[Round] = []
        for year in range(this_year - PAST_ROUNDS, this_year):
            round_ = Round(
                programme_id=current.programme_id,
                year=year,
                title=f"{current.title[:-4]}{year}",
                opens_on=date(year, 3, 1),
                closes_on=date(year, 5, 31),
                status=RoundStatus.closed,
                vetting_body=current.vetting_body,
                legal_bases=current.legal_bases,
                review_starts_on=date(year, 7, 20),
                review_ends_on=date(year, 8, 25),
                results_published_at=datetime(year, 9, 1, 3, tzinfo=UTC),
                comment_deadline=date(year, 9, 15),
            )
            db.session.add(round_)
            db.session.flush()
            apply_default_rubric(round_)
            rounds.append(round_)
        current.results_published_at = datetime.combine(today - timedelta(days=20), datetime.min.time(), UTC)
        current.comment_deadline = today - timedelta(days=6)
        current.review_starts_on = today - timedelta(days=60)
        rounds.append(current)
        db.session.flush()
        criteria = {
            r.id: [
                (c.id, int(c.max_points * 10))
                for c in db.session.scalars(
                    select(Criterion)
                    .where(Criterion.round_id == r.id)
                    .order_by(Criterion.position, Criterion.id)
                )
            ]
            for r in rounds
        }
        unit_rows = db.session.execute(
            select(AdministrativeUnit.id, AdministrativeUnit.code, AdministrativeUnit.level)
        ).all()
        communes = [u.id for u in unit_rows if u.level in ("ward", "commune")]
        predecessor = dict(
            db.session.execute(
                select(unit_predecessors.c.unit_id, func.min(unit_predecessors.c.predecessor_id)).group_by(
                    unit_predecessors.c.unit_id
                )
            ).all()
        )
        sectors = [s for s in db.session.scalars(select(Sector).order_by(Sector.id))]
        supporting_sectors = list(db.session.scalars(select(SupportingSector).order_by(SupportingSector.id)))
        db.session.commit()

        enterprises_n = max(10, applications // 5)
        products_n = max(10, applications // 2)
        connection = db.session.connection()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA synchronous=OFF")  # a benchmark set: a crash just regenerates
        else:
            # The rows are consistent by construction (ids assigned here, parents written first): the
            # per-row foreign-key triggers are skipped while this transaction loads them; the keys stay
            # declared and enforce every later write. (Needs a superuser, as the benchmark's database has.)
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        writer = Writer(connection)
        # The secondary indexes of the bulk tables are built once, after their rows are in (one sort
        # each, rather than millions of insertions into them), in the same transaction.
        bulk_indexes = [index for name in BULK_TABLES for index in tables[name].indexes]
        for index in bulk_indexes:
            index.drop(connection)
        password_hash = generate_password_hash(
            PASSWORD, method=app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        )
        secret_hashes = [hash_lookup_secret(s) for s in LOOKUP_SECRETS]
        created = datetime(this_year - PAST_ROUNDS - 1, 11, 1, tzinfo=UTC)

        # Enterprises and products -----------------------------------------------------------------
        unit_weights = _weights(len(communes), rng)
        rng.shuffle(communes)  # which unit is the busiest, by seed
        enterprise_units = rng.choices(communes, unit_weights, k=enterprises_n)
        enterprises = []
        for i in range(enterprises_n):
            trade = rng.randrange(len(TRADES))
            name = f"{rng.choice(FORMS)} {TRADES[trade]} {rng.choice(PLACES)} {i + 1}"
            enterprises.append(
                {
                    "id": i + 1,
                    "name": name,
                    "name_folded": fold(name),
                    "tax_code": tax_code(i + 1),
                    "address": f"Số {rng.randint(1, 300)} đường {rng.choice(PLACES)}, Hà Nội",
                    "unit_id": enterprise_units[i],
                    "sector_id": sectors[trade % len(sectors)].id,
                    "created_at": created,
                }
            )
        writer.insert(tables["enterprises"], enterprises)
        products = []
        for i in range(products_n):
            enterprise = enterprises[i % enterprises_n if i < enterprises_n else rng.randrange(enterprises_n)]
            name = f"{rng.choice(PRODUCTS)} {rng.choice(MODELS)} {i + 1}"
            products.append(
                {
                    "id": i + 1,
                    "enterprise_id": enterprise["id"],
                    "name": name,
                    "name_folded": fold(name),
                    "sector_id": enterprise["sector_id"],
                    "category": rng.choice(CATEGORIES),
                    "description": f"{name}: sản phẩm chủ lực của doanh nghiệp, sản xuất trên dây chuyền"
                    " hiện đại.",
                    "year_started": rng.randint(1995, this_year - 2),
                    "capacity": f"{rng.randint(1, 900)} nghìn sản phẩm/năm",
                    "main_markets": rng.choice(
                        ("Trong nước", "Trong nước, EU", "Nhật Bản, Hàn Quốc", "Hoa Kỳ")
                    ),
                    "hs_code": f"{rng.randint(1000, 9999)}.{rng.randint(10, 99)}",
                    "created_at": created,
                }
            )
        writer.insert(tables["products"], products)

        # Users: the secretariat, officers per unit, the council, an applicant for a third of the firms
        users: list[dict] = []
        memberships: list[dict] = []

        def user(email: str, full_name: str, role: str, **scope: int) -> int:
            uid = len(users) + 1
            users.append(
                {
                    "id": uid,
                    "email": email,
                    "full_name": full_name,
                    "password_hash": password_hash,
                    "active": True,
                    "session_token": secrets.token_hex(16),
                    "created_at": created,
                    "email_confirmed_at": created,
                    "must_change_password": False,
                    "locale": "vi",
                }
            )
            memberships.append(
                {
                    "id": len(memberships) + 1,
                    "user_id": uid,
                    "role": role,
                    "enterprise_id": scope.get("enterprise_id"),
                    "unit_id": scope.get("unit_id"),
                }
            )
            return uid

        secretariat = [user(f"secretariat{i}@bench.vn", f"Thư ký {i}", "secretariat") for i in range(1, 4)]
        user("admin@bench.vn", "Quản trị", "admin")
        officer_of: dict[int, int] = {}
        for unit in unit_rows:
            if unit.level != "city":
                officer_of[unit.id] = user(
                    f"officer-{unit.code.lower()}@bench.vn",
                    f"Cán bộ {unit.code}",
                    "unit_officer",
                    unit_id=unit.id,
                )
        council_pool = [
            user(f"council{i}@bench.vn", f"Thành viên Hội đồng {i}", "council_member") for i in range(1, 21)
        ]
        applicant_of: dict[int, int] = {}
        for enterprise in enterprises:
            if enterprise["id"] % 3 == 1:
                applicant_of[enterprise["id"]] = user(
                    f"applicant{enterprise['id']}@bench.vn",
                    f"Người nộp {enterprise['id']}",
                    "applicant",
                    enterprise_id=enterprise["id"],
                )
        writer.insert(tables["users"], users)
        writer.insert(tables["role_memberships"], memberships)

        # Councils: 12 of the pool per round
        councils = {r.id: rng.sample(council_pool, COUNCIL_SIZE) for r in rounds}
        writer.insert(
            tables["council_members"],
            [
                {"id": n, "round_id": rid, "user_id": uid, "title": "Ủy viên"}
                for n, (rid, uid) in enumerate(
                    ((rid, uid) for rid, members in councils.items() for uid in members), 1
                )
            ],
        )

        # Dossiers, round by round, oldest first ------------------------------------------------------
        sizes = [int(applications * (1 - CURRENT_SHARE) / PAST_ROUNDS)] * PAST_ROUNDS
        sizes.append(applications - sum(sizes))
        ids = SimpleNamespace(
            application=0, event=0, assignment=0, score=0, report=0, figures=0, cert=0, supplement=0
        )
        receipt_days: dict[date, int] = defaultdict(int)
        valid_cert_of_product: dict[int, dict] = {}
        out: dict[str, list[Any]] = defaultdict(list)
        seal = sealer(app.config["AUDIT_KEY"], compute_hash, keyed_mac)
        take_snapshot = snapshotter(json_safe, canonical_sha256)

        for round_, size in zip(rounds, sizes, strict=True):
            is_current = round_ is current
            shares = CURRENT_STATES if is_current else PAST_STATES
            states = rng.choices(list(shares), list(shares.values()), k=size)
            chosen = rng.sample(range(products_n), min(size, products_n))
            year = round_.year
            if is_current:
                t_open, t_submit_to = today - timedelta(days=320), today - timedelta(days=100)
                t_review, t_conclude, t_publish = (
                    today - timedelta(days=60),
                    today - timedelta(days=25),
                    today - timedelta(days=20),
                )
            else:
                t_open, t_submit_to = date(year, 3, 1), date(year, 5, 31)
                t_review, t_conclude, t_publish = date(year, 7, 25), date(year, 8, 25), date(year, 9, 1)
            t_decision = date(year, 10, 1)
            council = councils[round_.id]
            round_criteria = criteria[round_.id]
            results: list[tuple[Decimal, int, str, dict, dict, str]] = []
            for state, product_index in zip(states, chosen, strict=False):
                product = products[product_index]
                enterprise = enterprises[product["enterprise_id"] - 1]
                ids.application += 1
                aid = ids.application
                applicant = applicant_of.get(enterprise["id"])
                events: list[tuple[int | None, str, str, str, str, datetime, dict]] = []
                row: dict[str, Any] = {
                    "id": aid,
                    "round_id": round_.id,
                    "product_id": product["id"],
                    "enterprise_id": enterprise["id"],
                    "state": state,
                    "receipt_code": None,
                    "lookup_secret_hash": None,
                    "vetting_body": None,
                    "vetting_unit_id": None,
                    "technology_level": rng.choice(("advanced", "modern", "average")),
                    "rnd_spending_vnd": rng.randint(0, 5_000) * 1_000_000,
                    "environmental_compliance": "Đạt",
                    "compliance_committed": True,
                    "declaration_accepted": False,
                    "due_on": None,
                    "vetting_days_left": None,
                    "overdue_reminded_on": None,
                    "decision_number": None,
                    "decision_date": None,
                    "support_sought": [],
                    "snapshot": None,
                    "created_at": _at(t_open + timedelta(days=rng.randint(0, 20)), rng),
                    "submitted_at": None,
                    "vetting_started_at": None,
                    "supplement_requested_at": None,
                    "endorsed_at": None,
                    "unit_rejected_at": None,
                    "review_opened_at": None,
                    "concluded_at": None,
                    "recognised_at": None,
                    "withdrawn_at": None,
                    "version": 1,
                }
                figures = {
                    "year": year - 1,
                    "production_value_vnd": rng.randint(20, 2_000) * 1_000_000_000,
                    "revenue_vnd": rng.randint(100, 3_000) * 1_000_000_000,
                    "export_value_usd": rng.randint(0, 50) * 100_000,
                    "budget_contribution_vnd": rng.randint(1, 200) * 1_000_000_000,
                    "employees": rng.randint(20, 3_000),
                    "average_wage_vnd": rng.randint(6, 25) * 1_000_000,
                }
                out["application_figures"].append({"id": aid, "application_id": aid, **figures})
                ids.figures = aid
                if state == "draft" or (state == "withdrawn" and rng.random() < 0.3):
                    if state == "withdrawn":
                        at = row["created_at"] + timedelta(days=rng.randint(1, 30))
                        row["withdrawn_at"] = at
                        events.append(
                            (
                                applicant,
                                "applicant",
                                "withdraw",
                                "draft",
                                "withdrawn",
                                at,
                                {"reason": "Doanh nghiệp rút hồ sơ"},
                            )
                        )
                    _flush_dossier(out, row, events, aid, seal, ids)
                    continue

                # Submitted: receipt, vetting body, snapshot ---------------------------------------
                if is_current and state in ("submitted", "vetting", "supplement_requested"):
                    day = today - timedelta(days=rng.randint(1, 45))
                else:
                    day = t_open + timedelta(days=rng.randint(0, (t_submit_to - t_open).days))
                at = _at(day, rng)
                row["created_at"] = min(row["created_at"], at - timedelta(days=1))
                receipt_days[day] += 1
                row["receipt_code"] = f"SCT-{day:%y%m%d}-{receipt_days[day]:04d}"
                row["lookup_secret_hash"] = secret_hashes[aid % len(secret_hashes)]
                row["vetting_body"] = "unit"
                unit_id = enterprise["unit_id"]
                row["vetting_unit_id"] = predecessor.get(unit_id, unit_id) if year < 2025 else unit_id
                vetter = officer_of.get(row["vetting_unit_id"])
                row["declaration_accepted"] = True
                row["submitted_at"] = at
                row["due_on"] = day + timedelta(days=21)
                snapshot, snapshot_sha256 = take_snapshot(enterprise, product, figures, at)
                row["snapshot"] = snapshot
                events.append(
                    (
                        applicant,
                        "applicant",
                        "submit",
                        "draft",
                        "submitted",
                        at,
                        {"declaration": True, "snapshot_sha256": snapshot_sha256},
                    )
                )
                if state == "submitted":
                    _flush_dossier(out, row, events, aid, seal, ids)
                    continue
                if state == "withdrawn" and rng.random() < 0.5:
                    at += timedelta(days=rng.randint(1, 10))
                    row.update(withdrawn_at=at, due_on=None)
                    events.append(
                        (
                            applicant,
                            "applicant",
                            "withdraw",
                            "submitted",
                            "withdrawn",
                            at,
                            {"reason": "Doanh nghiệp rút hồ sơ"},
                        )
                    )
                    _flush_dossier(out, row, events, aid, seal, ids)
                    continue
                at += timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 8))
                row["vetting_started_at"] = at
                events.append((vetter, "unit_officer", "start_vetting", "submitted", "vetting", at, {}))
                supplement = state == "supplement_requested" or (state != "vetting" and rng.random() < 0.2)
                if supplement or state == "withdrawn":
                    at += timedelta(days=rng.randint(2, 8), hours=rng.randint(0, 8))
                    deadline = (at + timedelta(days=14)).date()
                    ids.supplement += 1
                    items = ["Báo cáo tài chính năm gần nhất có kiểm toán"]
                    request = {
                        "id": ids.supplement,
                        "application_id": aid,
                        "number": 1,
                        "items": items,
                        "deadline": deadline,
                        "requested_at": at,
                        "requested_by_id": vetter,
                        "answers": None,
                        "answered_at": None,
                    }
                    out["supplement_requests"].append(request)
                    row.update(supplement_requested_at=at, vetting_days_left=10, due_on=deadline)
                    events.append(
                        (
                            vetter,
                            "unit_officer",
                            "request_supplement",
                            "vetting",
                            "supplement_requested",
                            at,
                            {"items": items, "deadline": deadline.isoformat()},
                        )
                    )
                    if state == "supplement_requested":
                        _flush_dossier(out, row, events, aid, seal, ids)
                        continue
                    if state == "withdrawn":
                        at = datetime.combine(
                            deadline + timedelta(days=1), datetime.min.time(), UTC
                        ) + timedelta(hours=20)
                        row.update(withdrawn_at=at, due_on=None, vetting_days_left=None)
                        events.append((None, "system", "lapse", "supplement_requested", "withdrawn", at, {}))
                        _flush_dossier(out, row, events, aid, seal, ids)
                        continue
                    at += timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 8))
                    answers = ["Đã bổ sung báo cáo tài chính"]
                    request.update(answers=answers, answered_at=at)
                    snapshot, snapshot_sha256 = take_snapshot(enterprise, product, figures, at)
                    row.update(
                        snapshot=snapshot, vetting_days_left=None, due_on=at.date() + timedelta(days=14)
                    )
                    events.append(
                        (
                            applicant,
                            "applicant",
                            "resubmit",
                            "supplement_requested",
                            "vetting",
                            at,
                            {"answers": answers, "snapshot_sha256": snapshot_sha256},
                        )
                    )
                if state == "vetting":
                    _flush_dossier(out, row, events, aid, seal, ids)
                    continue
                at += timedelta(days=rng.randint(3, 15), hours=rng.randint(0, 8))
                ids.report += 1
                row["due_on"] = None
                if state == "unit_rejected":
                    reason = "Không đáp ứng điều kiện doanh thu theo Hướng dẫn 1520/HD-SCT"
                    out["vetting_reports"].append(
                        _report(ids.report, aid, "rejected", vetter, at, reason=reason)
                    )
                    row["unit_rejected_at"] = at
                    events.append(
                        (
                            vetter,
                            "unit_officer",
                            "reject_in_unit",
                            "vetting",
                            "unit_rejected",
                            at,
                            {"reason": reason},
                        )
                    )
                    _flush_dossier(out, row, events, aid, seal, ids)
                    continue
                visit = (at - timedelta(days=2)).date()
                out["vetting_reports"].append(
                    _report(ids.report, aid, "endorsed", vetter, at, site_visit_date=visit)
                )
                row["endorsed_at"] = at
                events.append(
                    (vetter, "unit_officer", "endorse", "vetting", "endorsed", at, _endorse_payload(visit))
                )
                if state == "endorsed":
                    _flush_dossier(out, row, events, aid, seal, ids)
                    continue

                # Council review ------------------------------------------------------------------
                at = _at(t_review - timedelta(days=3), rng)
                reviewers = rng.sample(council, REVIEWERS)
                assignment_rows = []
                for reviewer in reviewers:
                    at += timedelta(seconds=rng.randint(1, 60))
                    ids.assignment += 1
                    assignment_rows.append(
                        {
                            "id": ids.assignment,
                            "application_id": aid,
                            "reviewer_id": reviewer,
                            "assigned_at": at,
                            "has_conflict": None,
                            "conflict_reason": None,
                            "declared_at": None,
                            "total_score": None,
                            "submitted_at": None,
                        }
                    )
                    events.append(
                        (
                            secretariat[0],
                            "secretariat",
                            "assign_reviewer",
                            "endorsed",
                            "endorsed",
                            at,
                            {"reviewer_id": reviewer},
                        )
                    )
                at = _at(t_review, rng)
                row["review_opened_at"] = at
                events.append(
                    (secretariat[0], "secretariat", "open_review", "endorsed", "under_review", at, {})
                )
                good = state in ("recommended", "recognised") or (
                    state == "under_review" and rng.random() < 0.4
                )
                quality = rng.uniform(0.74, 0.95) if good else rng.uniform(0.35, 0.66)
                totals = []
                for assignment in assignment_rows:
                    if state == "under_review" and rng.random() < 0.15:
                        continue  # not declared yet
                    at += timedelta(hours=rng.randint(1, 30))
                    assignment.update(has_conflict=False, declared_at=at)
                    events.append(
                        (
                            assignment["reviewer_id"],
                            "council_member",
                            "declare_interest",
                            "under_review",
                            "under_review",
                            at,
                            {"reviewer_id": assignment["reviewer_id"], "has_conflict": False, "reason": None},
                        )
                    )
                    if state == "under_review" and rng.random() < 0.4:
                        continue  # declared, not scored yet
                    at += timedelta(hours=rng.randint(1, 60))
                    points = {}
                    for criterion_id, max_tenths in round_criteria:
                        tenths = min(
                            max_tenths, max(0, int(max_tenths * (quality + rng.uniform(-0.06, 0.06))))
                        )
                        points[criterion_id] = POINTS[tenths]
                        ids.score += 1
                        out["scores"].append(
                            (ids.score, assignment["id"], criterion_id, points[criterion_id], "")
                        )
                    total = sum(points.values(), Decimal(0))
                    totals.append(total)
                    assignment.update(total_score=total, submitted_at=at)
                    events.append(
                        (
                            assignment["reviewer_id"],
                            "council_member",
                            "submit_scores",
                            "under_review",
                            "under_review",
                            at,
                            {
                                "reviewer_id": assignment["reviewer_id"],
                                "total": str(total),
                                "scores": {str(c): str(p) for c, p in points.items()},
                            },
                        )
                    )
                out["review_assignments"].extend(assignment_rows)
                if state == "under_review":
                    _flush_dossier(out, row, events, aid, seal, ids)
                    continue
                outcome = "recommended" if state in ("recommended", "recognised") else "not_recommended"
                at = max(at, _at(t_conclude, rng)) + timedelta(minutes=rng.randint(1, 600))
                row["concluded_at"] = at
                events.append(
                    (
                        secretariat[0],
                        "secretariat",
                        "conclude_review",
                        "under_review",
                        outcome,
                        at,
                        {"outcome": outcome},
                    )
                )
                mean = sum(totals, Decimal(0)) / len(totals)
                if outcome == "recommended":
                    results.append((mean, aid, row["receipt_code"], snapshot, row, state))
                if state == "recognised":
                    decision = f"{rng.randint(1000, 9999)}/QĐ-UBND"
                    at = _at(t_decision, rng)
                    row.update(recognised_at=at, decision_number=decision, decision_date=t_decision)
                    events.append(
                        (
                            secretariat[0],
                            "secretariat",
                            "recognise",
                            "recommended",
                            "recognised",
                            at,
                            {
                                "decision_number": decision,
                                "decision_date": t_decision.isoformat(),
                                "decision_signer": "Chủ tịch UBND Thành phố",
                            },
                        )
                    )
                _flush_dossier(out, row, events, aid, seal, ids)

            # The results published for comment, frozen as PublishedResult.to_json writes them; then
            # the certificates, Top N as published, numbered per round in rank order.
            results.sort(key=lambda r: (-r[0], r[1]))
            published = []
            sequence = 0
            for rank, (mean, aid, receipt, snapshot, row, state) in enumerate(results, start=1):
                top = rank <= round_.top_n
                published.append(
                    {
                        "application_id": aid,
                        "rank": rank,
                        "receipt_code": receipt,
                        "enterprise_name": snapshot["enterprise"]["name"],
                        "product_name": snapshot["product"]["name"],
                        "total": str(mean.quantize(Decimal("0.01"))),
                        "outcome": "recommended",
                        "top": top,
                    }
                )
                if state != "recognised":
                    continue
                sequence += 1
                ids.cert += 1
                valid_until = add_months(t_decision, round_.certificate_validity_months)
                status, changed = (
                    ("valid", None) if valid_until >= today else ("expired", valid_until + timedelta(days=1))
                )
                enterprise_record, product_record = snapshot["enterprise"], snapshot["product"]
                older = valid_cert_of_product.pop(row["product_id"], None)
                if older is not None and older["status"] == "valid":
                    older.update(status="superseded", status_changed_on=t_decision)
                certificate = {
                    "id": ids.cert,
                    "serial": f"CNCL-{year}-{sequence:04d}",
                    "sequence": sequence,
                    "application_id": aid,
                    "round_id": round_.id,
                    "product_id": row["product_id"],
                    "enterprise_id": row["enterprise_id"],
                    "top_n": top,
                    "decision_number": row["decision_number"],
                    "decision_date": t_decision,
                    "decision_signer": "Chủ tịch UBND Thành phố",
                    "issued_on": t_decision,
                    "valid_until": valid_until,
                    "status": status,
                    "status_changed_on": changed,
                    "revoked_on": None,
                    "revoke_reason": None,
                    "revoke_decision": None,
                    "product_name": product_record["name"],
                    "enterprise_name": enterprise_record["name"],
                    "tax_code": enterprise_record["tax_code"],
                    "sector_id": product_record["sector_id"],
                    "unit_id": enterprise_record["unit_id"],
                    "names_folded": fold(f"{product_record['name']} {enterprise_record['name']}"),
                }
                if (
                    "round_year" in tables["certificates"].c
                ):  # the registry's sort key, where the schema has it
                    certificate["round_year"] = year
                valid_cert_of_product[row["product_id"]] = certificate
                out["certificates"].append(certificate)
            round_.published_results = published
            if not is_current:
                round_.results_published_at = datetime.combine(t_publish, datetime.min.time(), UTC)
            # The round's rows written now (memory stays one round's); the certificates at the end,
            # as a later round's certificate supersedes an earlier one of the same product.
            for table_name in (
                "applications",
                "application_figures",
                "supplement_requests",
                "vetting_reports",
                "review_assignments",
            ):
                writer.insert(tables[table_name], out.pop(table_name, []))
            writer.insert(tables["scores"], out.pop("scores", []), SCORE_COLUMNS)
            writer.insert(tables["audit_events"], out.pop("audit_events", []), EVENT_COLUMNS)

        writer.insert(tables["certificates"], out.pop("certificates", []))
        writer.insert(
            tables["receipt_counters"],
            [{"day": day, "last": last} for day, last in sorted(receipt_days.items())],
        )
        _supplier_register(writer, tables, enterprises, supporting_sectors, rng, today, fold)
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        for index in bulk_indexes:
            index.create(connection)
        db.session.commit()
        for round_ in rounds:
            db.session.add(round_)
        db.session.commit()
        if database_kind(url) == "postgresql":
            with db.engine.begin() as connection:
                for table in db.metadata.sorted_tables:
                    if "id" in table.c and table.c.id.autoincrement is not False and table.c.id.primary_key:
                        highest = select(func.coalesce(func.max(table.c.id), 0)).scalar_subquery()
                        id_sequence = func.pg_get_serial_sequence(table.name, "id")
                        connection.execute(select(func.setval(id_sequence, func.greatest(highest, 1))))
                connection.execute(text("ANALYZE"))
        else:
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        return Built(
            applications=ids.application, seconds=time.perf_counter() - started, rows=dict(writer.rows)
        )


def snapshotter(json_safe: Any, canonical_sha256: Any) -> Any:
    """What take_snapshot keeps (cases/effects.py: EnterpriseRecord, ProductRecord, figures, etc.),
    built JSON-safe, with its canonical SHA-256: checked against audit.py's json_safe and
    canonical_sha256 on the first snapshots, as the sealer is."""
    checked = [0]

    def take(enterprise: dict, product: dict, figures: dict, at: datetime) -> tuple[dict, str]:
        snapshot = {
            "enterprise": {k: enterprise[k] for k in ENTERPRISE_RECORD},
            "product": {k: product[k] for k in PRODUCT_RECORD},
            "figures": [figures],
            "certifications": [],
            "documents": [],
            "support_sought": [],
            "taken_at": at.isoformat(),
        }
        digest = hashlib.sha256(CANONICAL.encode(snapshot).encode("utf-8")).hexdigest()
        if checked[0] < 200:
            checked[0] += 1
            if json_safe({**snapshot, "taken_at": at}) != snapshot or canonical_sha256(snapshot) != digest:
                raise RuntimeError("the generator's snapshot differs from recognition.cases.audit's form")
        return snapshot, digest

    return take


ENTERPRISE_RECORD = ("name", "tax_code", "address", "unit_id", "sector_id")
PRODUCT_RECORD = (
    "name",
    "category",
    "sector_id",
    "description",
    "year_started",
    "capacity",
    "main_markets",
    "hs_code",
)
CHECKS = (
    "business_registration_valid",
    "no_tax_arrears",
    "social_insurance_paid",
    "environmental_compliance",
    "no_violations",
)


def _endorse_payload(visit: date) -> dict:
    return {
        "eligibility_confirmed": True,
        **dict.fromkeys(CHECKS, True),
        "site_visit_date": visit.isoformat(),
        "recommendation": "Đề nghị Hội đồng xem xét",
    }


def _report(report_id: int, aid: int, outcome: str, officer: int | None, at: datetime, **fields: Any) -> dict:
    endorsed = outcome == "endorsed"
    row = {
        "id": report_id,
        "application_id": aid,
        "outcome": outcome,
        "site_visit_date": None,
        "eligibility_confirmed": True if endorsed else None,
        "recommendation": None,
        "reason": None,
        "capacity_assessment": None,
        "certifications_seen": None,
        "supply_chain_note": None,
        "officer_id": officer,
        "recorded_at": at,
    }
    for check in CHECKS:
        row[check] = True if endorsed else None
        row[f"{check}_note"] = ""
    if endorsed:
        row["recommendation"] = "Đề nghị Hội đồng xem xét"
    row.update(fields)
    return row


def _flush_dossier(out: dict, row: dict, events: list, aid: int, seal: Any, ids: Any) -> None:
    """The dossier's row and its audit chain: seq, previous hash, hash and keyed seal as audit.py
    makes them."""
    out["applications"].append(row)
    prev = "0" * 64
    for seq, (actor, role, trigger, source, dest, at, payload) in enumerate(events, start=1):
        ids.event += 1
        digest, mac = seal(aid, seq, actor, role, trigger, source, dest, at, payload, prev)
        out["audit_events"].append(
            (ids.event, aid, seq, actor, role, trigger, source, dest, at, payload, prev, digest, mac)
        )
        prev = digest


def sealer(key: str, compute_hash: Any, keyed_mac: Any) -> Any:
    """audit.py's compute_hash and keyed_mac, for payloads already JSON-safe (json_safe is then the
    identity, so the canonical text is the same): checked against the real functions on the first
    events, so a change in audit.py's canonical form fails here rather than in verify-audit."""
    secret = key.encode("utf-8")
    checked = [0]
    encode = CANONICAL.encode

    def seal(
        aid: int,
        seq: int,
        actor: int | None,
        role: str,
        trigger: str,
        source: str,
        dest: str,
        at: datetime,
        payload: dict,
        prev: str,
    ) -> tuple[str, str]:
        canonical = encode(
            {
                "application_id": aid,
                "seq": seq,
                "actor_id": actor,
                "actor_role": role,
                "trigger": trigger,
                "from": source,
                "to": dest,
                "at": at.replace(tzinfo=None).isoformat(timespec="microseconds"),
                "payload": payload,
                "prev": prev,
            }
        )
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        mac = hmac.new(secret, digest.encode("utf-8"), hashlib.sha256).hexdigest()
        if checked[0] < 500:
            checked[0] += 1
            event = SimpleNamespace(
                application_id=aid,
                seq=seq,
                actor_id=actor,
                actor_role=role,
                trigger=trigger,
                from_state=source,
                to_state=dest,
                at=at,
                payload=payload,
                prev_hash=prev,
            )
            if (compute_hash(event), keyed_mac(digest)) != (digest, mac):
                raise RuntimeError("the generator's audit hash differs from recognition.cases.audit's")
        return digest, mac

    return seal


def _supplier_register(
    writer: Writer,
    tables: Any,
    enterprises: list[dict],
    sectors: list,
    rng: random.Random,
    today: date,
    fold: Any,
) -> None:
    """A profile for one firm in ten (most agreeing to be listed), certifications for half of them."""
    from recognition.supporting.models import Standard

    profiles: list[dict] = []
    certifications: list[dict] = []
    labels = {s.value: str(s.label) for s in Standard if s != Standard.other}
    for enterprise in enterprises[::10]:
        sector = rng.choice(sectors)
        lines = "\n".join(rng.sample(PRODUCTS, 3))
        tier = rng.choice((None, "tier1", "tier2", "tier3"))
        held = rng.sample(STANDARDS, rng.randint(0, 2))
        profile_id = len(profiles) + 1
        for standard in held:
            certifications.append(
                {
                    "id": len(certifications) + 1,
                    "profile_id": profile_id,
                    "standard": standard,
                    "standard_name": "",
                    "number": f"VN-{rng.randint(10000, 99999)}",
                    "body": "Quacert",
                    "expires_on": today + timedelta(days=rng.randint(-60, 900)),
                    "reminded_for": None,
                }
            )
        parts = [enterprise["name"], sector.name_vi, sector.name_en, lines, *(labels[s] for s in held)]
        profiles.append(
            {
                "id": profile_id,
                "enterprise_id": enterprise["id"],
                "supporting_sector_id": sector.id,
                "products": lines,
                "supplies_multinationals": tier is not None,
                "tier": tier,
                "customers": rng.choice(CUSTOMERS) if tier else "",
                "active": rng.random() < 0.9,
                "listing_consent": rng.random() < 0.75,
                "search_folded": fold(" ".join(parts)),
                "updated_at": datetime(today.year, 1, 2, tzinfo=UTC),
                "updated_by_id": None,
            }
        )
    writer.insert(tables["supplier_profiles"], profiles)
    writer.insert(tables["firm_certifications"], certifications)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(database_url(args.applications), args.applications, args.seed)


if __name__ == "__main__":
    main()
