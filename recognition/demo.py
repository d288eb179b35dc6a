"""Demo data a newcomer can walk end to end without the shell.

Past rounds carry the programme's real figures (registered / recognised / enterprises, from the
Department's reports) and went through the real workflow, with the app's clock set back to their
dates; this year's open round holds a dossier in every state, and the council has enough members
for the round's reviewer count. Every step is audited like any other, so `verify-audit` holds.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from flask import current_app
from fpdf import FPDF
from sqlalchemy import select
from stdnum.vn import mst
from werkzeug.security import generate_password_hash

from recognition import clock
from recognition.accounts.models import AdministrativeUnit, Enterprise, Role, Sector, UnitLevel, User
from recognition.accounts.services import create_user, grant_role
from recognition.cases.models import (
    Application,
    ApplicationFigures,
    Document,
    Product,
    ProductCategory,
    State,
    TechnologyLevel,
)
from recognition.cases.workflow import advance
from recognition.extensions import db
from recognition.honours.services import publish_results
from recognition.review import services as review
from recognition.review.models import ReviewAssignment, SelfAssessment
from recognition.review.rubric import apply_default_rubric
from recognition.review.scoring import criteria_of
from recognition.rounds.models import DocumentKind, Programme, Round, RoundStatus, VettingBody


@dataclass(frozen=True)
class PastRound:
    year: int
    registered: int
    recognised: int
    enterprises: int


# The Department's published figures. For 2024 and 2025 only the recognised products and their
# enterprises are published, so those rounds hold no dossier that failed.
PAST_ROUNDS = (
    PastRound(2021, 54, 46, 30),
    PastRound(2022, 42, 33, 25),
    PastRound(2023, 37, 33, 24),
    PastRound(2024, 36, 36, 25),
    PastRound(2025, 35, 35, 28),
)

EXTRA_COUNCIL = (
    ("council2@demo.chuluc.vn", "Vũ Thị Giang", "Phó Chủ tịch Hội đồng"),
    ("council3@demo.chuluc.vn", "Đỗ Văn Hải", "Ủy viên"),
    ("council4@demo.chuluc.vn", "Bùi Thị Khánh", "Ủy viên"),
)

ENTERPRISE_KINDS = ("Công ty Cổ phần", "Công ty TNHH", "Tổng công ty", "Công ty TNHH MTV")
ENTERPRISE_STEMS = (
    "Cơ khí Hà Nội", "Điện tử Thăng Long", "Dệt may Hà Đông", "Nhựa Tiền Phong Hà Nội", "Thực phẩm Hà Thành",
    "Thiết bị điện Đông Anh", "Gốm sứ Bát Tràng", "Dược phẩm Trung ương Hà Nội", "Vật liệu xây dựng Sóc Sơn",
    "Công nghệ phần mềm Cầu Giấy", "Cao su Sao Vàng Hà Nội", "Bánh kẹo Hữu Nghị Hà Nội", "May Đức Giang",
    "Thép Gia Lâm", "Sơn Long Biên", "Giày da Thụy Khuê", "Sữa Ba Vì", "Mây tre đan Phú Vinh",
    "Khí cụ điện Thanh Trì", "Bóng đèn Rạng Đông Hà Nội", "Cáp điện Mê Linh", "Hóa chất Đức Giang",
    "Nội thất Chương Mỹ", "Bia Hà Nội Thăng Long", "Thiết bị y tế Hoàng Mai", "Vi mạch Hòa Lạc",
    "Kết cấu thép Phú Xuyên", "Chè Ba Vì", "Lụa Vạn Phúc", "Động cơ Trần Phú",
    "Máy nông nghiệp Thường Tín", "Bao bì Hà Nội",
)  # fmt: skip
PRODUCTS = (
    "Máy biến áp phân phối", "Dây cáp điện hạ thế", "Bo mạch điều khiển", "Vải dệt kim", "Ống nhựa HDPE",
    "Bánh quy bơ", "Sữa tiệt trùng", "Gạch ốp lát", "Thiết bị đóng cắt", "Phần mềm quản lý doanh nghiệp",
    "Lốp xe máy", "Áo sơ mi xuất khẩu", "Bóng đèn LED", "Thép cán nguội", "Sơn nước nội thất",
    "Giày thể thao", "Gốm men rạn", "Thuốc kháng sinh", "Bàn ghế gỗ xuất khẩu", "Quạt điện",
    "Động cơ điện ba pha", "Máy gặt đập liên hợp", "Bao bì carton", "Chè xanh đóng gói", "Lụa tơ tằm",
)  # fmt: skip
CRITERIA_TOTAL = Decimal(100)


@contextmanager
def _clock_at(day: date) -> Iterator[None]:
    """The app's one clock, set to 09:00 on `day` in Hanoi (the steps are stamped then)."""
    moment = datetime.combine(day, time(9), tzinfo=clock.HANOI).astimezone(UTC)
    saved = clock._now
    clock._now = lambda: moment
    try:
        yield
    finally:
        clock._now = saved


