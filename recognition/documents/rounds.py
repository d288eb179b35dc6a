"""The round's documents: the council's minutes (biên bản họp Hội đồng xét chọn), the results notice
published for comment (thông báo kết quả xét chọn) and the submission to the City People's Committee
(tờ trình) with the draft decision (dự thảo quyết định) and its annex list of products.

Names and figures come from each dossier's submitted record, never from the enterprise's profile
as it is today; the notice and the submission list what was published for comment, as it was
frozen on the round (honours.results.published_results)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from recognition.accounts.models import User
from recognition.cases.models import PUBLISHED_STATES, Application, State
from recognition.cases.queries import override_reasons_of
from recognition.clock import to_local, vi_day
from recognition.documents.model import (
    CITY,
    COUNCIL,
    DEPARTMENT,
    Heading,
    OfficialDocument,
    Paragraph,
    Part,
    Signature,
    Table,
    lower_first,
    place_date,
)
from recognition.extensions import db
from recognition.honours.models import ObjectionStatus
from recognition.honours.results import PublishedResult, published_results
from recognition.honours.services import objections_of
from recognition.review.models import Criterion, ReviewAssignment
from recognition.review.scoring import DossierResult, board, criteria_of, groups_of
from recognition.review.services import council_of
from recognition.rounds.eligibility import format_vnd
from recognition.rounds.models import Round
from recognition.urls import public_url


def points(value: Decimal | None) -> str:
    """85,5: points as Vietnamese documents write them."""
    return "" if value is None else format_decimal(value, format="#,##0.##", locale="vi")


def submitted_figures(application: Application) -> dict | None:
    """The latest year's figures as the dossier was submitted."""
    figures = (application.snapshot or {}).get("figures") or []
    return max(figures, key=lambda f: f["year"]) if figures else None


def _figure(application: Application, key: str) -> str:
    figures = submitted_figures(application)
    return f"{format_vnd(figures[key])} ({figures['year']})" if figures else ""


def _enterprise_and_tax_code(application: Application) -> str:
    enterprise = application.enterprise_record
    return f"{enterprise.name} (MST {enterprise.tax_code})"


def declared_conflicts(round_id: int) -> list[ReviewAssignment]:
    """Members who declared a conflict of interest on a dossier of the round (and so did not score it)."""
    return list(
        db.session.scalars(
            select(ReviewAssignment)
            .join(Application, Application.id == ReviewAssignment.application_id)
            .where(Application.round_id == round_id, ReviewAssignment.has_conflict.is_(True))
            .options(selectinload(ReviewAssignment.reviewer))
            .order_by(ReviewAssignment.application_id, ReviewAssignment.id)
        )
    )


def recommendation(round_: Round, result: DossierResult) -> str:
    state = result.application.state
    if state in PUBLISHED_STATES:
        return f"Đề nghị {lower_first(round_.programme.outcome_vi)}"
    if state == State.not_recommended:
        return "Không đề nghị"
    return "Chưa kết luận"


def _members(round_: Round, results: list[DossierResult]) -> list[tuple[str, User, str]]:
    """(code TV1…, user, title in the council): the council first, then any other assigned reviewer."""
    people: dict[int, tuple[User, str]] = {m.user_id: (m.user, m.title) for m in council_of(round_)}
    for result in results:
        for assignment in result.assignments:
            people.setdefault(assignment.reviewer_id, (assignment.reviewer, ""))
    return [(f"TV{i}", user, title) for i, (user, title) in enumerate(people.values(), start=1)]


def _chair(members: list[tuple[str, User, str]]) -> str:
    return next((user.full_name for _c, user, title in members if title.lower().startswith("chủ tịch")), "")


def _score_sheet(
    result: DossierResult, criteria: list[Criterion], codes: dict[int, str], max_total: Decimal
) -> Table:
    """Criteria down, the members who scored across, the mean last; a blank where a member was not
    assigned the criterion."""
    assignments = result.assignments
    scores = {a.id: {s.criterion_id: s.points for s in a.scores} for a in assignments}
    rows = []
    for criterion in criteria:
        row = [f"{criterion.code}. {criterion.name_vi}", points(criterion.max_points)]
        for assignment in assignments:
            row.append(points(scores[assignment.id].get(criterion.id)) if assignment.submitted_at else "")
        row.append(points(result.criterion_means.get(criterion.id)))
        rows.append(tuple(row))
    totals = [points(a.total_score) if a.submitted_at else "chưa nộp" for a in assignments]
    rows.append(("Tổng điểm", points(max_total), *totals, points(result.total)))
    header = ("Tiêu chí", "Tối đa", *(codes[a.reviewer_id] for a in assignments), "Trung bình")
    return Table(
        header,
        rows,
        (5, 1.2, *([1.2] * len(assignments)), 1.6),
        ("L", "R", *(["R"] * len(assignments)), "R"),
    )


