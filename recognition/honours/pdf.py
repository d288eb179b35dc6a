"""The certificate as a PDF, in the city's administrative layout (Decree 30/2020/NĐ-CP), with a QR
code that carries the public verification address.

Its wording comes from the round's programme (its name and the outcome it grants), so a
supporting-industries certificate never calls the product a key industrial product."""

from __future__ import annotations

import io

import segno

from recognition.clock import vi_day
from recognition.documents.model import CITY, Heading, Signature, place_date
from recognition.documents.pdf import FONT, draw_heading, key_value_rows, new_pdf, signature_at
from recognition.honours.certificates import verify_url
from recognition.honours.models import Certificate


def qr_png(payload: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def certificate_pdf(certificate: Certificate) -> bytes:
    """Always in Vietnamese: the certificate is an official document of the city."""
    round_ = certificate.round
    programme = round_.programme
    pdf = new_pdf(f"Giấy chứng nhận {certificate.serial}", landscape=True)
    pdf.set_margins(25, 18, 25)
    pdf.set_auto_page_break(False)  # one page, laid out to the millimetre
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_xy(25, 18)
    draw_heading(pdf, Heading(CITY, f"Số: {certificate.serial}", place_date(certificate.issued_on)))
    pdf.set_font(FONT, "B", 26)
    pdf.cell(0, 12, "GIẤY CHỨNG NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, f"{programme.name_vi} năm {round_.year}", align="C", new_x="LMARGIN", new_y="NEXT")
    if certificate.top_n:
        pdf.set_font(FONT, "B", 14)
        pdf.cell(0, 8, f"Sản phẩm tiêu biểu (Top {round_.top_n})", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_left_margin(45)
    key_value_rows(
        pdf,
        [
            ("Doanh nghiệp", certificate.enterprise_name),
            ("Mã số thuế", certificate.tax_code),
            ("Sản phẩm", certificate.product_name),
            ("Kết quả", f"{programme.outcome_vi} năm {round_.year}"),
            ("Quyết định", f"{certificate.decision_number} ngày {vi_day(certificate.decision_date)}"),
            ("Số giấy chứng nhận", certificate.serial),
            ("Hiệu lực", f"từ {vi_day(certificate.issued_on)} đến {vi_day(certificate.valid_until)}"),
        ],
        size=13,
    )
    url = verify_url(certificate.serial)
    pdf.image(io.BytesIO(qr_png(url)), x=25, y=142, w=40, h=40)
    pdf.set_xy(15, 186)
    pdf.set_font(FONT, "", 8)
    pdf.cell(100, 5, url)
    signature_at(pdf, 160, 115, Signature(("TM. ỦY BAN NHÂN DÂN",), certificate.decision_signer), 145)
    return bytes(pdf.output())