def _tax_code(n: int) -> str:
    """A valid Hanoi tax code (01…), unique per n (skips sequences without a check digit)."""
    for sequence in (2 * n, 2 * n + 1):
        nine = f"01{500_000 + sequence:07d}"
        check = mst.calc_check_digit(nine)
        if len(check) == 1:
            return nine + check
    raise ValueError(n)


def _demo_pdf() -> str:
    """One small real PDF every demo document points at (so a download opens something)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 10, "Demo evidence document (sample data)")
    stored = current_app.extensions["evidence_storage"].put(io.BytesIO(bytes(pdf.output())), 10**6)
    return stored.sha256


class DemoBuilder:
    """Builds the demo's dossiers through the workflow; one instance per seeding."""

    def __init__(self, programme: Programme, password: str):
        self.programme = programme
        self.password = password
        self.password_hash = generate_password_hash(
            password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        )
        self.sha256 = _demo_pdf()
        self.units = list(
            db.session.scalars(
                select(AdministrativeUnit)
                .where(AdministrativeUnit.level.in_([UnitLevel.ward, UnitLevel.commune]))
                .order_by(AdministrativeUnit.code)
            )
        )
        self.sectors = list(db.session.scalars(select(Sector).order_by(Sector.code)))
        self.secretariat = db.session.scalars(
            select(User).where(User.email == "secretariat@demo.chuluc.vn")
        ).one()  # seeded by seed_demo_data()
        self.council = self._council()
        self.serial = 0

    def _council(self) -> list[User]:
        members = [db.session.scalars(select(User).where(User.email == "council@demo.chuluc.vn")).one()]
        for email, name, _title in EXTRA_COUNCIL:
            user = db.session.scalar(select(User).where(User.email == email))
            if user is None:
                user = create_user(email, self.password, name)
                grant_role(user, Role.council_member)
            members.append(user)
        db.session.flush()
        return members

    def seat_council(self, round_: Round) -> None:
        titles = ["Ủy viên"] + [title for _e, _n, title in EXTRA_COUNCIL]
        for user, title in zip(self.council, titles, strict=True):
            review.add_council_member(round_, user, title)

    def enterprise(self, unit: AdministrativeUnit | None = None) -> Enterprise:
        self.serial += 1
        n = self.serial
        stem = ENTERPRISE_STEMS[n % len(ENTERPRISE_STEMS)]
        kind = ENTERPRISE_KINDS[n % len(ENTERPRISE_KINDS)]
        unit = unit or self.units[n % len(self.units)]
        enterprise = Enterprise(
            name=f"{kind} {stem} {n}" if n > len(ENTERPRISE_STEMS) else f"{kind} {stem}",
            tax_code=_tax_code(n),
            address=f"Số {n} đường Giải Phóng, {unit.name}, Hà Nội",
            unit=unit,
            sector=self.sectors[n % len(self.sectors)],
        )
        db.session.add(enterprise)
        db.session.flush()
        return enterprise

    def dossier(self, round_: Round, enterprise: Enterprise, n: int, complete: bool = True) -> Application:
        """A draft with every section filled (figures, self-assessment, documents) unless not `complete`."""
        product = Product(
            enterprise=enterprise,
            name=f"{PRODUCTS[n % len(PRODUCTS)]} {enterprise.name.split()[-1]}-{round_.year % 100}{n:02d}",
            sector=enterprise.sector,
            category=ProductCategory.other,
            description="Sản phẩm sản xuất hàng loạt, tiêu thụ trong nước và xuất khẩu (dữ liệu mẫu).",
            year_started=2010 + n % 10,
            capacity=f"{(n % 9 + 1) * 10_000} sản phẩm/năm",
            main_markets="Việt Nam, Nhật Bản, EU",
        )
        application = Application(round=round_, product=product, enterprise=enterprise)
        db.session.add(application)
        if complete:
            application.compliance_committed = True
            application.technology_level = TechnologyLevel.modern
            application.rnd_spending_vnd = 2_000_000_000 + n * 10_000_000
            application.environmental_compliance = "Đã có giấy phép môi trường."
            for offset, growth in ((2, 100), (1, 112)):
                revenue = (150 + n * 7) * growth * 10_000_000
                application.figures.append(
                    ApplicationFigures(
                        year=round_.year - offset, production_value_vnd=revenue * 9 // 10,
                        revenue_vnd=revenue, export_value_usd=(n % 5) * 1_000_000,
                        budget_contribution_vnd=revenue // 20,
                        employees=120 + n * 3, average_wage_vnd=9_500_000,
                    )
                )  # fmt: skip
            db.session.flush()
            for criterion in criteria_of(round_.id):
                points = (criterion.max_points * Decimal("0.8")).quantize(Decimal("0.01"))
                db.session.add(
                    SelfAssessment(
                        application_id=application.id,
                        criterion_id=criterion.id,
                        points=points,
                        justification="Theo báo cáo tài chính đã kiểm toán.",
                    )
                )
            for kind in round_.required_documents:
                application.documents.append(
                    Document(
                        kind=DocumentKind(kind), filename=f"{kind}.pdf", sha256=self.sha256, size=1000,
                        content_type="application/pdf",
                    )
                )  # fmt: skip
        db.session.flush()
        return application

    def enterprise_user(self, application: Application) -> User:
        """The enterprise's applicant account, made on first use (all share one password hash: the
        demo has a hundred of them and hashing each would slow `make run` down)."""
        enterprise = application.enterprise
        email = f"dn{enterprise.tax_code}@demo.chuluc.vn"
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email, full_name=f"Người đại diện {enterprise.name}", password_hash=self.password_hash,
                email_confirmed_at=clock.utcnow(),
            )  # fmt: skip
            db.session.add(user)
            grant_role(user, Role.applicant, enterprise=enterprise)
            db.session.flush()
        return user

    def step(self, application: Application, trigger: str, actor: User | None, **data: Any) -> None:
        advance(application, trigger, actor, **data)
        db.session.flush()

    def vet(self, application: Application, officer: User, day: date) -> None:
        self.step(application, "start_vetting", officer)
        self.step(
            application, "endorse", officer, eligibility_confirmed=True, business_registration_valid=True,
            no_tax_arrears=True, social_insurance_paid=True, environmental_compliance=True,
            no_violations=True, site_visit_date=day - timedelta(days=1),
            recommendation="Đề nghị Hội đồng xem xét, công nhận.",
        )  # fmt: skip

    def review(self, application: Application, totals: Sequence[int | None], reviewers: list[User]) -> None:
        """Assign the reviewers and have each submit a sheet adding up to their total (None: not yet)."""
        assignments = [review.assign_reviewer(application, user, self.secretariat) for user in reviewers]
        for assignment in assignments:
            review.declare(assignment, False)
        if application.state == State.endorsed:
            self.step(application, "open_review", self.secretariat)
        for assignment, total in zip(assignments, totals, strict=False):
            if total is not None:
                self.score(assignment, application, total)

    def score(self, assignment: ReviewAssignment, application: Application, total: int) -> None:
        share = Decimal(total) / CRITERIA_TOTAL
        inputs = [
            review.ScoreInput(c.id, (c.max_points * share).quantize(Decimal("0.01"), ROUND_DOWN), "")
            for c in criteria_of(application.round_id)
        ]
        errors = review.save_scores(assignment, application, inputs, submit=True)
        assert not errors, errors