def council_minutes(round_: Round, secretary: User, today: date) -> OfficialDocument | None:
    """The minutes of the council's meeting; None while no dossier of the round has been reviewed."""
    results = board(round_)
    if not results:
        return None
    criteria, groups = criteria_of(round_.id), groups_of(round_.id)
    members = _members(round_, results)
    codes = {user.id: code for code, user, _t in members}
    overrides = override_reasons_of(round_.id)
    max_total = sum((c.max_points for c in criteria), Decimal(0)) or Decimal(100)
    concluded = [r.application.concluded_at for r in results if r.application.concluded_at]
    meeting_day = to_local(max(concluded)).date() if concluded else today

    blocks: list = [
        Paragraph(f"Xét chọn: {round_.title}. Ngưỡng đạt: {round_.pass_threshold} điểm."),
        Paragraph("I. THÀNH PHẦN HỘI ĐỒNG", "B", "L"),
        Table(
            ("STT", "Ký hiệu", "Họ và tên", "Chức danh trong Hội đồng"),
            [(str(i), code, user.full_name, title) for i, (code, user, title) in enumerate(members, 1)],
            (0.8, 1, 3, 3),
        ),
    ]
    for conflict in declared_conflicts(round_.id):
        application = db.session.get_one(Application, conflict.application_id)
        blocks.append(
            Paragraph(
                f"Thành viên {conflict.reviewer.full_name} tự nhận có xung đột lợi ích với hồ sơ "
                f"{application.receipt_code} và không chấm hồ sơ này"
                + (f" (lý do: {conflict.conflict_reason})." if conflict.conflict_reason else ".")
            )
        )
    blocks += [
        Paragraph("II. HỒ SƠ ĐƯỢC XEM XÉT", "B", "L"),
        Table(
            ("STT", "Mã hồ sơ", "Doanh nghiệp", "Sản phẩm", "Doanh thu (đồng)", "Xuất khẩu (USD)"),
            [
                (
                    str(i),
                    r.application.receipt_code or "",  # submitted, so it has one
                    _enterprise_and_tax_code(r.application),
                    r.application.product_record.name,
                    _figure(r.application, "revenue_vnd"),
                    _figure(r.application, "export_value_usd"),
                )
                for i, r in enumerate(results, 1)
            ],
            (0.8, 2.6, 3, 2.5, 2.2, 1.8),
            ("C", "L", "L", "L", "R", "R"),
        ),
        Paragraph("III. PHIẾU CHẤM ĐIỂM CỦA CÁC THÀNH VIÊN", "B", "L"),
    ]
    for i, result in enumerate(results, 1):
        application = result.application
        blocks.append(
            Paragraph(
                f"{i}. {application.product_record.name} — {application.enterprise_record.name} "
                f"(mã hồ sơ {application.receipt_code})",
                "B",
                "L",
            )
        )
        blocks.append(_score_sheet(result, criteria, codes, max_total))
        means = "; ".join(f"{g.code} {points(result.group_totals.get(g.id))}" for g in groups)
        summary = f"Điểm trung bình: {points(result.total)}/{points(max_total)}"
        if means:
            summary += f" (theo nhóm: {means})"
        if result.spread is not None:
            summary += f"; chênh lệch giữa các thành viên: {points(result.spread)}"
        blocks.append(Paragraph(summary + "."))
        conclusion = f"Kết luận: {recommendation(round_, result)}."
        if application.id in overrides:
            conclusion += f" Hội đồng kết luận khác kết quả theo điểm, lý do: {overrides[application.id]}."
        blocks.append(Paragraph(conclusion, "B"))
    blocks += [
        Paragraph("IV. KẾT LUẬN CỦA HỘI ĐỒNG", "B", "L"),
        Table(
            ("Xếp hạng", "Sản phẩm", "Doanh nghiệp", "Điểm trung bình", "Kết luận", "Tiêu biểu"),
            [
                (
                    str(r.rank or ""),
                    r.application.product_record.name,
                    r.application.enterprise_record.name,
                    points(r.total),
                    recommendation(round_, r),
                    "x" if r.top else "",
                )
                for r in results
            ],
            (1, 2.5, 3, 1.4, 3, 1),
            ("C", "L", "L", "R", "L", "C"),
        ),
        Paragraph("Biên bản được lập thành hai bản, có giá trị như nhau, lưu tại Sở Công Thương./."),
    ]
    part = Part(
        title="BIÊN BẢN HỌP HỘI ĐỒNG XÉT CHỌN",
        summary=(round_.title,),
        heading=Heading(COUNCIL, "Số:      /BB-HĐXC", place_date(meeting_day)),
        blocks=blocks,
        signatures=(
            Signature(("THƯ KÝ HỘI ĐỒNG",), secretary.full_name),
            Signature(("CHỦ TỊCH HỘI ĐỒNG",), _chair(members)),
        ),
    )
    return OfficialDocument(
        f"bien-ban-hoi-dong-{round_.year}", f"Biên bản họp Hội đồng — {round_.title}", [part]
    )


