"""The supplier directory's search key: what a buyer types (a component, a standard, a name) folded
the way the search box folds it, so "linh kien" finds "Linh kiện" and "iatf" finds IATF 16949."""

from __future__ import annotations

from recognition.i18n import fold
from recognition.supporting.models import SupplierProfile


def refresh_search_key(profile: SupplierProfile) -> None:
    """Recompute `search_folded` from the profile's enterprise, sector, products and certifications;
    whoever changes any of them (the profile form, the Department's form, the import) calls this."""
    sector = profile.supporting_sector
    parts = [
        profile.enterprise.name,
        sector.name_vi,
        sector.name_en,
        profile.products,
        *(certification.standard_label for certification in profile.certifications),
    ]
    profile.search_folded = fold(" ".join(part for part in parts if part))