def _past_round(builder: DemoBuilder, past: PastRound) -> None:
    """One past round, from nominations in May to the city's decision in October."""
    spring, summer = date(past.year, 5, 15), date(past.year, 8, 1)
    round_ = Round(
        programme=builder.programme, year=past.year,
        title=f"Xét chọn sản phẩm công nghiệp chủ lực thành phố Hà Nội năm {past.year}",
        opens_on=date(past.year, 4, 1), closes_on=date(past.year, 6, 30), status=RoundStatus.open,
        vetting_body=VettingBody.secretariat, target_products_min=25, target_products_max=30,
        target_enterprises_min=20, target_enterprises_max=25,
    )  # fmt: skip
    db.session.add(round_)
    db.session.flush()
    apply_default_rubric(round_)
    builder.seat_council(round_)
    enterprises = [builder.enterprise() for _ in range(past.enterprises)]
    failed = past.registered - past.recognised
    outcomes = [State.recognised] * past.recognised + [
        State.unit_rejected, State.not_recommended, State.withdrawn
    ] * failed
    outcomes = outcomes[: past.registered]
    applications = []
    with _clock_at(spring):
        for n, outcome in enumerate(outcomes):
            # The recognised products spread over exactly `enterprises` firms, every firm with one at least.
            application = builder.dossier(round_, enterprises[n % past.enterprises], n)
            builder.step(application, "submit", builder.enterprise_user(application), declaration=True)
            applications.append((application, outcome))
    with _clock_at(spring + timedelta(days=20)):
        for application, outcome in applications:
            if outcome == State.withdrawn:
                builder.step(application, "withdraw", builder.enterprise_user(application),
                             reason="Doanh nghiệp rút hồ sơ để hoàn thiện số liệu.")  # fmt: skip
            elif outcome == State.unit_rejected:
                builder.step(application, "start_vetting", builder.secretariat)
                builder.step(
                    application,
                    "reject_in_unit",
                    builder.secretariat,
                    reason="Doanh thu chưa đạt ngưỡng 100 tỷ đồng/năm theo Hướng dẫn 1520/HD-SCT.",
                )
            else:
                builder.vet(application, builder.secretariat, spring + timedelta(days=20))
    reviewed = [(a, o) for a, o in applications if o in (State.recognised, State.not_recommended)]
    with _clock_at(summer):
        for n, (application, outcome) in enumerate(reviewed):
            high = 78 + n % 15
            totals = [high, high - 3, high + 2] if outcome == State.recognised else [62, 58, 66]
            builder.review(application, totals, builder.council[:3])
            builder.step(application, "conclude_review", builder.secretariat)
        publish_results(round_, summer + timedelta(days=30))
    decision_day = summer + timedelta(days=45)
    with _clock_at(decision_day):
        for application, outcome in reviewed:
            if outcome == State.recognised:
                builder.step(application, "recognise", builder.secretariat,
                             decision_number=f"{3000 + past.year % 100}/QĐ-UBND", decision_date=decision_day,
                             decision_signer="Phó Chủ tịch UBND Thành phố")  # fmt: skip
    round_.status = RoundStatus.closed
    db.session.commit()


