"""The Department's register of supporting-industry firms (under /secretariat/supporting)."""

from __future__ import annotations

from recognition.accounts.models import Role
from recognition.accounts.permissions import restricted_blueprint

bp = restricted_blueprint("supporting", __name__, "/secretariat/supporting", Role.secretariat)
