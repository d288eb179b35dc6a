"""The supporting-industry sectors (Decree 111/2015/NĐ-CP's priority groups), as reference data."""

from __future__ import annotations

from sqlalchemy import select

from recognition.accounts.models import Sector
from recognition.extensions import db
from recognition.supporting.models import SupportingSector

# code, Vietnamese, English, the industrial sector an imported firm of this group is filed under.
SUPPORTING_SECTORS = (
    ("LKKL", "Linh kiện kim loại", "Metal components", "CK"),
    ("LKNCS", "Linh kiện nhựa, cao su", "Plastic and rubber components", "HCCN"),
    ("LKDDT", "Linh kiện điện, điện tử", "Electrical and electronic components", "DDT"),
    ("NPLDM", "Nguyên phụ liệu dệt may, da giày", "Textile, garment and leather inputs", "DMDG"),
    ("CNCNC", "Công nghiệp hỗ trợ cho công nghiệp công nghệ cao", "Components for high-tech industry", "DDT"),
)


def load_supporting_sectors() -> int:
    """Insert the supporting-industry sectors that are missing (after the sectors); returns how many."""
    existing = set(db.session.scalars(select(SupportingSector.code)))
    sector_ids = {code: sector_id for code, sector_id in db.session.execute(select(Sector.code, Sector.id))}
    added = 0
    for code, name_vi, name_en, sector_code in SUPPORTING_SECTORS:
        if code not in existing:
            db.session.add(
                SupportingSector(
                    code=code, name_vi=name_vi, name_en=name_en, sector_id=sector_ids[sector_code]
                )
            )
            added += 1
    db.session.flush()
    return added