def _this_years_round(builder: DemoBuilder, round_: Round, demo_enterprise: Enterprise) -> None:
    """A dossier in every state of the open round, vetted by the demo officer's unit."""
    officer = db.session.scalars(select(User).where(User.email == "officer@demo.chuluc.vn")).one()
    unit = demo_enterprise.unit
    builder.seat_council(round_)
    demo_applicant = db.session.scalar(select(User).where(User.email == "applicant@demo.chuluc.vn"))
    today = clock.local_today()

    draft = builder.dossier(round_, demo_enterprise, 1, complete=False)
    supplement = builder.dossier(round_, demo_enterprise, 2)
    builder.step(supplement, "submit", demo_applicant, declaration=True)
    builder.step(supplement, "start_vetting", officer)
    builder.step(
        supplement, "request_supplement", officer,
        items=["Báo cáo tài chính năm gần nhất đã được kiểm toán", "Giấy chứng nhận ISO 9001 còn hiệu lực"],
        deadline=today + timedelta(days=14),
    )  # fmt: skip
    # One dossier in each state the demo shows (two endorsed ones, so the board has one to open).
    wanted = (State.submitted, State.vetting, State.endorsed, State.endorsed, State.unit_rejected,
              State.under_review, State.recommended, State.not_recommended, State.withdrawn)  # fmt: skip
    others: dict[State, Application] = {}
    for i, state in enumerate(wanted):
        application = builder.dossier(round_, builder.enterprise(unit), 10 + i)
        others.setdefault(state, application)
        builder.step(application, "submit", builder.enterprise_user(application), declaration=True)
        if state == State.withdrawn:
            builder.step(application, "withdraw", builder.enterprise_user(application),
                         reason="Doanh nghiệp rút hồ sơ để đăng ký năm sau.")  # fmt: skip
        elif state == State.vetting:
            builder.step(application, "start_vetting", officer)
        elif state == State.unit_rejected:
            builder.step(application, "start_vetting", officer)
            builder.step(application, "reject_in_unit", officer,
                         reason="Chưa có giấy phép môi trường theo quy định.")  # fmt: skip
        elif state != State.submitted:
            builder.vet(application, officer, today)
    # The demo council member has a sheet to fill; the others have submitted theirs.
    builder.review(others[State.under_review], [None, 84, 80], builder.council[:3])
    builder.review(others[State.recommended], [88, 85, 90], builder.council[1:4])
    builder.step(others[State.recommended], "conclude_review", builder.secretariat)
    builder.review(others[State.not_recommended], [60, 64, 55], builder.council[1:4])
    builder.step(others[State.not_recommended], "conclude_review", builder.secretariat)
    assert draft.state == State.draft
    db.session.commit()


@contextmanager
def _cheap_lookup_secret_hashes() -> Iterator[None]:
    """The demo's dossiers get lookup secrets nobody is ever shown: hashing each of two hundred with
    scrypt would add half a minute to `make run`, so they are hashed cheaply while seeding."""
    config = current_app.config
    saved = config.get("PASSWORD_HASH_METHOD")
    config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"  # noqa: S105 -- a hash method, not a password
    try:
        yield
    finally:
        if saved is None:
            config.pop("PASSWORD_HASH_METHOD")
        else:
            config["PASSWORD_HASH_METHOD"] = saved


def seed_demo_rounds(round_: Round, demo_enterprise: Enterprise, password: str) -> bool:
    """Past rounds and this year's dossiers, once (False when they are already there)."""
    programme = round_.programme
    if db.session.scalar(
        select(Round.id).where(Round.programme_id == programme.id, Round.year == PAST_ROUNDS[0].year)
    ):
        return False
    builder = DemoBuilder(programme, password)
    with _cheap_lookup_secret_hashes():
        for past in PAST_ROUNDS:
            _past_round(builder, past)
        _this_years_round(builder, round_, demo_enterprise)
    return True
