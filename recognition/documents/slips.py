"""The one-stop slips of Circular 01/2018/TT-VPCP a vetting body hands the enterprise: the request to
supplement and complete the dossier (Mẫu 02) and the refusal with its reasons (Mẫu 03).

The issuer is the body that vets: the commune People's Committee of the enterprise's unit, or the
Department when the round says it vets itself."""

from __future__ import annotations

from sqlalchemy import select

from recognition.accounts.models import User
from recognition.cases.models import Application, SupplementRequest, VettingOutcome, VettingReport
from recognition.clock import to_local, vi_day
from recognition.documents.model import (
    DEPARTMENT,
    Block,
    Heading,
    Issuer,
    OfficialDocument,
    Paragraph,
    Part,
    Signature,
    commune_committee,
    place_date,
)
from recognition.extensions import db
from recognition.rounds.models import VettingBody


def vetting_issuer(application: Application) -> tuple[Issuer, str]:
    """The heading's issuer and the body's name as a sentence says it."""
    if application.vetting_body == VettingBody.secretariat:
        return DEPARTMENT, "Sở Công Thương Hà Nội"
    assert application.vetting_unit is not None  # a unit vets: the dossier names it
    unit = application.vetting_unit.name
    return commune_committee(unit), f"Ủy ban nhân dân {unit}"


def _dossier_lines(application: Application) -> list[Block]:
    enterprise = application.enterprise_record
    return [
        Paragraph(f"Hồ sơ của: {enterprise.name}", align="L"),
        Paragraph(f"Mã số thuế: {enterprise.tax_code}", align="L"),
        Paragraph(f"Địa chỉ: {enterprise.address}", align="L"),
        Paragraph(f"Mã hồ sơ: {application.receipt_code}", align="L"),
        Paragraph(
            f"Nội dung yêu cầu giải quyết: đề nghị xét chọn sản phẩm “{application.product_record.name}” — "
            f"{application.round.title}."
        ),
    ]


def supplement_request_of(application: Application, number: int | None) -> SupplementRequest | None:
    """The request with that number, or the latest one."""
    requests = application.supplement_requests
    if number is None:
        return requests[-1] if requests else None
    return next((r for r in requests if r.number == number), None)


def supplement_request_slip(application: Application, number: int | None = None) -> OfficialDocument | None:
    """Mẫu 02: what is missing and by when; None when the dossier has no such request."""
    request = supplement_request_of(application, number)
    if request is None:
        return None
    issuer, body = vetting_issuer(application)
    requester = db.session.get(User, request.requested_by_id) if request.requested_by_id else None
    blocks = _dossier_lines(application)
    blocks.append(Paragraph("Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:", "B"))
    blocks += [Paragraph(f"{i}. {item}") for i, item in enumerate(request.items, 1)]
    blocks += [
        Paragraph(
            f"Thời hạn bổ sung: đến hết ngày {vi_day(request.deadline)} (yêu cầu lần {request.number}, "
            f"ngày {vi_day(to_local(request.requested_at).date())}). Thời gian thẩm định tạm dừng trong "
            "khi doanh nghiệp bổ sung hồ sơ."
        ),
        Paragraph(
            f"Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, doanh nghiệp liên hệ {body} để được "
            "hướng dẫn./."
        ),
    ]
    part = Part(
        title="PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        heading=Heading(
            issuer,
            f"Số: {application.receipt_code}/BS{request.number}",
            place_date(to_local(request.requested_at).date()),
        ),
        blocks=blocks,
        signatures=(Signature(("NGƯỜI HƯỚNG DẪN",), requester.full_name if requester else ""),),
    )
    return OfficialDocument(
        f"phieu-yeu-cau-bo-sung-{application.receipt_code}-{request.number}",
        f"Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ {application.receipt_code}",
        [part],
    )


def refusal_of(application: Application) -> VettingReport | None:
    """The vetting report of a dossier rejected at vetting (None for any other dossier)."""
    return db.session.scalar(
        select(VettingReport).where(
            VettingReport.application_id == application.id, VettingReport.outcome == VettingOutcome.rejected
        )
    )


def refusal_slip(application: Application) -> OfficialDocument | None:
    """Mẫu 03: the refusal and its reasons, as the vetting body recorded them; None when not refused."""
    report = refusal_of(application)
    if report is None:
        return None
    issuer, body = vetting_issuer(application)
    blocks: list[Block] = [
        Paragraph(f"{body} đã tiếp nhận và thẩm định hồ sơ:", align="L"),
        *_dossier_lines(application),
    ]
    blocks.append(
        Paragraph(f"Qua xem xét, {body} thông báo không giải quyết hồ sơ này với lý do cụ thể như sau:", "B")
    )
    blocks += [Paragraph(line.strip()) for line in (report.reason or "").splitlines() if line.strip()]
    blocks.append(Paragraph("Xin thông báo để doanh nghiệp được biết và thực hiện./."))
    part = Part(
        title="PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ",
        heading=Heading(
            issuer, f"Số: {application.receipt_code}/TC", place_date(to_local(report.recorded_at).date())
        ),
        blocks=blocks,
        signatures=(
            Signature(("NGƯỜI THẨM ĐỊNH HỒ SƠ",), report.officer.full_name if report.officer else ""),
        ),
    )
    return OfficialDocument(
        f"phieu-tu-choi-{application.receipt_code}",
        f"Phiếu từ chối tiếp nhận, giải quyết hồ sơ {application.receipt_code}",
        [part],
    )