def _dossier(result: PublishedResult) -> Application:
    """The dossier of a published line (published_results() attaches it: dossiers are never deleted)."""
    assert result.application is not None
    return result.application


def _count_phrase(results: list[PublishedResult]) -> str:
    enterprises = {_dossier(r).enterprise_record.tax_code for r in results}
    return f"{len(results)} sản phẩm của {len(enterprises)} doanh nghiệp"


def results_notice(round_: Round) -> OfficialDocument | None:
    """The list published for comment; None before publication or when nothing is recommended."""
    results = published_results(round_)
    if not results:
        return None
    assert round_.results_published_at is not None and round_.comment_deadline is not None  # published
    programme = round_.programme
    url = public_url("registry.results", round_id=round_.id)
    blocks: list = [Paragraph(f"Căn cứ {line};") for line in round_.legal_basis_lines]
    blocks += [
        Paragraph(f"Căn cứ kết quả họp Hội đồng {lower_first(round_.title)};"),
        Paragraph(
            f"Sở Công Thương thông báo danh sách {_count_phrase(results)} được Hội đồng xét chọn đề nghị "
            f"{lower_first(programme.outcome_vi)} năm {round_.year} để lấy ý kiến của các tổ chức, cá nhân:"
        ),
        Table(
            ("STT", "Sản phẩm", "Doanh nghiệp", "Địa chỉ", "Điểm trung bình", "Tiêu biểu"),
            [
                (
                    str(r.rank),
                    r.product_name,
                    r.enterprise_name,
                    _dossier(r).enterprise_record.address,
                    points(r.total),
                    "x" if r.top else "",
                )
                for r in results
            ],
            (0.8, 2.6, 3, 3, 1.4, 1),
            ("C", "L", "L", "L", "R", "C"),
        ),
        Paragraph(
            f"Ý kiến góp ý, phản ánh về danh sách trên gửi về Sở Công Thương tại {url} "
            f"đến hết ngày {vi_day(round_.comment_deadline)}./."
        ),
    ]
    published_on = to_local(round_.results_published_at).date()
    part = Part(
        title="THÔNG BÁO",
        summary=(f"Kết quả {lower_first(round_.title)} để lấy ý kiến",),
        heading=Heading(DEPARTMENT, "Số:      /TB-SCT", place_date(published_on)),
        blocks=blocks,
        signatures=(Signature(("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")),),
        recipients=(
            "UBND Thành phố (để báo cáo);",
            "Các doanh nghiệp có tên trong danh sách;",
            "Cổng thông tin điện tử Sở Công Thương;",
            "Lưu: VT, QLCN.",
        ),
    )
    return OfficialDocument(f"thong-bao-ket-qua-{round_.year}", f"Thông báo kết quả — {round_.title}", [part])


def _submitted_count(round_: Round) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Application)
        .where(Application.round_id == round_.id, Application.submitted_at.is_not(None))
    ).scalar_one()


def _closed_early_clause(round_: Round) -> str:
    """The submission's words for a comment period the secretariat closed early (else nothing)."""
    closed_on = round_.comment_closed_on
    if closed_on is None:
        return ""
    return f", kết thúc sớm ngày {vi_day(closed_on)} (lý do: {round_.comment_closed_reason})"


