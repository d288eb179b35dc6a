"""The default 100-point rubric (DESIGN.md): the official weights were not published, so these are
editable defaults copied into each new round."""

from __future__ import annotations

from decimal import Decimal

from recognition.extensions import db
from recognition.review.models import Criterion, CriterionGroup
from recognition.rounds.models import Round

# (group code, vi, en, [(criterion code, vi, en, max points, guidance vi, guidance en)])
DEFAULT_RUBRIC = (
    ("A", "Giá trị kinh tế và quy mô", "Economic value and scale", [
        ("A1", "Tăng trưởng", "Growth", 10, "Tốc độ tăng doanh thu, giá trị sản xuất hai năm gần nhất.",
         "Growth of revenue and production value over the last two years."),
        ("A2", "Quy mô sản xuất", "Scale of output", 10, "Giá trị sản xuất so với doanh nghiệp cùng ngành.",
         "Production value compared with enterprises of the same sector."),
        ("A3", "Năng suất lao động", "Labour productivity", 10, "Giá trị sản xuất bình quân một lao động.",
         "Production value per employee."),
    ]),
    ("B", "Năng lực cạnh tranh và thị trường", "Competitiveness and market", [
        ("B1", "Khả năng xuất khẩu", "Export capability", 10, "Kim ngạch và thị trường xuất khẩu.",
         "Export value and export markets."),
        ("B2", "Thị phần", "Market share", 8, "Thị phần trong nước của sản phẩm.",
         "The product's share of the domestic market."),
        ("B3", "Thương hiệu", "Brand", 7, "Nhãn hiệu đã đăng ký, giải thưởng, mức độ nhận biết.",
         "Registered trademarks, awards, brand recognition."),
    ]),
    ("C", "Công nghệ, chất lượng và môi trường", "Technology, quality and environment", [
        ("C1", "Trình độ công nghệ", "Technology level", 10, "Mức độ tự động hóa, công nghệ cao.",
         "Degree of automation, high technology."),
        ("C2", "Hệ thống quản lý chất lượng", "Quality systems maintained", 10,
         "ISO 9001, IATF 16949… còn hiệu lực.",
         "ISO 9001, IATF 16949… still valid."),
        ("C3", "Sản xuất sạch hơn", "Clean production", 10, "Tuân thủ môi trường, tiết kiệm năng lượng.",
         "Environmental compliance, energy saving."),
    ]),
    ("D", "Đóng góp xã hội và liên kết", "Social contribution and linkage", [
        ("D1", "Việc làm và thu nhập", "Jobs and wages", 5, "Số lao động và thu nhập bình quân.",
         "Number of employees and average income."),
        ("D2", "Nhà cung cấp địa phương", "Local suppliers", 5,
         "Tỷ lệ nguyên liệu, linh kiện mua trong nước.",
         "Share of materials and components bought in Vietnam."),
        ("D3", "Đóng góp ngân sách", "Budget contribution", 5, "Số nộp ngân sách nhà nước.",
         "Amount paid to the state budget."),
    ]),
)  # fmt: skip


def apply_default_rubric(round_: Round) -> list[CriterionGroup]:
    """Give a round without criteria the default rubric; the caller commits."""
    groups = []
    for position, (code, name_vi, name_en, criteria) in enumerate(DEFAULT_RUBRIC):
        group = CriterionGroup(
            round_id=round_.id, code=code, name_vi=name_vi, name_en=name_en, position=position
        )
        for index, (c_code, c_vi, c_en, points, guidance_vi, guidance_en) in enumerate(criteria):
            group.criteria.append(
                Criterion(
                    round_id=round_.id,
                    code=c_code,
                    name_vi=c_vi,
                    name_en=c_en,
                    max_points=Decimal(points),
                    guidance_vi=guidance_vi,
                    guidance_en=guidance_en,
                    position=index,
                )
            )
        db.session.add(group)
        groups.append(group)
    db.session.flush()
    return groups
