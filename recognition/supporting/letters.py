"""The confirmation letter (giấy xác nhận) of a selection for support: what a round whose outcome
is selection hands the enterprise instead of a certificate, issued by the Department."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from recognition.cases.models import Application
from recognition.clock import vi_day
from recognition.documents.model import (
    DEPARTMENT,
    Block,
    Heading,
    OfficialDocument,
    Paragraph,
    Part,
    Signature,
    place_date,
)
from recognition.documents.responses import download
from recognition.reports.support_models import SupportKind
from recognition.supporting.models import Selection
from recognition.supporting.selections import selection_of


def selection_letter(selection: Selection) -> OfficialDocument:
    """Always in Vietnamese: the letter is an official document of the Department. It reads the
    names as submitted and the support areas as sought, kept on the selection."""
    round_ = selection.round
    programme = f"{round_.programme.name_vi} năm {round_.year}"
    with force_locale("vi"):
        areas = [str(SupportKind(area).label) for area in selection.support_areas]
    blocks: list[Block] = [
        Paragraph("Sở Công Thương Hà Nội xác nhận:"),
        Paragraph(f"Doanh nghiệp: {selection.enterprise_name}", "B", "L"),
        Paragraph(f"Mã số thuế: {selection.tax_code}", align="L"),
        Paragraph(f"Sản phẩm: {selection.product_name}", align="L"),
        Paragraph(
            f"được lựa chọn tham gia và nhận hỗ trợ của {programme} theo Quyết định số "
            f"{selection.decision_number} ngày {vi_day(selection.decision_date)}."
        ),
        Paragraph("Nội dung hỗ trợ:", "B", "L"),
        *(Paragraph(f"- {area}", align="L") for area in areas),
        Paragraph(f"Số giấy xác nhận: {selection.serial}", align="L"),
        Paragraph(
            "Giấy xác nhận này là căn cứ để doanh nghiệp đăng ký tham gia các hoạt động hỗ trợ của "
            "chương trình./."
        ),
    ]
    part = Part(
        title="GIẤY XÁC NHẬN",
        summary=(f"Doanh nghiệp được lựa chọn tham gia {programme}",),
        heading=Heading(DEPARTMENT, f"Số: {selection.serial}", place_date(selection.issued_on)),
        blocks=blocks,
        signatures=(Signature(("GIÁM ĐỐC",), selection.decision_signer),),
        recipients=(f"{selection.enterprise_name};", "Lưu: VT."),
    )
    return OfficialDocument(name=selection.serial, title=f"Giấy xác nhận {selection.serial}", parts=[part])


def selection_letter_of(application: Application) -> OfficialDocument | None:
    """The dossier's confirmation letter; None until a decision selected it."""
    selection = selection_of(application)
    return selection_letter(selection) if selection is not None else None


def selection_letter_response(application: Application, back_url: str) -> BaseResponse:
    """The letter as a PDF, for the enterprise's and the Department's dossier pages alike; before
    the decision, back to the page that links it, saying why."""
    return download(
        selection_letter_of(application),
        "pdf",
        back_url,
        _("This dossier has not been selected for support (yet)."),
    )
