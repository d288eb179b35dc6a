"""Import of the Department's existing lists of supporting-industry firms (XLSX or CSV)."""

from __future__ import annotations

from recognition.accounts.models import Role
from recognition.accounts.permissions import restricted_blueprint

bp = restricted_blueprint("supporting_imports", __name__, "/secretariat/supporting/imports", Role.secretariat)
