"""The enterprise's own entry in the register of supporting-industry firms (under /applicant)."""

from __future__ import annotations

from recognition.accounts.models import Role
from recognition.accounts.permissions import restricted_blueprint

bp = restricted_blueprint("supplier_profile", __name__, "/applicant/supplier-profile", Role.applicant)
