"""The certificate as a PDF: Vietnamese typography (an embedded Source Sans Pro), and a QR code that
carries the public verification address."""

from __future__ import annotations

import io
import os

import segno
from fpdf import FPDF

from recognition.clock import format_day
from recognition.honours.certificates import verify_url
from recognition.honours.models import Certificate
from recognition.nomination.receipt import FONT_DIR


def qr_png(payload: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(payload, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def certificate_pdf(certificate: Certificate) -> bytes:
    """Always in Vietnamese: the certificate is an official document of the city."""
    round_ = certificate.round
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.add_font("SourceSans", "", os.path.join(FONT_DIR, "SourceSansPro-Regular.ttf"))
    pdf.add_font("SourceSans", "B", os.path.join(FONT_DIR, "SourceSansPro-Bold.ttf"))
    pdf.set_title(f"Giấy chứng nhận {certificate.serial}")
    pdf.add_page()
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_y(22)
    pdf.set_font("SourceSans", "B", 14)
    pdf.cell(0, 8, "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("SourceSans", "", 12)
    pdf.cell(
        0,
        7,
        "Cộng hòa xã hội chủ nghĩa Việt Nam — Độc lập, Tự do, Hạnh phúc",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(8)
    pdf.set_font("SourceSans", "B", 26)
    pdf.cell(0, 12, "GIẤY CHỨNG NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("SourceSans", "B", 16)
    title = f"Sản phẩm công nghiệp chủ lực thành phố Hà Nội năm {round_.year}"
    if certificate.top_n:
        title = f"Sản phẩm công nghiệp chủ lực tiêu biểu thành phố Hà Nội năm {round_.year}"
    pdf.cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("SourceSans", "", 12)
    pdf.cell(0, 7, round_.programme.name_vi, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    rows = (
        ("Doanh nghiệp", certificate.enterprise_name),
        ("Mã số thuế", certificate.tax_code),
        ("Sản phẩm", certificate.product_name),
        (
            "Quyết định công nhận",
            f"{certificate.decision_number} ngày {format_day(certificate.decision_date)}",
        ),
        ("Số giấy chứng nhận", certificate.serial),
        ("Hiệu lực", f"từ {format_day(certificate.issued_on)} đến {format_day(certificate.valid_until)}"),
    )
    for label, value in rows:
        pdf.set_x(40)
        pdf.set_font("SourceSans", "B", 13)
        pdf.cell(60, 9, label)
        pdf.set_font("SourceSans", "", 13)
        pdf.multi_cell(150, 9, value, new_x="LMARGIN", new_y="NEXT")
    url = verify_url(certificate.serial)
    pdf.image(io.BytesIO(qr_png(url)), x=235, y=140, w=40, h=40)
    pdf.set_xy(200, 181)
    pdf.set_font("SourceSans", "", 8)
    pdf.cell(80, 5, url, align="R")
    if certificate.decision_signer:
        pdf.set_xy(40, 165)
        pdf.set_font("SourceSans", "B", 12)
        pdf.cell(120, 7, certificate.decision_signer)
    return bytes(pdf.output())
