"""A demo register of supporting-industry firms, loaded through the Department's own import (so the
demo exercises it): a dozen firms across sectors and units, certifications valid, expired and due
for renewal within 90 days, most agreeing to be listed in the supplier directory."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from recognition.accounts.models import User
from recognition.extensions import db
from recognition.supporting.imports import apply_import, load_sheet, plan_import, receive_upload
from recognition.supporting.models import SupplierProfile

HEADERS = (
    "Mã số thuế", "Tên doanh nghiệp", "Địa chỉ", "Đơn vị hành chính", "Lĩnh vực CNHT", "Sản phẩm",
    "Chứng nhận", "Cung ứng cho FDI", "Cấp", "Đồng ý công khai",
)  # fmt: skip
# tax code, name, address, unit, sector, products, certifications (days to expiry; None: no expiry),
# supplies multinationals, tier, listed.
DEMO_FIRMS: tuple[tuple, ...] = (
    ("0100100079", "Công ty Cổ phần Cơ khí Đông Anh (demo)", "Số 1 đường Cao Lỗ, xã Đông Anh, Hà Nội",
     "X-DONGANH", "LKKL", "Bánh răng côn; Trục truyền động",
     (("ISO 9001", "QMS-2231", "QUACERT", 400),), "có", "2", "có"),
    ("0109501004", "Công ty TNHH Linh kiện Nhựa Thăng Long (demo)", "Lô 12 KCN Thăng Long, xã Thiên Lộc",
     "X-THIENLOC", "LKNCS", "Linh kiện nhựa ép phun; Vỏ nhựa thiết bị điện tử",
     (("IATF 16949", "IATF-0412345", "TÜV Rheinland", 60), ("ISO 14001", "EMS-7781", "Bureau Veritas", 500)),
     "có", "1", "có"),
    ("0109501075", "Công ty Cổ phần Khuôn mẫu Chính xác Hà Nội (demo)", "Số 8 đường 70, xã Thanh Trì",
     "X-THANHTRI", "LKKL", "Khuôn dập kim loại; Chi tiết gia công CNC",
     (("ISO 9001", "Q-5521", "SGS", 700), ("AS9100", "AS-0091", "DNV", 30)), "có", "2", "có"),
    ("0109501149", "Công ty TNHH Điện tử Phú Xuyên (demo)", "Cụm công nghiệp Phú Xuyên",
     "X-PHUXUYEN", "LKDDT", "Bo mạch in lắp ráp; Bộ dây điện ô tô",
     (("ISO 9001", "Q-8810", "QUACERT", 200), ("IATF 16949", "IATF-0477120", "SGS", -20)), "có", "2", "có"),
    ("0109501212", "Công ty Cổ phần Cao su Kỹ thuật Thường Tín (demo)", "KCN Hà Bình Phương, xã Thường Tín",
     "X-THUONGTIN", "LKNCS", "Gioăng cao su kỹ thuật; Đệm chống rung",
     (("ISO 9001", "Q-3014", "Vinacontrol", 75),), "có", "3", "có"),
    ("0109501283", "Công ty TNHH Phụ liệu May Hoàng Mai (demo)", "Số 22 Tam Trinh, phường Hoàng Mai",
     "P-HOANGMAI", "NPLDM", "Khóa kéo; Nhãn dệt; Chỉ may công nghiệp",
     (("ISO 14001", "EMS-2290", "Bureau Veritas", 300),), "có", "2", "có"),
    ("0109501357", "Công ty Cổ phần Thiết bị Y tế Quang Minh (demo)", "KCN Quang Minh, xã Quang Minh",
     "X-QUANGMINH", "CNCNC", "Linh kiện thiết bị y tế; Ống dẫn y tế",
     (("ISO 13485", "MD-1305", "TÜV SÜD", 45), ("ISO 9001", "Q-1306", "TÜV SÜD", 45)), "có", "1", "có"),
    ("0109501420", "Công ty TNHH Cơ khí Chính xác Tây Tựu (demo)", "Số 5 đường Tây Tựu, phường Tây Tựu",
     "P-TAYTUU", "LKKL", "Bulông, ốc vít cường độ cao; Lò xo kỹ thuật",
     (("ISO 9001", "Q-4420", "QUACERT", None),), "không", "", "có"),
    ("0109501491", "Công ty Cổ phần Dây cáp điện Thanh Oai (demo)", "Cụm công nghiệp Thanh Oai",
     "X-THANHOAI", "LKDDT", "Dây cáp điện; Đầu nối điện",
     (), "không", "", "không"),
    ("0109501565", "Công ty TNHH Bao bì Kỹ thuật Sóc Sơn (demo)", "KCN Nội Bài, xã Sóc Sơn",
     "X-SOCSON", "LKNCS", "Khay nhựa chống tĩnh điện; Bao bì định hình",
     (("ISO 9001", "Q-6650", "SGS", 520),), "có", "2", "có"),
    ("0109501639", "Công ty Cổ phần Công nghệ Bán dẫn Hòa Lạc (demo)", "Khu công nghệ cao Hòa Lạc",
     "X-HOALAC", "CNCNC", "Cảm biến; Mô-đun điều khiển điện tử",
     (("ISO 9001", "Q-7001", "DNV", 900), ("ISO 14001", "EMS-7002", "DNV", 900)), "có", "1", "có"),
    ("0109501702", "Công ty TNHH Da giày Phúc Thọ (demo)", "Cụm công nghiệp Phúc Thọ",
     "X-PHUCTHO", "NPLDM", "Đế giày; Da thuộc thành phẩm",
     (("ISO 9001", "Q-2702", "Vinacontrol", -100),), "không", "", "không"),
)  # fmt: skip


def _certifications(entries: tuple, today: date) -> str:
    """`standard | number | body | expiry`, the import's layout; expiries counted from today."""
    return "; ".join(
        f"{standard} | {number} | {body} | {_expiry(today, days)}" for standard, number, body, days in entries
    )


def _expiry(today: date, days: int | None) -> str:
    return "" if days is None else (today + timedelta(days=days)).isoformat()


def demo_register_csv(today: date) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for tax_code, name, address, unit, sector, products, certifications, supplies, tier, listed in DEMO_FIRMS:
        writer.writerow(
            (tax_code, name, address, unit, sector, products, _certifications(certifications, today),
             supplies, tier, listed)
        )  # fmt: skip
    return buffer.getvalue().encode("utf-8")


def seed_demo_register(today: date, actor: User) -> bool:
    """Import the demo firms once (an empty register only); True when loaded. The caller commits."""
    if db.session.scalar(select(SupplierProfile.id).limit(1)) is not None:
        return False
    storage = current_app.extensions["evidence_storage"]
    digest = receive_upload(io.BytesIO(demo_register_csv(today)), storage)
    report = plan_import(load_sheet(storage, digest), digest, today)
    apply_import(report, actor)
    return True