def submission(round_: Round, today: date) -> OfficialDocument | None:
    """The Department's submission, the draft decision and its annex; None before publication or
    when nothing is recommended."""
    results = published_results(round_)
    if not results:
        return None
    assert round_.results_published_at is not None and round_.comment_deadline is not None  # published
    programme = round_.programme
    about = f"Về việc phê duyệt kết quả {lower_first(round_.title)}"
    objections = [o for o in objections_of(round_) if o.is_objection]
    resolved = sum(1 for o in objections if o.status == ObjectionStatus.resolved)
    top = sum(1 for r in results if r.top)
    bases = [Paragraph(f"Căn cứ {line};") for line in round_.legal_basis_lines]
    request = Part(
        title="TỜ TRÌNH",
        summary=(about,),
        heading=Heading(DEPARTMENT, "Số:      /TTr-SCT", place_date(today)),
        blocks=[
            Paragraph("Kính gửi: Ủy ban nhân dân thành phố Hà Nội.", "", "C"),
            *bases,
            Paragraph(
                f"Sở Công Thương đã tiếp nhận {_submitted_count(round_)} hồ sơ đăng ký; Hội đồng xét chọn "
                f"đã họp, chấm điểm và đề nghị {_count_phrase(results)}. Kết quả được công bố lấy ý kiến "
                f"từ ngày {vi_day(to_local(round_.results_published_at).date())} đến hết ngày "
                f"{vi_day(round_.comment_deadline)}{_closed_early_clause(round_)}; đã nhận "
                f"{len(objections)} ý kiến phản ánh, đã giải quyết {resolved}."
            ),
            Paragraph(
                "Sở Công Thương kính trình Ủy ban nhân dân Thành phố xem xét, ban hành Quyết định phê "
                "duyệt kết quả (dự thảo Quyết định và Phụ lục danh sách sản phẩm kèm theo)./."
            ),
        ],
        signatures=(Signature(("GIÁM ĐỐC",)),),
        recipients=("Như trên;", "Lưu: VT, QLCN."),
    )
    article_1 = (
        f"Điều 1. Phê duyệt danh sách {_count_phrase(results)} {lower_first(programme.outcome_vi)} "
        f"năm {round_.year} (Phụ lục kèm theo)"
    )
    decision = Part(
        title="QUYẾT ĐỊNH",
        summary=(about,),
        heading=Heading(CITY, "Số:      /QĐ-UBND", place_date(None, today.year)),
        mark="DỰ THẢO",
        blocks=[
            Paragraph("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", "B", "C"),
            *bases,
            Paragraph(
                "Theo đề nghị của Giám đốc Sở Công Thương tại Tờ trình số      /TTr-SCT ngày      "
                f"tháng      năm {today.year}."
            ),
            Paragraph("QUYẾT ĐỊNH:", "B", "C"),
            Paragraph(article_1 + (f", trong đó {top} sản phẩm tiêu biểu." if top else ".")),
            Paragraph(
                "Điều 2. Sở Công Thương cấp Giấy chứng nhận cho các sản phẩm tại Điều 1; Giấy chứng nhận "
                f"có giá trị {round_.certificate_validity_months} tháng kể từ ngày cấp."
            ),
            Paragraph(
                "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân Thành "
                "phố, Giám đốc Sở Công Thương, Thủ trưởng các cơ quan, đơn vị và các doanh nghiệp có tên "
                "tại Điều 1 chịu trách nhiệm thi hành Quyết định này./."
            ),
        ],
        signatures=(Signature(("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")),),
        recipients=("Như Điều 3;", "Lưu: VT."),
    )
    annex = Part(
        title="PHỤ LỤC",
        summary=("DANH SÁCH SẢN PHẨM", f"{programme.name_vi} năm {round_.year}"),
        blocks=[
            Paragraph(
                f"(Kèm theo Quyết định số      /QĐ-UBND ngày      tháng      năm {today.year} "
                "của Ủy ban nhân dân thành phố Hà Nội)",
                "I",
                "C",
            ),
            Table(
                ("STT", "Sản phẩm", "Doanh nghiệp", "Mã số thuế", "Địa chỉ", "Doanh thu (đồng)", "Tiêu biểu"),
                [
                    (
                        str(r.rank),
                        r.product_name,
                        r.enterprise_name,
                        _dossier(r).enterprise_record.tax_code,
                        _dossier(r).enterprise_record.address,
                        _figure(_dossier(r), "revenue_vnd"),
                        "x" if r.top else "",
                    )
                    for r in results
                ],
                (0.8, 2.4, 2.6, 1.7, 2.6, 2.2, 1),
                ("C", "L", "L", "L", "L", "R", "C"),
            ),
        ],
    )
    return OfficialDocument(
        f"to-trinh-{round_.year}",
        f"Tờ trình và dự thảo Quyết định — {round_.title}",
        [request, decision, annex],
    )
